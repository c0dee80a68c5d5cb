/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc-util.h"
#include "parse-util.h"
#include "socket-options.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"

void socket_options_init(SocketOptions *o) {
        *o = (SocketOptions) {
                .bind_ipv6_only = SOCKET_ADDRESS_DEFAULT,
                .backlog = SOMAXCONN_DELUXE,
                .socket_mode = 0666,
                .directory_mode = 0755,
                .accept_fds = true,
                .priority = -1,
                .ip_tos = -1,
                .ip_ttl = -1,
                .mark = -1,
                .timestamping = SOCKET_TIMESTAMPING_OFF,
        };
}

void socket_options_done(SocketOptions *o) {
        if (!o)
                return;
        free(o->bind_to_device);
        o->bind_to_device = NULL;
        free(o->tcp_congestion);
        o->tcp_congestion = NULL;
        o->symlinks = strv_free(o->symlinks);
}

/* Append "Option=: reason" to *text, "; "-separated.  Out of memory only
 * loses the diagnostic, never the result of the call it describes. */
static void warning_append(char **text, const char *option, int error) {
        char *n;

        if (!text)
                return;
        n = *text ? strjoin(*text, "; ", option, ": ", strerror(-error))
                  : strjoin(option, ": ", strerror(-error));
        if (n)
                free_and_replace(*text, n);
}

static bool family_is_inet(int family) {
        return family == AF_INET || family == AF_INET6;
}

static int apply_bind_to_device(int fd, const char *ifname) {
        return RET_NERRNO(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t) strlen(ifname) + 1));
}

/* The three INET options whose failure only warns (spec §4.2 step 5). */
static void apply_prebind_warn_only(const SocketOptions *o, int fd, int family, char **warning) {
        int r;

        if (o->reuse_port) {
                r = setsockopt_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
                if (r < 0)
                        warning_append(warning, "ReusePort=", r);
        }
        if (o->free_bind) {
                r = socket_set_freebind(fd, family, true);
                if (r < 0)
                        warning_append(warning, "FreeBind=", r);
        }
        if (o->transparent) {
                r = socket_set_transparent(fd, family, true);
                if (r < 0)
                        warning_append(warning, "Transparent=", r);
        }
}

int socket_options_apply_prebind(const SocketOptions *o, int fd, int family, char **ret_warning) {
        _cleanup_free_ char *warning = NULL;
        int r = 0;

        if (family == AF_INET6 && o->bind_ipv6_only != SOCKET_ADDRESS_DEFAULT) {
                r = setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, o->bind_ipv6_only == SOCKET_ADDRESS_IPV6_ONLY);
                if (r < 0) {
                        warning_append(&warning, "BindIPv6Only=", r);
                        goto finish;
                }
        }

        if (family_is_inet(family)) {
                if (!isempty(o->bind_to_device)) {
                        r = apply_bind_to_device(fd, o->bind_to_device);
                        if (r < 0) {
                                warning_append(&warning, "BindToDevice=", r);
                                goto finish;
                        }
                }
                apply_prebind_warn_only(o, fd, family, &warning);
        }

        /* systemd sets SO_REUSEADDR on every family, AF_UNIX and netlink
         * included, and treats a failure as fatal. */
        r = setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        if (r < 0)
                warning_append(&warning, "SO_REUSEADDR", r);

finish:
        if (ret_warning)
                *ret_warning = TAKE_PTR(warning);
        return r < 0 ? r : 0;
}

/* ReceiveBuffer=/SendBuffer=: the kernel doubles the value it stores, and
 * silently caps it at net.core.[rw]mem_max.  Set the plain option, read it
 * back, and use the FORCE variant (CAP_NET_ADMIN) when the cap struck. */
static int set_buffer(int fd, int opt, int opt_force, uint64_t size) {
        int v, r;

        if (size > INT_MAX / 2)
                return -ERANGE;

        r = setsockopt_int(fd, SOL_SOCKET, opt, (int) size);
        if (r >= 0) {
                r = getsockopt_int(fd, SOL_SOCKET, opt, &v);
                if (r >= 0 && (uint64_t) v == size * 2)
                        return 0;
        }
        return setsockopt_int(fd, SOL_SOCKET, opt_force, (int) size);
}

static int usec_to_seconds_int(usec_t u) {
        usec_t s = u / USEC_PER_SEC;
        return s > INT_MAX ? INT_MAX : (int) s;
}

/* Report one failed option; returns 1 so that callers can count. */
static int warn_failed(socket_option_warn_t warn, void *userdata, const char *option, int r) {
        if (warn)
                warn(userdata, option, r);
        return 1;
}

#define TRY(option, expr)                                                       \
        do {                                                                    \
                int r_ = (expr);                                                \
                if (r_ < 0)                                                     \
                        failed += warn_failed(warn, userdata, (option), r_);    \
        } while (0)

/* TCP-level options (SOL_TCP), in systemd's order. */
static int apply_tcp_options(const SocketOptions *o, int fd, int protocol, socket_option_warn_t warn, void *userdata) {
        int failed = 0;

        if (o->keep_alive_time > 0)
                TRY("KeepAliveTimeSec=", setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE,
                                                        usec_to_seconds_int(o->keep_alive_time)));
        if (o->keep_alive_interval > 0)
                TRY("KeepAliveIntervalSec=", setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL,
                                                            usec_to_seconds_int(o->keep_alive_interval)));
        if (o->keep_alive_cnt > 0)
                TRY("KeepAliveProbes=", setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT,
                                                       o->keep_alive_cnt > INT_MAX ? INT_MAX : (int) o->keep_alive_cnt));
        if (o->defer_accept > 0)
                TRY("DeferAcceptSec=", setsockopt_int(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT,
                                                      usec_to_seconds_int(o->defer_accept)));
        if (o->no_delay)
                TRY("NoDelay=", socket_set_nodelay(fd, protocol, true));
        return failed;
}

/* SOL_SOCKET booleans. */
static int apply_pass_options(const SocketOptions *o, int fd, int family, socket_option_warn_t warn, void *userdata) {
        int failed = 0;

        if (o->broadcast)
                TRY("Broadcast=", setsockopt_int(fd, SOL_SOCKET, SO_BROADCAST, 1));
        if (o->pass_credentials)
                TRY("PassCredentials=", setsockopt_int(fd, SOL_SOCKET, SO_PASSCRED, 1));
        if (o->pass_pidfd)
                TRY("PassPIDFD=", setsockopt_int(fd, SOL_SOCKET, SO_PASSPIDFD, 1));
        if (o->pass_security)
                TRY("PassSecurity=", setsockopt_int(fd, SOL_SOCKET, SO_PASSSEC, 1));
        if (o->pass_pktinfo)
                TRY("PassPacketInfo=", socket_set_recvpktinfo(fd, family, true));
        /* Written only when turned off: SO_PASSRIGHTS needs Linux 6.16, and
         * the default (yes) is the kernel's own default anyway. */
        if (!o->accept_fds)
                TRY("AcceptFileDescriptors=", setsockopt_int(fd, SOL_SOCKET, SO_PASSRIGHTS, 0));
        if (o->timestamping == SOCKET_TIMESTAMPING_US)
                TRY("Timestamping=", setsockopt_int(fd, SOL_SOCKET, SO_TIMESTAMP, 1));
        else if (o->timestamping == SOCKET_TIMESTAMPING_NS)
                TRY("Timestamping=", setsockopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1));
        return failed;
}

/* Numeric options: priority, buffers, mark, TOS, TTL, congestion control,
 * in systemd's order.  Note that the kernel derives SO_PRIORITY from IP_TOS,
 * so with both set the TOS wins, as it does under systemd. */
static int apply_value_options(const SocketOptions *o, int fd, int family, socket_option_warn_t warn, void *userdata) {
        int failed = 0;

        if (o->priority >= 0)
                TRY("Priority=", setsockopt_int(fd, SOL_SOCKET, SO_PRIORITY, o->priority));
        if (o->receive_buffer > 0)
                TRY("ReceiveBuffer=", set_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, o->receive_buffer));
        if (o->send_buffer > 0)
                TRY("SendBuffer=", set_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, o->send_buffer));
        if (o->mark >= 0)
                TRY("Mark=", setsockopt_int(fd, SOL_SOCKET, SO_MARK, o->mark));
        if (o->ip_tos >= 0)
                TRY("IPTOS=", socket_set_tos(fd, family, o->ip_tos));
        if (o->ip_ttl >= 0)
                TRY("IPTTL=", socket_set_ttl(fd, family, o->ip_ttl));
        if (!isempty(o->tcp_congestion))
                TRY("TCPCongestion=", RET_NERRNO(setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, o->tcp_congestion,
                                                            (socklen_t) strlen(o->tcp_congestion) + 1)));
        return failed;
}

int socket_options_apply_post_listen(const SocketOptions *o, int fd, int family, int protocol,
                                     socket_option_warn_t warn, void *userdata) {
        int failed = 0;

        /* As in systemd, every configured option is tried on every socket
         * and a failure only warns: KeepAlive= on a unix socket works,
         * KeepAliveTimeSec= there gives EOPNOTSUPP.  A caller may log the
         * "not supported" errors at debug level, as systemd v259 does. */
        if (o->keep_alive)
                TRY("KeepAlive=", setsockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
        failed += apply_tcp_options(o, fd, protocol, warn, userdata);
        failed += apply_pass_options(o, fd, family, warn, userdata);
        failed += apply_value_options(o, fd, family, warn, userdata);
        return failed;
}

int socket_options_apply_fifo(const SocketOptions *o, int fd, socket_option_warn_t warn, void *userdata) {
        int failed = 0;

        if (o->pipe_size > 0)
                TRY("PipeSize=", o->pipe_size > INT_MAX ? -ERANGE
                                                        : RET_NERRNO(fcntl(fd, F_SETPIPE_SZ, (int) o->pipe_size)));
        return failed;
}

#undef TRY

static const char *const bind_ipv6_only_table[_SOCKET_ADDRESS_BIND_IPV6_ONLY_MAX] = {
        [SOCKET_ADDRESS_DEFAULT] = "default",
        [SOCKET_ADDRESS_BOTH] = "both",
        [SOCKET_ADDRESS_IPV6_ONLY] = "ipv6-only",
};

const char *socket_address_bind_ipv6_only_to_string(SocketAddressBindIPv6Only b) {
        if (b < 0 || b >= _SOCKET_ADDRESS_BIND_IPV6_ONLY_MAX)
                return NULL;
        return bind_ipv6_only_table[b];
}

int socket_address_bind_ipv6_only_from_string(const char *s) {
        int b;

        if (!s)
                return -EINVAL;
        for (int i = 0; i < _SOCKET_ADDRESS_BIND_IPV6_ONLY_MAX; i++)
                if (streq(s, bind_ipv6_only_table[i]))
                        return i;
        b = parse_boolean(s);
        if (b < 0)
                return -EINVAL;
        return b ? SOCKET_ADDRESS_IPV6_ONLY : SOCKET_ADDRESS_BOTH;
}

const char *socket_timestamping_to_string(SocketTimestamping t) {
        static const char *const table[_SOCKET_TIMESTAMPING_MAX] = {
                [SOCKET_TIMESTAMPING_OFF] = "off",
                [SOCKET_TIMESTAMPING_US] = "us",
                [SOCKET_TIMESTAMPING_NS] = "ns",
        };

        if (t < 0 || t >= _SOCKET_TIMESTAMPING_MAX)
                return NULL;
        return table[t];
}

int socket_timestamping_from_string(const char *s) {
        int b;

        if (!s)
                return -EINVAL;
        if (streq(s, "off"))
                return SOCKET_TIMESTAMPING_OFF;
        if (streq(s, "us") || streq(s, "usec") || streq(s, "µs") || streq(s, "μs"))
                return SOCKET_TIMESTAMPING_US;
        if (streq(s, "ns") || streq(s, "nsec"))
                return SOCKET_TIMESTAMPING_NS;
        b = parse_boolean(s);
        if (b < 0)
                return -EINVAL;
        return b ? SOCKET_TIMESTAMPING_NS : SOCKET_TIMESTAMPING_OFF;
}
