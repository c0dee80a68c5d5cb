/* SPDX-License-Identifier: MIT */
/* porter-activate: listen on sockets and start a program on traffic, passing
 * the sockets by the sd_listen_fds() protocol.  A superset of
 * systemd-socket-activate(1) (spec §7):
 *
 *   - inherited LISTEN_FDS are taken over first and passed on at 3.., the
 *     -l sockets follow them;
 *   - without --accept: wait for the first EPOLLIN (or not, with --now), then
 *     exec the program in place, so that LISTEN_PID is our own pid;
 *   - with --accept: one child per connection through a prepared
 *     SpawnTemplate (clone(CLONE_VM|CLONE_VFORK), nothing allocated or
 *     parsed per connection), the connection at fd 3 with LISTEN_FDS=1, or
 *     on stdin/stdout with --inetd; REMOTE_ADDR/REMOTE_PORT as systemd sets
 *     them for Accept=yes.  Children are reaped through a signalfd, so no
 *     SIGCHLD can be lost between two polls;
 *   - the program's environment is reduced to TERM COLORTERM NO_COLOR PATH
 *     USER HOME, the -E variables and LISTEN_*;
 *   - porter additions: --protocol=mptcp|sctp|udplite, --max-connections,
 *     -v, REMOTE_* in accept mode, fd names in accept mode ("connection"
 *     unless --fdname says otherwise, as for Accept=yes units), and --unit
 *     FILE.socket: the listeners, socket options, Accept=, MaxConnections=,
 *     FileDescriptorName=, SocketUser=/SocketGroup= and Symlinks= of a socket
 *     unit, loaded exactly as porterd loads it.
 *
 * Exit status: 0 for --help/--version, 1 when sockets cannot be set up or
 * the accept loop fails, 2 for invalid arguments, 126/127 when the program
 * cannot be executed / is not found (as a shell reports it). */

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "env-util.h"
#include "fd-util.h"
#include "log.h"
#include "porter-config.h"
#include "socket-address.h"
#include "socket-listen.h"
#include "socket-options.h"
#include "socket-util.h"
#include "spawn.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "unit-load.h"
#include "unit-path.h"
#include "user-util.h"

#define EXIT_USAGE 2
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

/* How many connections one listener may take per poll() wakeup before the
 * others (and reaping) get a turn. */
#define ACCEPT_BATCH 16
/* Pause after EMFILE/ENFILE instead of spinning on a full fd table. */
#define ACCEPT_PAUSE_MSEC 100

/* The variables systemd-socket-activate passes through from its own
 * environment. */
static const char * const passed_env[] = { "TERM", "COLORTERM", "NO_COLOR", "PATH", "USER", "HOME" };

typedef struct Activator {
        /* command line */
        char **listen;          /* -l addresses, in order */
        int socket_type;
        int protocol;           /* --protocol; 0 = plain */
        bool accept, inetd, now;
        char **setenv;          /* -E, as NAME=VALUE */
        char **fdnames;         /* --fdname, split on ':' */
        unsigned max_connections; /* 0 = unlimited */
        bool max_connections_set;
        char **unit_args;       /* --unit, in order */
        char **argv;            /* the program and its arguments */
        char *exe;              /* argv[0] resolved in $PATH */

        /* fds: the inherited ones first (3..3+n_inherited-1), then the
         * units' ports (n_unit_ports, unit by unit), then the -l sockets */
        int *fds;
        char **names;           /* inherited names, one per inherited fd, or NULL */
        size_t n_fds, n_inherited, n_unit_ports;
        UnitConfig **units;     /* --unit, loaded; each owns its ports */
        size_t n_units;
        const UnitConfig **port_unit; /* the unit of each of the n_unit_ports */
        SocketPort *ports;      /* our -l sockets; ports[i].fd is fds[n_inherited+i] */
        size_t n_ports;

        char **env;             /* the program's environment without LISTEN_* */
} Activator;

static void activator_done(Activator *a) {
        for (size_t i = 0; i < a->n_units; i++)
                unit_config_free(a->units[i]);
        free(a->units);
        free(a->port_unit);
        strv_free(a->listen);
        strv_free(a->setenv);
        strv_free(a->fdnames);
        strv_free(a->unit_args);
        free(a->exe);
        for (size_t i = 0; i < a->n_ports; i++)
                socket_port_done(&a->ports[i]);
        free(a->ports);
        free(a->fds);
        strv_free(a->names);
        strv_free(a->env);
}

static void help(void) {
        printf("%s [OPTIONS...] COMMAND [ARGS...]\n\n"
               "Listen on sockets and start COMMAND on traffic, passing the sockets\n"
               "by the sd_listen_fds() protocol.\n\n"
               "  -h --help                  Show this help and exit\n"
               "     --version               Print the version and exit\n"
               "  -l --listen=ADDR           Listen on ADDR (repeatable): PORT, IPv4:PORT,\n"
               "                             [IPv6]:PORT, /path, @abstract, vsock:CID:PORT\n"
               "  -d --datagram              Datagram sockets instead of stream sockets\n"
               "     --seqpacket             SOCK_SEQPACKET sockets instead of stream sockets\n"
               "     --protocol=PROTO        mptcp or sctp (stream), sctp (seqpacket),\n"
               "                             udplite (datagram)\n"
               "  -a --accept                Start one COMMAND per connection\n"
               "     --max-connections=N     With --accept: at most N children at a time\n"
               "     --inetd                 The connection (or the socket) becomes stdin\n"
               "                             and stdout instead of fd 3\n"
               "  -E --setenv=NAME[=VALUE]   Pass a variable to COMMAND (bare NAME: our value)\n"
               "     --fdname=NAME[:NAME...] Names for LISTEN_FDNAMES\n"
               "     --now                   Start COMMAND at once, without waiting for traffic\n"
               "     --unit=FILE.socket      Also listen as the socket unit FILE.socket says\n"
               "                             (repeatable)\n"
               "  -v --verbose               Log every connection and child\n\n"
               "File descriptors received through sd_listen_fds() are passed on first.\n"
               "See porter-activate(1).\n",
               program_invocation_short_name);
}

/* -E NAME=VALUE, or -E NAME taking our own value ("" when unset), as
 * systemd's strv_env_replace_strdup_passthrough(). */
static int setenv_add(Activator *a, const char *arg) {
        _cleanup_free_ char *s = NULL;

        if (strchr(arg, '=')) {
                if (!env_assignment_is_valid(arg))
                        return -EINVAL;
                s = strdup(arg);
        } else {
                if (!env_name_is_valid(arg))
                        return -EINVAL;
                s = strjoin(arg, "=", strempty(getenv(arg)));
        }
        if (!s)
                return -ENOMEM;
        return strv_env_set(&a->setenv, s);
}

/* systemd's fdname_is_valid(): at most 255 printable ASCII characters
 * without ':'.  Invalid names only warn, as in systemd-socket-activate. */
static bool fdname_is_valid(const char *s) {
        return strlen(s) <= 255 && string_is_printable_ascii(s) && !strchr(s, ':');
}

static int fdname_add(Activator *a, const char *arg) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = strv_split_full(&names, arg, ":", true);
        if (r < 0)
                return r;
        STRV_FOREACH(s, names)
                if (!fdname_is_valid(*s))
                        log_warning("File descriptor name '%s' is not valid.", *s);
        STRV_FOREACH(s, names) {
                r = strv_extend(&a->fdnames, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Returns 1 to go on, 0 to exit successfully (--help), or -EINVAL. */
static int parse_argv(Activator *a, int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_FDNAME,
                ARG_SEQPACKET,
                ARG_INETD,
                ARG_NOW,
                ARG_PROTOCOL,
                ARG_MAX_CONNECTIONS,
                ARG_UNIT,
        };
        static const struct option options[] = {
                { "help",            no_argument,       NULL, 'h'                 },
                { "version",         no_argument,       NULL, ARG_VERSION         },
                { "datagram",        no_argument,       NULL, 'd'                 },
                { "seqpacket",       no_argument,       NULL, ARG_SEQPACKET       },
                { "listen",          required_argument, NULL, 'l'                 },
                { "accept",          no_argument,       NULL, 'a'                 },
                { "setenv",          required_argument, NULL, 'E'                 },
                { "environment",     required_argument, NULL, 'E'                 }, /* systemd's alias */
                { "fdname",          required_argument, NULL, ARG_FDNAME          },
                { "inetd",           no_argument,       NULL, ARG_INETD           },
                { "now",             no_argument,       NULL, ARG_NOW             },
                { "protocol",        required_argument, NULL, ARG_PROTOCOL        },
                { "max-connections", required_argument, NULL, ARG_MAX_CONNECTIONS },
                { "unit",            required_argument, NULL, ARG_UNIT            },
                { "verbose",         no_argument,       NULL, 'v'                 },
                {}
        };
        int c, r;

        /* '+': stop at the first non-option, the program's own options
         * belong to it. */
        while ((c = getopt_long(argc, argv, "+hl:aE:dv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("porter-activate (porter) %s\n", PORTER_VERSION);
                        return 0;
                case 'l':
                        if (strv_extend(&a->listen, optarg) < 0)
                                return log_oom();
                        break;
                case 'd':
                        if (a->socket_type == SOCK_SEQPACKET)
                                return log_error_errno(-EINVAL, "--datagram may not be combined with --seqpacket.");
                        a->socket_type = SOCK_DGRAM;
                        break;
                case ARG_SEQPACKET:
                        if (a->socket_type == SOCK_DGRAM)
                                return log_error_errno(-EINVAL, "--seqpacket may not be combined with --datagram.");
                        a->socket_type = SOCK_SEQPACKET;
                        break;
                case 'a':
                        a->accept = true;
                        break;
                case 'E':
                        r = setenv_add(a, optarg);
                        if (r < 0)
                                return log_error_errno(r == -ENOMEM ? r : -EINVAL,
                                                       "Cannot assign environment variable '%s': %m", optarg);
                        break;
                case ARG_FDNAME:
                        if (fdname_add(a, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_INETD:
                        a->inetd = true;
                        break;
                case ARG_NOW:
                        a->now = true;
                        break;
                case ARG_PROTOCOL:
                        r = parse_socket_protocol(optarg);
                        if (r < 0)
                                return log_error_errno(-EINVAL,
                                                       "Unknown protocol '%s': expected mptcp, sctp or udplite.", optarg);
                        a->protocol = r;
                        break;
                case ARG_MAX_CONNECTIONS: {
                        char *end;
                        unsigned long v;

                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end || v > 1000000 || optarg[0] == '-')
                                return log_error_errno(-EINVAL, "Invalid --max-connections '%s'.", optarg);
                        a->max_connections = (unsigned) v;
                        a->max_connections_set = true;
                        break;
                }
                case ARG_UNIT:
                        /* Repeatable, as a service's Sockets= may name several
                         * socket units (each with its FileDescriptorName=). */
                        if (strv_extend(&a->unit_args, optarg) < 0)
                                return log_oom();
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unhandled option.");
                }

        if (optind >= argc)
                return log_error_errno(-EINVAL, "The command to execute is missing.");
        a->argv = argv + optind;

        if (a->socket_type == SOCK_DGRAM && a->accept)
                return log_error_errno(-EINVAL, "Datagram sockets do not accept connections. "
                                       "The --datagram and --accept options may not be combined.");
        if (a->now && a->accept)
                return log_error_errno(-EINVAL, "--now may not be combined with --accept.");
        if (a->max_connections > 0 && !a->accept && !a->unit_args)
                return log_error_errno(-EINVAL, "--max-connections needs --accept.");
        if (a->protocol > 0 && socket_protocol_for_type(a->protocol, a->socket_type) == 0)
                return log_error_errno(-EINVAL, "--protocol=%s does not work with %s sockets.",
                                       socket_protocol_to_string(a->protocol),
                                       a->socket_type == SOCK_DGRAM ? "datagram" :
                                       a->socket_type == SOCK_SEQPACKET ? "seqpacket" : "stream");
        if (a->protocol > 0 && strv_length(a->listen) == 0)
                log_warning("--protocol=%s applies to -l sockets only; inherited sockets stay as they are.",
                            socket_protocol_to_string(a->protocol));
        if (a->fdnames && a->inetd)
                log_warning("--fdname has no effect with --inetd present.");
        return 1;
}

/* Take over the fds of our own socket activation: they stay at 3.. and
 * become CLOEXEC in this process; spawn() places them explicitly. */
static int take_inherited_fds(Activator *a) {
        bool had_names = getenv("LISTEN_FDNAMES") != NULL;
        char **names = NULL;
        int n;

        n = sd_listen_fds_with_names(true, &names);
        if (n < 0)
                return log_error_errno(n, "Failed to take the inherited file descriptors: %m");
        if (n == 0) {
                strv_free(names);
                return 0;
        }
        log_info("Received %i descriptors via the environment.", n);

        a->fds = new(int, (size_t) n);
        if (!a->fds) {
                strv_free(names);
                return log_oom();
        }
        for (int i = 0; i < n; i++) {
                int r = fd_cloexec(SD_LISTEN_FDS_START + i, true);
                if (r < 0) {
                        strv_free(names);
                        return log_error_errno(r, "Failed to take fd %d: %m", SD_LISTEN_FDS_START + i);
                }
                a->fds[i] = SD_LISTEN_FDS_START + i;
        }
        a->n_fds = a->n_inherited = (size_t) n;
        /* Pass inherited names on only if our parent named them. */
        if (had_names)
                a->names = names;
        else
                strv_free(names);
        return 0;
}

/* Parse every -l address before anything is opened, so that a typo is a
 * usage error and leaves nothing behind. */
static int parse_listeners(Activator *a) {
        size_t n = strv_length(a->listen);
        int protocol = socket_protocol_for_type(a->protocol, a->socket_type);
        int r;

        if (n == 0)
                return 0;
        a->ports = new0(SocketPort, n);
        if (!a->ports)
                return log_oom();
        STRV_FOREACH(addr, a->listen) {
                SocketPort *p = &a->ports[a->n_ports];

                socket_port_init(p, SOCKET_PORT_SOCKET);
                a->n_ports++;
                r = socket_address_parse(&p->address, *addr);
                if (r < 0)
                        return log_error_errno(r, "Failed to parse socket address '%s': %m", *addr);
                p->address.type = a->socket_type;
                if (!socket_protocol_fits(protocol, socket_address_family(&p->address), a->socket_type))
                        return log_error_errno(-EINVAL, "--protocol=%s cannot be used with '%s'.",
                                               socket_protocol_to_string(a->protocol), *addr);
        }
        return 0;
}

static void warn_option(void *userdata, const char *option, int error) {
        log_warning_errno(error, "%s: failed to set %s: %m", (const char *) userdata, option);
}

/* Open the -l sockets the way systemd-socket-activate does:
 * Backlog=INT_MAX, SocketMode=0644, DirectoryMode=0755, SO_REUSEADDR, no
 * other options; plus SocketProtocol= from --protocol. */
static int open_listeners(Activator *a) {
        SocketOptions o;
        int *fds, r = 0;

        if (a->n_ports == 0)
                return 0;
        fds = realloc(a->fds, sizeof(int) * (a->n_fds + a->n_ports));
        if (!fds)
                return log_oom();
        a->fds = fds;

        socket_options_init(&o);
        o.socket_mode = 0644;
        o.socket_protocol = a->protocol;
        for (size_t i = 0; i < a->n_ports; i++) {
                _cleanup_free_ char *text = NULL;
                SocketPort *p = &a->ports[i];

                r = socket_port_open(p, &o, &text);
                if (r < 0) {
                        log_error_errno(r, "%s", text ?: "Failed to open socket.");
                        break;
                }
                if (text)
                        log_warning("%s", text);
                (void) socket_options_apply_post_listen(&o, p->fd, socket_address_family(&p->address),
                                                        p->address.protocol, warn_option, a->listen[i]);
                a->fds[a->n_fds++] = p->fd;
        }
        socket_options_done(&o);
        return r;
}

/* ---- --unit ---- */

static void log_diagnostics(const Diagnostics *d) {
        for (size_t i = 0; i < d->n; i++) {
                const Diagnostic *x = &d->items[i];
                int level = x->severity == DIAGNOSTIC_ERROR ? LOG_ERR : LOG_WARNING;

                if (x->path && x->line > 0)
                        log_full_errno(level, 0, "%s:%u: %s", x->path, x->line, x->message);
                else if (x->path)
                        log_full_errno(level, 0, "%s: %s", x->path, x->message);
                else
                        log_full_errno(level, 0, "%s", x->message);
        }
}

/* Load one --unit as porterd would (fragment, drop-ins, load-time checks);
 * a unit that does not load is a usage error. */
static int load_unit(const LookupPaths *lp, const SpecifierContext *ctx, const char *arg,
                     UnitConfig **ret) {
        _cleanup_(diagnostics_done) Diagnostics diags = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        int r;

        r = unit_load(lp, arg, ctx, &u, &diags);
        log_diagnostics(&diags);
        if (r < 0)
                return log_error_errno(r, "Failed to load '%s': %m", arg);
        if (u->load_state != UNIT_LOADED)
                return log_error_errno(u->load_error ?: -EINVAL, "Unit '%s' did not load (%s).",
                                       u->id, unit_load_state_to_string(u->load_state));
        if (!u->socket)
                return log_error_errno(-EINVAL, "'%s' is not a socket unit.", u->id);
        if (u->socket->n_ports == 0)
                return log_error_errno(-EINVAL, "Unit '%s' has no Listen*= setting.", u->id);
        *ret = TAKE_PTR(u);
        return 0;
}

/* Load every --unit.  They must agree on Accept=: one activator either
 * starts the program once or once per connection.  MaxConnections= comes
 * from the first unit unless --max-connections is given. */
static int load_units(Activator *a) {
        _cleanup_(lookup_paths_done) LookupPaths lp = {};
        _cleanup_(specifier_context_done) SpecifierContext ctx = {};
        size_t n = strv_length(a->unit_args);
        bool user = geteuid() != 0;
        int r;

        if (n == 0)
                return 0;
        r = lookup_paths_init(&lp, user, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to find the unit search path: %m");
        r = specifier_context_init_manager(&ctx, user);
        if (r < 0)
                return log_error_errno(r, "Failed to set up specifiers: %m");
        a->units = new0(UnitConfig *, n);
        if (!a->units)
                return log_oom();
        for (; a->n_units < n; a->n_units++) {
                r = load_unit(&lp, &ctx, a->unit_args[a->n_units], &a->units[a->n_units]);
                if (r < 0)
                        return r;
        }

        const UnitConfig *first = a->units[0];
        for (size_t i = 1; i < n; i++)
                if (a->units[i]->socket->accept != first->socket->accept)
                        return log_error_errno(-EINVAL, "'%s' and '%s' disagree on Accept=.",
                                               first->id, a->units[i]->id);
        if (first->socket->accept)
                a->accept = true;
        if (a->accept && !a->max_connections_set)
                a->max_connections = first->socket->max_connections;
        if (a->accept && a->now)
                return log_error_errno(-EINVAL, "--now may not be combined with Accept=yes of '%s'.", first->id);
        return 0;
}

static int resolve_owner(const SocketConfig *s, uid_t *ret_uid, gid_t *ret_gid) {
        *ret_uid = (uid_t) -1;
        *ret_gid = (gid_t) -1;
        if (s->socket_user && parse_uid(s->socket_user, ret_uid) < 0) {
                struct passwd *pw = getpwnam(s->socket_user);
                if (!pw)
                        return log_error_errno(-ESRCH, "Unknown SocketUser= '%s'.", s->socket_user);
                *ret_uid = pw->pw_uid;
                if (!s->socket_group)
                        *ret_gid = pw->pw_gid;
        }
        if (s->socket_group && parse_gid(s->socket_group, ret_gid) < 0) {
                struct group *gr = getgrnam(s->socket_group);
                if (!gr)
                        return log_error_errno(-ESRCH, "Unknown SocketGroup= '%s'.", s->socket_group);
                *ret_gid = gr->gr_gid;
        }
        return 0;
}

static void warn_symlink(void *userdata, const char *path, int error) {
        log_warning_errno(error, "%s: failed to create symlink '%s': %m", (const char *) userdata, path);
}

/* Open one unit's ports in configuration order, with its options. */
static int open_unit_ports(Activator *a, const UnitConfig *u) {
        const SocketConfig *s = u->socket;
        uid_t uid;
        gid_t gid;
        int r;

        r = resolve_owner(s, &uid, &gid);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_ports; i++) {
                _cleanup_free_ char *text = NULL, *what = NULL;
                SocketPort *p = &s->ports[i];

                (void) socket_port_describe(p, &what);
                r = socket_port_open(p, &s->options, &text);
                if (r < 0)
                        return log_error_errno(r, "%s: %s", u->id, text ?: "Failed to open a listener.");
                if (text)
                        log_warning("%s: %s", u->id, text);
                if (p->type == SOCKET_PORT_SOCKET)
                        (void) socket_options_apply_post_listen(&s->options, p->fd,
                                                                socket_address_family(&p->address),
                                                                p->address.protocol, warn_option,
                                                                what ?: u->id);
                else if (p->type == SOCKET_PORT_FIFO)
                        (void) socket_options_apply_fifo(&s->options, p->fd, warn_option, what ?: u->id);
                if (uid != (uid_t) -1 || gid != (gid_t) -1) {
                        r = socket_port_chown(p, uid, gid);
                        if (r < 0)
                                return log_error_errno(r, "%s: failed to change the owner of %s: %m",
                                                       u->id, strna(what));
                }
                if (s->options.symlinks && socket_port_get_path(p))
                        (void) socket_symlinks_create(s->options.symlinks, socket_port_get_path(p),
                                                      s->options.directory_mode, s->options.remove_on_stop,
                                                      warn_symlink, (void *) u->id);
                a->fds[a->n_fds++] = p->fd;
                a->port_unit[a->n_unit_ports++] = u;
        }
        return 0;
}

/* Open the ports of every --unit, unit by unit. */
static int open_units_ports(Activator *a) {
        size_t n = 0;
        int *fds, r;

        for (size_t i = 0; i < a->n_units; i++)
                n += a->units[i]->socket->n_ports;
        if (n == 0)
                return 0;
        fds = realloc(a->fds, sizeof(int) * (a->n_fds + n));
        if (!fds)
                return log_oom();
        a->fds = fds;
        a->port_unit = new0(const UnitConfig *, n);
        if (!a->port_unit)
                return log_oom();
        for (size_t i = 0; i < a->n_units; i++) {
                r = open_unit_ports(a, a->units[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The name an fd has unless --fdname says otherwise: the inherited name,
 * the unit's FileDescriptorName=, or NULL for -l sockets. */
static const char *default_fd_name(const Activator *a, size_t i) {
        if (i < a->n_inherited)
                return a->names ? a->names[i] : NULL;
        if (i < a->n_inherited + a->n_unit_ports)
                return a->port_unit[i - a->n_inherited]->socket->fdname;
        return NULL;
}

static void log_listening(const Activator *a) {
        for (size_t i = 0; i < a->n_fds; i++) {
                union sockaddr_union sa;
                socklen_t l = sizeof sa;
                _cleanup_free_ char *s = NULL;

                if (getsockname(a->fds[i], &sa.sa, &l) >= 0)
                        (void) sockaddr_pretty(&sa.sa, l, false, &s);
                else {
                        /* A FIFO, special file or message queue of --unit. */
                        char link[64], target[4096];
                        ssize_t n;

                        snprintf(link, sizeof link, "/proc/self/fd/%d", a->fds[i]);
                        n = readlink(link, target, sizeof target - 1);
                        if (n > 0)
                                s = strndup(target, (size_t) n);
                }
                log_info("Listening on %s as %d.", strna(s), a->fds[i]);
        }
}

/* The reduced environment, without LISTEN_*. */
static int build_env(Activator *a) {
        for (size_t i = 0; i < ELEMENTSOF(passed_env); i++) {
                const char *v = strv_env_get(environ, passed_env[i]);
                _cleanup_free_ char *s = NULL;

                if (!v)
                        continue;
                s = strjoin(passed_env[i], "=", v);
                if (!s || strv_consume(&a->env, TAKE_PTR(s)) < 0)
                        return log_oom();
        }
        STRV_FOREACH(s, a->setenv)
                if (strv_env_set(&a->env, *s) < 0)
                        return log_oom();
        return 0;
}

/* The name of fd i in non-accept mode: --fdname (a single name repeated, a
 * count mismatch only warned about, as systemd does), else the inherited
 * and unit names with "unknown" for the -l sockets, else none. */
static int build_names(Activator *a, char ***ret) {
        size_t n_names = strv_length(a->fdnames);
        _cleanup_strv_free_ char **l = NULL;

        if (n_names > 0) {
                if (n_names != a->n_fds && n_names != 1)
                        log_warning("The number of fd names is different than number of fds: %zu vs %zu",
                                    n_names, a->n_fds);
                for (size_t i = 0; i < (n_names == 1 ? a->n_fds : n_names); i++)
                        if (strv_extend(&l, a->fdnames[n_names == 1 ? 0 : i]) < 0)
                                return log_oom();
        } else if (a->names || a->n_unit_ports > 0)
                for (size_t i = 0; i < a->n_fds; i++)
                        if (strv_extend(&l, default_fd_name(a, i) ?: "unknown") < 0)
                                return log_oom();
        *ret = TAKE_PTR(l);
        return 0;
}

static int exit_status_for_exec_error(int r) {
        return r == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

/* Non-accept mode: wait for traffic on any fd, then become the program. */
static int wait_and_exec(Activator *a) {
        _cleanup_strv_free_ char **names = NULL, **env = NULL;
        _cleanup_free_ struct pollfd *pfd = NULL;
        SpawnParams p = SPAWN_PARAMS_INIT;
        SpawnStep step;
        int r;

        /* Everything is prepared before waiting, so that traffic meets an
         * execve() and nothing else. */
        env = strv_copy(a->env);
        if (!env)
                return log_oom(), EXIT_FAILURE;
        p.path = a->exe;
        p.argv = a->argv;
        p.close_other_fds = true;
        if (a->inetd) {
                p.stdin_fd = p.stdout_fd = a->fds[0];
        } else {
                if (build_names(a, &names) < 0 || listen_fds_env(&env, a->n_fds, names) < 0)
                        return log_oom(), EXIT_FAILURE;
                p.fds = a->fds;
                p.n_fds = a->n_fds;
                p.listen_env = true;
        }
        p.envp = env;

        /* Our own sockets are non-blocking for us; the program gets them
         * blocking, as systemd-socket-activate creates them (NonBlocking=no). */
        for (size_t i = a->n_inherited; i < a->n_fds; i++)
                (void) fd_nonblock(a->fds[i], false);

        (void) sd_notify(false, "READY=1");
        if (!a->now) {
                pfd = new0(struct pollfd, a->n_fds);
                if (!pfd)
                        return log_oom(), EXIT_FAILURE;
                for (size_t i = 0; i < a->n_fds; i++)
                        pfd[i] = (struct pollfd) { .fd = a->fds[i], .events = POLLIN };
                while ((r = poll(pfd, a->n_fds, -1)) < 0)
                        if (errno != EINTR)
                                return log_error_errno(-errno, "poll() failed: %m"), EXIT_FAILURE;
                for (size_t i = 0; i < a->n_fds; i++)
                        if (pfd[i].revents)
                                log_info("Communication attempt on fd %d.", a->fds[i]);
        }

        log_info("Executing %s", a->exe);
        r = spawn_exec(&p, &step);
        log_error_errno(r, "Failed to execute '%s' (step %s): %m", a->exe, spawn_step_to_string(step));
        return step == SPAWN_STEP_EXEC ? exit_status_for_exec_error(r) : EXIT_FAILURE;
}

/* ---- accept mode ---- */

typedef struct Listener {
        int fd;
        SpawnTemplate *template;
        /* --unit: the options to apply to each connection, as systemd does
         * for Accept=yes (NULL for -l and inherited sockets) */
        const SocketOptions *connection_options;
        int family, protocol;
} Listener;

typedef struct AcceptLoop {
        Activator *a;
        Listener *listeners;
        size_t n_listeners;
        struct pollfd *pfd;   /* [0] = signalfd, [1 + i] = listener i */
        int signal_fd;
        unsigned n_children;
        bool paused;          /* after EMFILE: accept nothing for a moment */
} AcceptLoop;

static void accept_loop_done(AcceptLoop *l) {
        for (size_t i = 0; i < l->n_listeners; i++)
                spawn_template_free(l->listeners[i].template);
        free(l->listeners);
        free(l->pfd);
        safe_close(l->signal_fd);
}

/* The name of the connection accepted on fd i: --fdname (one name for all,
 * else by position), else the inherited name or the unit's
 * FileDescriptorName=, else "connection" as for an Accept=yes unit without
 * FileDescriptorName=. */
static const char *accept_name(const Activator *a, size_t i) {
        size_t n = strv_length(a->fdnames);

        if (n == 1)
                return a->fdnames[0];
        if (i < n)
                return a->fdnames[i];
        return default_fd_name(a, i) ?: "connection";
}

static int listener_prepare(AcceptLoop *l, size_t i) {
        Activator *a = l->a;
        _cleanup_strv_free_ char **env = NULL;
        static const int connection[] = { SPAWN_FD_CONNECTION };
        SpawnParams p = SPAWN_PARAMS_INIT;
        int r, v = 0;

        if (getsockopt_int(a->fds[i], SOL_SOCKET, SO_ACCEPTCONN, &v) < 0 || !v)
                return log_error_errno(-EINVAL, "fd %d is not a listening stream or seqpacket socket, "
                                       "which --accept needs.", a->fds[i]);
        /* Non-blocking for us: poll() says when, accept4() never hangs on a
         * connection another process took first. */
        r = fd_nonblock(a->fds[i], true);
        if (r < 0)
                return log_error_errno(r, "Failed to make fd %d non-blocking: %m", a->fds[i]);

        env = strv_copy(a->env);
        if (!env)
                return log_oom();
        p.path = a->exe;
        p.argv = a->argv;
        p.remote_env = true;
        p.close_other_fds = true;
        p.parent_death_signal = SIGTERM; /* as systemd-socket-activate's children */
        if (a->inetd)
                p.stdin_fd = p.stdout_fd = SPAWN_FD_CONNECTION;
        else {
                char *names[] = { (char *) accept_name(a, i), NULL };
                if (listen_fds_env(&env, 1, names) < 0)
                        return log_oom();
                p.fds = connection;
                p.n_fds = 1;
                p.listen_env = true;
        }
        p.envp = env;

        l->listeners[i].fd = a->fds[i];
        l->listeners[i].family = socket_get_family(a->fds[i]);
        (void) getsockopt_int(a->fds[i], SOL_SOCKET, SO_PROTOCOL, &l->listeners[i].protocol);
        if (i >= a->n_inherited && i < a->n_inherited + a->n_unit_ports)
                l->listeners[i].connection_options = &a->port_unit[i - a->n_inherited]->socket->options;
        r = spawn_template_new(&p, &l->listeners[i].template);
        if (r < 0)
                return log_error_errno(r, "Failed to prepare '%s': %m", a->exe);
        return 0;
}

static int accept_loop_init(AcceptLoop *l, Activator *a) {
        sigset_t mask;
        int r;

        *l = (AcceptLoop) { .a = a, .signal_fd = -EBADF };

        /* A parent may have left SIGCHLD ignored, which makes the kernel
         * reap children behind our back and breaks --max-connections: take
         * it back before the first child exists. */
        if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
                return log_error_errno(-errno, "Failed to reset SIGCHLD: %m");
        l->listeners = new0(Listener, a->n_fds);
        l->pfd = new0(struct pollfd, a->n_fds + 1);
        if (!l->listeners || !l->pfd)
                return log_oom();
        l->n_listeners = a->n_fds;
        for (size_t i = 0; i < a->n_fds; i++) {
                r = listener_prepare(l, i);
                if (r < 0)
                        return r;
                l->pfd[1 + i] = (struct pollfd) { .fd = a->fds[i], .events = POLLIN };
        }

        /* SIGCHLD stays blocked and arrives through the signalfd: a child
         * that exits at any moment is noticed by the next poll(). */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block SIGCHLD: %m");
        l->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (l->signal_fd < 0)
                return log_error_errno(-errno, "Failed to create signalfd: %m");
        l->pfd[0] = (struct pollfd) { .fd = l->signal_fd, .events = POLLIN };
        return 0;
}

static void reap_children(AcceptLoop *l) {
        struct signalfd_siginfo buf[16];
        siginfo_t si;

        while (read(l->signal_fd, buf, sizeof buf) > 0)
                ;
        while (spawn_reap_one(&si) > 0) {
                if (l->n_children > 0)
                        l->n_children--;
                log_debug("Child %d exited with status %d.", (int) si.si_pid, spawn_exit_status(&si));
        }
}

/* On an MPTCP listener, whether this client spoke MPTCP or fell back to
 * TCP: the service cannot tell the difference, so -v says it.  The status is
 * read from the accepted socket before it is closed here. */
static void log_connection(const Listener *li, int cfd, const struct sockaddr *sa, socklen_t len, pid_t pid) {
        _cleanup_free_ char *peer = NULL;
        const char *transport = NULL;

        if (li->protocol == IPPROTO_MPTCP) {
                int r = socket_mptcp_status_accepted(cfd, li->protocol);
                transport = r >= 0 ? socket_mptcp_status_to_string(r) : NULL;
        }
        (void) sockaddr_pretty(sa, len, true, &peer);
        log_debug("Connection from %s on fd %d%s%s%s: started PID %d.", strna(peer), li->fd,
                  transport ? " (" : "", strempty(transport), transport ? ")" : "", (int) pid);
}

/* accept() errors after which the next connection may well work. */
static bool accept_error_is_transient(int e) {
        return e == EINTR || e == ECONNABORTED || e == EPROTO || e == EPERM || e == ENETDOWN ||
                e == ENOPROTOOPT || e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH ||
                e == EOPNOTSUPP || e == ENETUNREACH || e == ETIMEDOUT;
}

/* Take up to ACCEPT_BATCH connections from listener i.  Returns 0, or a
 * negative errno when the listener itself is broken. */
static int accept_some(AcceptLoop *l, size_t i) {
        Listener *li = &l->listeners[i];

        for (int k = 0; k < ACCEPT_BATCH; k++) {
                union sockaddr_union sa;
                socklen_t len = sizeof sa;
                SpawnStep step;
                pid_t pid;
                int cfd, r;

                if (l->a->max_connections > 0 && l->n_children >= l->a->max_connections)
                        return 0;
                cfd = accept4(li->fd, &sa.sa, &len, SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EAGAIN || accept_error_is_transient(errno))
                                return 0;
                        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                                log_warning_errno(-errno, "Failed to accept a connection on fd %d, "
                                                  "pausing for %d ms: %m", li->fd, ACCEPT_PAUSE_MSEC);
                                l->paused = true;
                                return 0;
                        }
                        return log_error_errno(-errno, "Failed to accept a connection on fd %d: %m", li->fd);
                }

                if (li->connection_options)
                        (void) socket_options_apply_post_listen(li->connection_options, cfd, li->family,
                                                                li->protocol, NULL, NULL);
                r = spawn_template_spawn(li->template, cfd, &sa.sa, len, &pid, &step);
                if (r < 0)
                        log_error_errno(r, "Failed to start '%s' for a connection on fd %d (step %s): %m",
                                        l->a->exe, li->fd, spawn_step_to_string(step));
                else {
                        l->n_children++;
                        if (log_get_max_level() >= LOG_DEBUG)
                                log_connection(li, cfd, &sa.sa, len, pid);
                }
                safe_close(cfd);
        }
        return 0;
}

static int accept_loop_run(AcceptLoop *l) {
        for (;;) {
                bool full = l->a->max_connections > 0 && l->n_children >= l->a->max_connections;
                bool listen = !full && !l->paused;
                int r;

                for (size_t i = 0; i < l->n_listeners; i++)
                        l->pfd[1 + i].events = listen ? POLLIN : 0;
                r = poll(l->pfd, l->n_listeners + 1, l->paused ? ACCEPT_PAUSE_MSEC : -1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "poll() failed: %m");
                }
                l->paused = false;
                if (l->pfd[0].revents)
                        reap_children(l);
                for (size_t i = 0; i < l->n_listeners; i++) {
                        if (!(l->pfd[1 + i].revents & (POLLIN | POLLERR | POLLHUP)))
                                continue;
                        if (l->pfd[1 + i].revents & POLLNVAL)
                                return log_error_errno(-EBADF, "Listening fd %d went away.", l->listeners[i].fd);
                        r = accept_some(l, i);
                        if (r < 0)
                                return r;
                }
        }
}

static int run_accept(Activator *a) {
        AcceptLoop l;
        int r;

        r = accept_loop_init(&l, a);
        if (r >= 0) {
                (void) sd_notify(false, "READY=1");
                r = accept_loop_run(&l);
        }
        accept_loop_done(&l);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int run(int argc, char *argv[]) {
        _cleanup_(activator_done) Activator a = { .socket_type = SOCK_STREAM };
        int r;

        log_set_prefix(program_invocation_short_name);
        r = parse_argv(&a, argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        /* Find the program before listening: a typo fails at once. */
        r = spawn_find_executable(a.argv[0], &a.exe);
        if (r == -ENOMEM)
                return log_oom(), EXIT_FAILURE;
        if (r < 0)
                return log_error_errno(r, "Cannot run '%s': %m", a.argv[0]), exit_status_for_exec_error(r);

        if (parse_listeners(&a) < 0 || load_units(&a) < 0)
                return EXIT_USAGE;
        if (take_inherited_fds(&a) < 0 || open_units_ports(&a) < 0 || open_listeners(&a) < 0)
                return EXIT_FAILURE;
        if (a.n_fds == 0)
                return log_error_errno(-EINVAL, "No sockets to listen on: use -l/--listen, --unit, "
                                       "or start porter-activate with LISTEN_FDS."), EXIT_USAGE;
        log_listening(&a);
        if (build_env(&a) < 0)
                return EXIT_FAILURE;

        if (a.accept)
                return run_accept(&a);
        if (a.inetd && a.n_fds != 1)
                return log_error_errno(-EINVAL, "--inetd only supported with a single file descriptor, "
                                       "or with --accept."), EXIT_USAGE;

        return wait_and_exec(&a);
}

int main(int argc, char *argv[]) {
        return run(argc, argv);
}
