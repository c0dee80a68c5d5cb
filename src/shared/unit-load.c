/* SPDX-License-Identifier: MIT */
/* Loading one unit: fragment, drop-ins, load-time defaults and checks.  The
 * steps are listed in unit-load.h. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "load-fragment.h"
#include "socket-address.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-load.h"
#include "unit-name.h"

/* The sections a unit of this type may have: [Unit], [<Type>], [Install],
 * written into the caller's arrays (no allocation: every load asks).  type
 * gets the capitalised type name ("Socket"). */
static void unit_sections(const UnitConfig *u, char type[static 16], const char *ret[static 4]) {
        const char *t = unit_type_to_string(u->type) ?: "";
        size_t n = strnlen(t, 15);

        memcpy(type, t, n);
        type[n] = '\0';
        type[0] = (char) toupper((unsigned char) type[0]);
        ret[0] = "Unit";
        ret[1] = type;
        ret[2] = "Install";
        ret[3] = NULL;
}

/* Parse path into u, from fd when it is open (the fragment unit_file_find()
 * opened), else by opening path. */
static int unit_load_parse(UnitConfig *u, const char *path, int fd, bool fd_regular,
                           const SpecifierContext *base, Diagnostics *diags) {
        const char *sections[4];
        char type[16];
        SpecifierContext sc = {};

        unit_sections(u, type, sections);
        if (base) {
                /* A shallow copy: only the unit fields differ, the copy owns nothing. */
                sc = *base;
                sc.unit_name = u->id;
                sc.fragment_path = u->fragment_path;
        }
        ConfigParseParams p = {
                .path = path,
                .unit = u->id,
                .sections = (char * const *) sections,
                .lookup = load_fragment_lookup,
                .userdata = u,
                .diagnostics = diags,
                .specifiers = base ? &sc : NULL,
        };
        return fd >= 0 ? config_parse_fd(&p, fd, fd_regular) : config_parse_file(&p);
}

int unit_load_parse_file(UnitConfig *u, const char *path, const SpecifierContext *base, Diagnostics *diags) {
        return unit_load_parse(u, path, -EBADF, false, base, diags);
}

/* --- load-time defaults ---------------------------------------------------- */

static void rate_limit_default(RateLimitConfig *l, unsigned burst) {
        /* infinity / UINT_MAX are the "unset" sentinels (spec §9): writing
         * them explicitly also gives the default. */
        if (l->interval == USEC_INFINITY)
                l->interval = 2 * USEC_PER_SEC;
        if (l->burst == UINT_MAX)
                l->burst = burst;
}

static int socket_apply_defaults(UnitConfig *u) {
        SocketConfig *s = u->socket;

        rate_limit_default(&s->trigger_limit, s->accept ? 200 : 20);
        rate_limit_default(&s->poll_limit, s->accept ? 150 : 15);
        if (!s->fdname)
                return free_and_strdup(&s->fdname, s->accept ? "connection" : u->id);
        return 0;
}

static void service_apply_defaults(ServiceConfig *s) {
        if (s->type < 0)
                s->type = s->exec_command[SERVICE_EXEC_START] ? SERVICE_SIMPLE : SERVICE_ONESHOT;
        /* A oneshot service has no start timeout unless one is given. */
        if (s->type == SERVICE_ONESHOT && !s->timeout_start_set)
                s->timeout_start_usec = USEC_INFINITY;
        /* As systemd: FileDescriptorStoreMax= > 0 implies main too, so that
         * the service can fill its store. */
        if (s->notify_access < 0)
                s->notify_access = (s->type == SERVICE_NOTIFY || s->type == SERVICE_NOTIFY_RELOAD ||
                                    s->n_fd_store_max > 0) ? NOTIFY_MAIN : NOTIFY_NONE;
}

/* --- load-time checks ------------------------------------------------------ */

static int refuse(const UnitConfig *u, Diagnostics *diags, const char *path, unsigned line, const char *message) {
        int r = diagnostics_add(diags, path ?: u->fragment_path, line, DIAGNOSTIC_ERROR, "%s", message);
        return r < 0 ? r : -ENOEXEC;
}

/* Filesystem nodes Symlinks= could point at: FIFOs and path-based AF_UNIX
 * sockets (systemd's socket_find_symlink_target). */
static size_t socket_count_symlink_targets(const SocketConfig *s) {
        size_t n = 0;

        for (size_t i = 0; i < s->n_ports; i++) {
                const SocketPort *p = &s->ports[i];
                if (p->type == SOCKET_PORT_FIFO ||
                    (p->type == SOCKET_PORT_SOCKET && socket_address_get_path(&p->address)))
                        n++;
        }
        return n;
}

static int socket_check_accept(const UnitConfig *u, Diagnostics *diags) {
        const SocketConfig *s = u->socket;

        for (size_t i = 0; i < s->n_ports; i++)
                if (!socket_port_can_accept(&s->ports[i]))
                        return refuse(u, diags, s->port_origins[i].path, s->port_origins[i].line,
                                      "Unit configured for accepting sockets, but sockets are non-accepting. "
                                      "Refusing.");
        if (s->service)
                return refuse(u, diags, NULL, 0,
                              "Explicit service configuration for accepting socket units not supported. Refusing.");
        if (s->defer_trigger != SOCKET_DEFER_NO)
                return refuse(u, diags, NULL, 0,
                              "Socket unit is configured to be accepting with DeferTrigger= enabled, refusing.");
        return 0;
}

/* porter refuses at load time what systemd only finds out when socket()
 * fails at start: a SocketProtocol= the port's family cannot use. */
static int socket_check_protocol(const UnitConfig *u, Diagnostics *diags) {
        const SocketConfig *s = u->socket;

        for (size_t i = 0; i < s->n_ports; i++) {
                const SocketPort *p = &s->ports[i];
                _cleanup_free_ char *what = NULL, *msg = NULL;
                int proto;

                if (p->type != SOCKET_PORT_SOCKET)
                        continue;
                proto = socket_protocol_for_type(s->options.socket_protocol, p->address.type);
                if (socket_protocol_fits(proto, socket_address_family(&p->address), p->address.type))
                        continue;
                (void) socket_port_describe(p, &what);
                if (asprintf(&msg, "SocketProtocol=%s cannot be used with %s (line %u), refusing.",
                             strna(socket_protocol_to_string(proto)), strna(what), s->port_origins[i].line) < 0)
                        return -ENOMEM;
                return refuse(u, diags, s->socket_protocol_path, s->socket_protocol_line, msg);
        }
        return 0;
}

static int socket_verify(const UnitConfig *u, Diagnostics *diags) {
        const SocketConfig *s = u->socket;
        int r;

        if (s->n_ports == 0)
                return refuse(u, diags, NULL, 0,
                              "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). "
                              "Refusing.");
        /* systemd v257+ refuses MaxConnections=0 in both modes. */
        if (s->max_connections == 0)
                return refuse(u, diags, NULL, 0, "MaxConnections= setting too small. Refusing.");
        if (s->accept) {
                r = socket_check_accept(u, diags);
                if (r < 0)
                        return r;
        }
        if (strv_length(s->options.symlinks) > 0 && socket_count_symlink_targets(s) != 1)
                return refuse(u, diags, NULL, 0,
                              "Unit has symlinks set but none or more than one node in the file system. Refusing.");
        return socket_check_protocol(u, diags);
}

static bool unit_has_unsupported(const UnitConfig *u, const char *section, const char *key) {
        const UnitExtraConfig *x = unit_config_extra(u);
        for (size_t i = 0; i < x->n_unsupported; i++)
                if (streq(x->unsupported[i].section, section) && streq(x->unsupported[i].key, key))
                        return true;
        return false;
}

/* systemd's service_verify(), in its order. */
static int service_verify(const UnitConfig *u, Diagnostics *diags) {
        const ServiceConfig *s = u->service;
        const ExecCommand *start = s->exec_command[SERVICE_EXEC_START];
        bool no_success_action = u->success_action == EMERGENCY_ACTION_NONE;

        if (!start && !s->exec_command[SERVICE_EXEC_STOP] && no_success_action)
                return refuse(u, diags, NULL, 0, "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.");
        if (s->type != SERVICE_ONESHOT && !start)
                return refuse(u, diags, NULL, 0,
                              "Service has no ExecStart= setting, which is only allowed for Type=oneshot services. "
                              "Refusing.");
        if (!s->remain_after_exit && !start && no_success_action)
                return refuse(u, diags, NULL, 0,
                              "Service has no ExecStart= and no SuccessAction= settings and does not have "
                              "RemainAfterExit=yes set. Refusing.");
        if (s->type != SERVICE_ONESHOT && start && start->next)
                return refuse(u, diags, NULL, 0,
                              "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot "
                              "services. Refusing.");
        if (s->type == SERVICE_ONESHOT &&
            (s->restart == SERVICE_RESTART_ALWAYS || s->restart == SERVICE_RESTART_ON_SUCCESS))
                return refuse(u, diags, NULL, 0,
                              "Service has Restart= set to either always or on-success, which isn't allowed for "
                              "Type=oneshot services. Refusing.");
        if (s->type == SERVICE_DBUS && !unit_has_unsupported(u, "Service", "BusName"))
                return refuse(u, diags, NULL, 0,
                              "Service is of type D-Bus but no D-Bus service name has been specified. Refusing.");
        return 0;
}

/* systemd loads the service of an Accept=no socket together with the
 * socket; a name that cannot be a unit name (a 248-character socket prefix
 * plus ".service" is too long) makes the socket fail to load. */
static int socket_check_service_name(const UnitConfig *u, Diagnostics *diags) {
        _cleanup_free_ char *name = NULL;
        int r;

        if (u->socket->accept || u->socket->service)
                return 0;
        r = unit_config_triggered_service(u, &name);
        if (r == -EINVAL) {
                r = diagnostics_add(diags, u->fragment_path, 0, DIAGNOSTIC_ERROR,
                                    "Cannot derive a valid service name from %s: Invalid argument", u->id);
                return r < 0 ? r : -EINVAL;
        }
        return r;
}

int unit_load_finish(UnitConfig *u, Diagnostics *diags) {
        int r = 0;

        if (u->socket) {
                r = socket_check_service_name(u, diags);
                if (r == -EINVAL) {
                        u->load_state = UNIT_ERROR;
                        u->load_error = r;
                        return r;
                }
                if (r >= 0)
                        r = socket_apply_defaults(u);
                if (r >= 0)
                        r = socket_verify(u, diags);
        } else if (u->service) {
                service_apply_defaults(u->service);
                r = service_verify(u, diags);
        }
        if (r == -ENOEXEC) {
                u->load_state = UNIT_BAD_SETTING;
                u->load_error = r;
                return r;
        }
        if (r < 0)
                return r;
        u->load_state = UNIT_LOADED;
        return 0;
}

/* --- the whole load -------------------------------------------------------- */

static UnitLoadState load_state_for_error(int r) {
        return r == -ENOEXEC ? UNIT_BAD_SETTING : r == -ENOENT ? UNIT_NOT_FOUND : UNIT_ERROR;
}

/* A unit object for a name that could not be looked up: named after the
 * file name of name_or_path. */
static int unit_config_for_failure(const char *name_or_path, int error, UnitConfig **ret) {
        const char *base = strrchr(name_or_path, '/');
        int r;

        r = unit_config_new(base ? base + 1 : name_or_path, ret);
        if (r < 0)
                return r;
        (*ret)->load_state = load_state_for_error(error);
        (*ret)->load_error = error;
        return 0;
}

static int unit_load_dropins(UnitConfig *u, char * const *dropins, const SpecifierContext *base, Diagnostics *diags) {
        STRV_FOREACH(d, dropins) {
                int r = strv_extend(&u->dropin_paths, *d);
                if (r < 0)
                        return r;
                /* Errors inside a drop-in end that drop-in only. */
                r = unit_load_parse_file(u, *d, base, diags);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

int unit_load(const LookupPaths *lp, const char *name_or_path, const SpecifierContext *base, UnitConfig **ret,
              Diagnostics *diags) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        UnitFileInfo info = {};
        int r;

        r = unit_file_find(lp, name_or_path, &info);
        if (r == -ENOMEM || r == -EINVAL) {
                unit_file_info_done(&info);
                return r;
        }
        if ((r < 0 && r != -ENOENT) || !info.name) {
                /* Nothing was looked up (e.g. a path that does not exist). */
                unit_file_info_done(&info);
                r = unit_config_for_failure(name_or_path, r, ret);
                return r;
        }

        r = unit_config_new(info.id ?: info.name, &u);
        if (r < 0)
                goto finish;
        if (info.fragment_path) {
                u->fragment_path = strdup(info.fragment_path);
                if (!u->fragment_path) {
                        r = -ENOMEM;
                        goto finish;
                }
        }
        if (info.masked) {
                u->load_state = UNIT_MASKED;
                r = 0;
                goto done;
        }
        if (!info.fragment_path) {
                u->load_state = UNIT_NOT_FOUND;
                u->load_error = -ENOENT;
                r = 0;
                goto done;
        }

        r = unit_load_parse(u, u->fragment_path, info.fragment_fd_open ? info.fragment_fd : -EBADF,
                            info.fragment_regular, base, diags);
        if (r == 1) {
                u->load_state = UNIT_MASKED;
                r = 0;
                goto done;
        }
        if (r == -ENOMEM)
                goto finish;
        if (r < 0) {
                u->load_state = load_state_for_error(r);
                u->load_error = r;
                r = 0;
                goto done;
        }
        r = unit_load_dropins(u, info.dropin_paths, base, diags);
        if (r < 0)
                goto finish;
        r = unit_load_finish(u, diags);
        if (r == -ENOEXEC || r == -EINVAL)
                r = 0;
        if (r < 0)
                goto finish;

done:
        *ret = TAKE_PTR(u);
finish:
        unit_file_info_done(&info);
        return r;
}

int unit_config_triggered_service(const UnitConfig *u, char **ret) {
        _cleanup_free_ char *prefix = NULL;
        char *s;
        int r;

        if (!u->socket)
                return -EINVAL;
        if (u->socket->service) {
                s = strdup(u->socket->service);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }
        if (!u->socket->accept)
                return unit_name_change_suffix(u->id, ".service", ret);
        r = unit_name_to_prefix(u->id, &prefix);
        if (r < 0)
                return r;
        s = strjoin(prefix, "@.service");
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
