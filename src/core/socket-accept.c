/* SPDX-License-Identifier: MIT */
/* Accept=yes: one accept4() per dispatch, the connection limits, and the
 * instance spawned from the template prepared at start, so that the
 * per-connection path parses nothing and allocates nothing it can avoid
 * (issue 4).  The socket state machine stays in socket-unit.c. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "env-util.h"
#include "fd-util.h"
#include "manager.h"
#include "service-unit.h"
#include "socket-accept.h"
#include "socket-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-name.h"

/* accept4() errors after which the next connection may well work. */
static bool accept_error_is_transient(int e) {
        switch (e) {
        case EAGAIN: case EINTR: case ECONNABORTED: case ECONNREFUSED: case ECONNRESET:
        case EHOSTDOWN: case EHOSTUNREACH: case ENETDOWN: case ENETRESET: case ENETUNREACH:
        case ENONET: case ENOPROTOOPT: case ENOTCONN: case EPIPE: case EPROTO: case ESHUTDOWN:
        case ETIMEDOUT: case EOPNOTSUPP:
                return true;
        default:
                return false;
        }
}

static void socket_accept_warn_option(void *userdata, const char *option, int error) {
        SocketUnit *s = userdata;
        log_unit_warning_errno(&s->meta, error, "%s failed: %m", option);
}

int socket_accept_connection(SocketUnit *s, SocketWatch *w) {
        /* The connection goes to the service as it wants it
         * (NonBlocking=, default blocking): set at accept, no fcntl. */
        const ServiceConfig *sc = s->service && s->service->config ? s->service->config->service : NULL;
        int flags = SOCK_CLOEXEC | (sc && sc->exec.non_blocking ? SOCK_NONBLOCK : 0);
        s->last_peer_len = sizeof s->last_peer;
        int cfd = accept4(w->port->fd, &s->last_peer.sa, &s->last_peer_len, flags);
        if (cfd < 0) {
                if (accept_error_is_transient(errno))
                        return -EAGAIN;
                int r = log_unit_error_errno(&s->meta, errno, "Failed to accept socket: %m");
                socket_fail(s, SOCKET_FAILURE_RESOURCES);
                return r;
        }
        (void) socket_options_apply_post_listen(&s->config->options, cfd,
                                                socket_address_family(&w->port->address),
                                                w->port->address.protocol, socket_accept_warn_option, s);
        /* Only MPTCP listeners pay the getsockopt() for the count. */
        if (w->port->address.protocol == IPPROTO_MPTCP) {
                int st = socket_mptcp_status_accepted(cfd, IPPROTO_MPTCP);
                if (st == SOCKET_MPTCP)
                        s->n_accepted_mptcp++;
                else if (st == SOCKET_TCP_FALLBACK)
                        s->n_accepted_fallback++;
        }
        return cfd;
}

/* ---- Accept=yes: per-source counting ---- */

int socket_peer_key(int fd, SocketPeerKey *ret) {
        union sockaddr_union sa;
        socklen_t salen = sizeof sa;

        *ret = (SocketPeerKey) {};
        if (getpeername(fd, &sa.sa, &salen) < 0)
                return -errno;

        switch (sa.sa.sa_family) {
        case AF_INET:
                ret->family = AF_INET6;
                ret->addr[10] = ret->addr[11] = 0xff;
                memcpy(ret->addr + 12, &sa.in.sin_addr, 4);
                return 0;
        case AF_INET6:
                ret->family = AF_INET6;
                memcpy(ret->addr, &sa.in6.sin6_addr, 16);
                return 0;
        case AF_UNIX: {
                struct ucred cred;
                socklen_t l = sizeof cred;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0)
                        return -errno;
                ret->family = AF_UNIX;
                ret->uid = cred.uid;
                return 0;
        }
        default:
                return -EAFNOSUPPORT;
        }
}

static bool peer_key_matches(const SocketPeerCount *c, const SocketPeerKey *k) {
        if (c->key_family != k->family)
                return false;
        if (k->family == AF_UNIX)
                return c->key.uid == k->uid;
        return memcmp(c->key.addr, k->addr, 16) == 0;
}

static SocketPeerCount *socket_peer_find(SocketUnit *s, const SocketPeerKey *k, bool create) {
        SocketPeerCount *free_slot = NULL;

        for (size_t i = 0; i < s->n_peer_slots; i++) {
                SocketPeerCount *c = &s->peers[i];
                if (c->key_family == 0) {
                        if (!free_slot)
                                free_slot = c;
                } else if (peer_key_matches(c, k))
                        return c;
        }
        if (!create || !free_slot)
                return NULL;
        free_slot->key_family = k->family;
        if (k->family == AF_UNIX)
                free_slot->key.uid = k->uid;
        else
                memcpy(free_slot->key.addr, k->addr, 16);
        free_slot->n = 0;
        return free_slot;
}

void socket_connection_released(SocketUnit *s, const SocketPeerKey *peer) {
        if (s->n_connections > 0)
                s->n_connections--;
        if (!peer || peer->family == 0 || !s->peers)
                return;
        SocketPeerCount *c = socket_peer_find(s, peer, false);
        if (c && c->n > 0 && --c->n == 0)
                c->key_family = 0;
}

static void socket_refuse_connection(SocketUnit *s, int cfd, const char *why) {
        s->n_refused++;
        log_unit_warning(&s->meta, "%s, dropping connection.", why);
        safe_close(cfd);
}

/* A bounded string builder for the instance name: stdio's snprintf()
 * costs about 3,000 instructions for the name, this about 300.  Output that
 * does not fit is cut, as snprintf() would cut it; the result is always
 * NUL-terminated. */
typedef struct NameBuf {
        char *p, *end;          /* end: the byte reserved for the NUL */
} NameBuf;

static void name_add(NameBuf *b, const char *s) {
        while (*s && b->p < b->end)
                *b->p++ = *s++;
}

static void name_add_u64(NameBuf *b, uint64_t v) {
        char tmp[20];
        size_t n = 0;

        do
                tmp[n++] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        while (n > 0 && b->p < b->end)
                *b->p++ = tmp[--n];
}

static void name_add_ip(NameBuf *b, const char *ip, unsigned port) {
        name_add(b, ip);
        name_add(b, ":");
        name_add_u64(b, port);
}

/* The instance name after "prefix@" is N-COOKIE-local-remote (v258). */
static int socket_instance_name(SocketUnit *s, int cfd, char *buf, size_t size) {
        union sockaddr_union local, remote;
        socklen_t llen = sizeof local, rlen = sizeof remote;
        uint64_t cookie = 0;
        socklen_t clen = sizeof cookie;
        NameBuf b = { buf, buf + size - 1 };

        /* The peer came with accept4(); only our own side is asked for. */
        if (s->last_peer_len > 0 && s->last_peer_len <= sizeof remote) {
                memcpy(&remote, &s->last_peer, s->last_peer_len);
                rlen = s->last_peer_len;
        } else if (getpeername(cfd, &remote.sa, &rlen) < 0)
                return -errno;
        if (getsockname(cfd, &local.sa, &llen) < 0)
                return -errno;
        (void) getsockopt(cfd, SOL_SOCKET, SO_COOKIE, &cookie, &clen);

        name_add(&b, s->instance_prefix);
        name_add(&b, "@");
        name_add_u64(&b, s->n_accepted);
        name_add(&b, "-");
        name_add_u64(&b, cookie);
        name_add(&b, "-");
        if (remote.sa.sa_family == AF_UNIX) {
                struct ucred cred;
                socklen_t l = sizeof cred;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0)
                        name_add(&b, "unknown");
                else {
                        name_add_u64(&b, (unsigned) cred.pid);
                        name_add(&b, "-");
                        name_add_u64(&b, (unsigned) cred.uid);
                }
        } else {
                char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
                unsigned lport, rport;
                if (sockaddr_ip_string(&local.sa, llen, l, sizeof l, &lport) < 0 ||
                    sockaddr_ip_string(&remote.sa, rlen, r, sizeof r, &rport) < 0)
                        return -EAFNOSUPPORT;
                name_add_ip(&b, l, lport);
                name_add(&b, "-");
                name_add_ip(&b, r, rport);
        }
        name_add(&b, ".service");
        *b.p = '\0';
        return 0;
}

/* Accept=yes: hand connection cfd to a new instance of the template. */
void socket_spawn_instance(SocketUnit *s, int cfd) {
        /* REMOTE_ADDR/REMOTE_PORT are not formatted here: the spawn
         * template writes them into its own slots from the peer address. */
        char name[UNIT_NAME_MAX + 1];
        SocketPeerKey peer = {};
        int r;

        if (s->n_connections >= s->config->max_connections) {
                char why[64];
                snprintf(why, sizeof why, "Too many incoming connections (%u)", s->n_connections);
                return socket_refuse_connection(s, cfd, why);
        }

        if (s->config->max_connections_per_source > 0) {
                r = socket_peer_key(cfd, &peer);
                if (r < 0) { /* the peer went away already */
                        safe_close(cfd);
                        return;
                }
                SocketPeerCount *c = socket_peer_find(s, &peer, true);
                if (!c || c->n >= s->config->max_connections_per_source) {
                        if (c && c->n == 0)
                                c->key_family = 0;
                        return socket_refuse_connection(s, cfd, "Too many incoming connections from source");
                }
                c->n++;
        }

        r = socket_instance_name(s, cfd, name, sizeof name);
        if (r < 0) {
                log_unit_debug_errno(&s->meta, r, "Failed to read connection addresses, ignoring: %m");
                if (peer.family != 0) {
                        s->n_connections++;
                        socket_connection_released(s, &peer);
                }
                safe_close(cfd);
                return;
        }

        ServiceUnit *svc = NULL;
        UnitConfig *own = NULL;
        s->n_accepted++;
        s->n_connections++;
        if (s->instances_need_load) {
                /* The slow path: this instance's own specifiers. */
                r = manager_load_instance_config(s->meta.manager, name, &own);
                if (r < 0) {
                        socket_connection_released(s, &peer);
                        safe_close(cfd);
                        log_unit_error_errno(&s->meta, r, "Failed to load '%s': %m", name);
                        socket_fail(s, SOCKET_FAILURE_RESOURCES);
                        return;
                }
        }
        /* From here on the instance owns cfd and releases the counts. */
        r = service_new_instance(s->meta.manager, name, own ?: s->service->config, own != NULL, s, cfd,
                                 &peer, &svc);
        if (r < 0) {
                log_unit_error_errno(&s->meta, r, "Failed to create instance '%s': %m", name);
                socket_fail(s, SOCKET_FAILURE_RESOURCES);
                return;
        }

        r = unit_start(&svc->meta);
        if (r < 0) {
                log_unit_error_errno(&s->meta, r, "Failed to start '%s': %m", name);
                manager_gc_unit(s->meta.manager, &svc->meta);
        }
}

/* Accept=yes: prepare the instances' ExecStart= once (spec: the
 * per-connection path parses nothing and allocates nothing it can avoid). */
int socket_prepare_instance_template(SocketUnit *s) {
        const ServiceConfig *sc = s->service->config->service;
        ExecCommand *c = sc ? sc->exec_command[SERVICE_EXEC_START] : NULL;
        int r;

        s->spawn_template = spawn_template_free(s->spawn_template);
        if (s->instance_exec)
                exec_prepared_done(s->instance_exec);
        if (!c || c->next || s->instances_need_load)
                return 0; /* several ExecStart= (oneshot), or %i: the general path */
        if (!s->instance_exec) {
                s->instance_exec = new0(ExecPrepared, 1);
                if (!s->instance_exec)
                        return -ENOMEM;
                exec_prepared_done(s->instance_exec); /* the empty state */
        }

        char *names[2] = { s->config->fdname ?: (char *) "connection", NULL };
        _cleanup_strv_free_ char **env = service_notify_env(s->meta.manager, sc);
        if (!env)
                return -ENOMEM;
        /* Each instance makes the same RuntimeDirectory= paths when it
         * starts (service_start_now()), so they can be named once here. */
        if (sc->exec.runtime_directory) {
                _cleanup_strv_free_ char **dirs = NULL;
                STRV_FOREACH(name, sc->exec.runtime_directory) {
                        char *path = strjoin(s->meta.manager->runtime_dir, "/", *name);
                        if (!path || strv_consume(&dirs, path) < 0)
                                return -ENOMEM;
                }
                _cleanup_free_ char *joined = strv_join(dirs, ":");
                if (!joined || strv_env_assign(&env, "RUNTIME_DIRECTORY", joined) < 0)
                        return -ENOMEM;
        }
        ExecExtra x = { .connection = true, .pass_fds = true, .fd_names = names, .extra_env = env };
        r = exec_prepare(s->meta.manager, c, &sc->exec, &x, s->instance_exec);
        if (r < 0)
                return r;
        return spawn_template_new(&s->instance_exec->params, &s->spawn_template);
}

