/* SPDX-License-Identifier: MIT */
/* porterd: the socket-activation manager.  A thin main() over src/core:
 * parse the command line, build the Manager, start the enabled socket units
 * and run the event loop until SIGTERM/SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log-journal.h"
#include "log.h"
#include "manager-bus.h"
#include "manager-serialize.h"
#include "manager.h"
#include "notify.h"
#include "porter-config.h"
#include "strv.h"

typedef struct Options {
        ManagerScope scope;
        bool scope_set;
        char **unit_path;
        char **start;
        int log_level;
        LogTarget log_target;
        int deserialize_fd;     /* --deserialize=FD (internal: daemon-reexec) */
} Options;

static void options_done(Options *o) {
        strv_free(o->unit_path);
        strv_free(o->start);
}

static void help(void) {
        printf("porterd [--system|--user] [--unit-path DIR]... [--start UNIT]...\n\n"
               "Run socket units: hold their listening sockets and start services on demand.\n\n"
               "  -h --help             Show this help\n"
               "     --version          Show the version\n"
               "     --system           Run the system manager (default as root)\n"
               "     --user             Run the manager of the calling user\n"
               "     --unit-path DIR    Look for units only in DIR (repeatable; replaces the\n"
               "                        default search path)\n"
               "     --start UNIT       Also start UNIT (repeatable)\n"
               "     --log-level LEVEL  err, warning, notice, info (default) or debug\n"
               "     --log-target TARGET  auto (default: journald if its socket exists, else\n"
               "                        stderr), journal or console; also $PORTER_LOG_TARGET\n"
               "     --deserialize=FD   Internal: state passed on by daemon-reexec\n");
}

static int parse_log_level(const char *s) {
        static const struct { const char *name; int level; } table[] = {
                { "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
                { "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
                { "info", LOG_INFO }, { "debug", LOG_DEBUG },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(table[i].name, s) == 0)
                        return table[i].level;
        return -EINVAL;
}

/* Returns 1 to go on, 0 to exit successfully (--help), -errno on error. */
static int parse_argv(int argc, char *argv[], Options *o) {
        enum { ARG_VERSION = 0x100, ARG_SYSTEM, ARG_USER, ARG_UNIT_PATH, ARG_START, ARG_LOG_LEVEL, ARG_LOG_TARGET,
               ARG_DESERIALIZE };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "version",   no_argument,       NULL, ARG_VERSION   },
                { "system",    no_argument,       NULL, ARG_SYSTEM    },
                { "user",      no_argument,       NULL, ARG_USER      },
                { "unit-path", required_argument, NULL, ARG_UNIT_PATH },
                { "start",     required_argument, NULL, ARG_START     },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "deserialize", required_argument, NULL, ARG_DESERIALIZE },
                {}
        };
        int c;

        o->deserialize_fd = -EBADF;
        o->log_level = LOG_INFO;
        o->log_target = getenv("PORTER_LOG_TARGET") ? log_target_from_string(getenv("PORTER_LOG_TARGET")) :
                                                      LOG_TARGET_AUTO;
        if (o->log_target < 0)
                return log_error_errno(-EINVAL, "Unknown $PORTER_LOG_TARGET '%s'.", getenv("PORTER_LOG_TARGET"));
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("porterd %s\n", PORTER_VERSION);
                        return 0;
                case ARG_SYSTEM:
                case ARG_USER:
                        o->scope = c == ARG_USER ? MANAGER_USER : MANAGER_SYSTEM;
                        o->scope_set = true;
                        break;
                case ARG_UNIT_PATH:
                        if (strv_extend(&o->unit_path, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_START:
                        if (strv_extend(&o->start, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_LOG_LEVEL:
                        o->log_level = parse_log_level(optarg);
                        if (o->log_level < 0)
                                return log_error_errno(-EINVAL, "Unknown log level '%s'.", optarg);
                        break;
                case ARG_LOG_TARGET:
                        o->log_target = log_target_from_string(optarg);
                        if (o->log_target < 0)
                                return log_error_errno(-EINVAL, "Unknown log target '%s'.", optarg);
                        break;
                case ARG_DESERIALIZE: {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (end == optarg || *end || v < 3 || v > INT32_MAX)
                                return log_error_errno(-EINVAL, "Invalid --deserialize= fd '%s'.", optarg);
                        o->deserialize_fd = (int) v;
                        break;
                }
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);
        if (!o->scope_set)
                o->scope = geteuid() == 0 ? MANAGER_SYSTEM : MANAGER_USER;
        return 1;
}

/* As systemd does for itself: the soft fd limit up to the hard one, since
 * every socket unit holds at least one fd (10,000 units need 10,000 fds, far
 * above the usual soft limit of 1024).  Services get the original limit
 * back (Manager.service_nofile).  Failure is not fatal: porterd then runs
 * out of fds later, per unit, with an error each. */
static void raise_nofile_limit(Manager *m) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        m->service_nofile = rl;
        if (rl.rlim_cur == rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_debug_errno(errno, "Failed to raise the fd limit to %llu: %m",
                                (unsigned long long) rl.rlim_max);
}

static int run(int argc, char *argv[]) {
        _cleanup_manager_free_ Manager *m = NULL;
        _cleanup_(serialization_done) Serialization ser = SERIALIZATION_NULL;
        Options o = {};
        int r;

        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                goto finish;
        log_set_max_level(o.log_level);
        (void) log_journal_setup(o.log_target);

        r = manager_new(o.scope, NULL, &m);
        if (r < 0) {
                log_error_errno(r, "Failed to create the manager: %m");
                goto finish;
        }
        /* First, before anything else opens an fd: what an outer activator
         * (porter-activate, systemd) passed us. */
        (void) manager_collect_inherited_fds(m);
        raise_nofile_limit(m);
        /* Then what the porterd before a daemon-reexec passed on (with the
         * fd limit services get: ours is raised already). */
        if (o.deserialize_fd >= 0) {
                r = manager_deserialize(m, o.deserialize_fd, &ser);
                if (r < 0)
                        goto finish;
        }
        r = manager_init_lookup(m, o.unit_path);
        /* The control socket first: it refuses to start a second porterd
         * on the same runtime directory before anything else is touched. */
        if (r >= 0)
                r = manager_setup_control(m);
        if (r >= 0)
                r = manager_setup_signals(m);
        if (r >= 0)
                r = manager_setup_notify(m);
        if (r < 0)
                goto finish;

        log_info("porterd %s running as %s manager (pid %d).", PORTER_VERSION,
                 o.scope == MANAGER_USER ? "user" : "system", (int) getpid());
        (void) manager_startup(m, o.start);
        if (o.deserialize_fd >= 0)
                (void) manager_deserialize_apply(m, &ser);
        serialization_done(&ser);
        manager_close_unused_inherited_fds(m);
        r = manager_run(m);
finish:
        options_done(&o);
        return r;
}

int main(int argc, char *argv[]) {
        log_set_prefix("porterd");
        int r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : r;
}
