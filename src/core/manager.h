/* SPDX-License-Identifier: MIT */
#pragma once

/* Manager: the one object porterd runs.  It owns the sd-event loop, every
 * unit, the notify socket, and the seam (ManagerOps) through which units
 * start and signal processes.  There is no other global state. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <systemd/sd-event.h>

#include "manager-ops.h"
#include "socket-address.h"
#include "specifier.h"
#include "unit-path.h"
#include "unit.h"

typedef struct ControlClient ControlClient;

typedef enum ManagerScope {
        MANAGER_SYSTEM,
        MANAGER_USER,
} ManagerScope;

/* porterd's exit status after SIGTERM/SIGINT (1 is a start-up failure). */
enum {
        MANAGER_EXIT_CLEAN = 0,         /* every unit stopped cleanly */
        MANAGER_EXIT_UNCLEAN = 2,       /* a unit failed while stopping (SIGKILL, ExecStop=, exit code) */
        MANAGER_EXIT_TIMEOUT = 3,       /* units still active after three minutes */
};

struct Manager {
        sd_event *event;
        const ManagerOps *ops;
        void *ops_userdata;             /* for test seams */
        ManagerScope scope;
        LookupPaths lookup_paths;       /* search directories (--unit-path first) */
        SpecifierContext specifier_ctx; /* the manager's part of %-specifiers */
        char *runtime_dir;              /* /run or $XDG_RUNTIME_DIR */

        char *notify_socket_path;       /* NOTIFY_SOCKET handed to services */
        int notify_fd;
        sd_event_source *notify_source;

        /* units by id: open addressing, linear probing, at most half
         * full; a linear search of 20,000 ids per load made start-up
         * quadratic (docs/PERFORMANCE.md, "Scale"). */
        struct { Unit **slots; size_t size, n; } unit_index;
        /* RLIMIT_NOFILE services get when they set no LimitNOFILE=:
         * porterd's own limit before it raised its soft limit to hold
         * thousands of listeners (rlim_max == 0: leave theirs alone). */
        struct rlimit service_nofile;
        Unit *units;                    /* in load order */
        Unit *units_tail;
        unsigned n_units;
        unsigned start_seq;
        uint32_t last_job_id;           /* job.h: ids of new jobs count up from 1 */
        unsigned n_jobs;                /* pending jobs */
        Job *jobs;                      /* job.c: the pending jobs, in the order queued */
        Job *jobs_tail;
        unsigned n_waiting_jobs;        /* of those, waiting for ordering */
        struct libmnt_monitor *mount_monitor;   /* mount-wait.h: on while a unit waits */
        sd_event_source *mount_source;
        /* mount-wait.c: fstab and the mount table, parsed at most once per
         * event-loop iteration (a start pass of many units shares them). */
        struct libmnt_table *mount_fstab, *mount_mounted;
        uint64_t mount_tables_iteration;
        bool mount_tables_valid;

        char **environment;             /* base environment of every service */
        UnitConfig **retired_configs;   /* replaced by daemon-reload; freed with the manager */
        size_t n_retired_configs;
        int *inherited_fds;             /* LISTEN_FDS handed to porterd itself; -EBADF once taken */
        size_t n_inherited_fds;
        bool reap_orphans;              /* PID 1 or subreaper: waitid(P_ALL) on SIGCHLD */
        bool exiting;                   /* SIGTERM/SIGINT received: stopping all */
        bool checking_shutdown;         /* manager_check_shutdown_done() is on the stack */
        struct StopOrder *stop_order;   /* unit-dependency.h: the shutdown's stops */
        unsigned n_sockets_with_service_setting;       /* Accept=no sockets with Service= (unit.c) */
        unsigned n_deferred_sockets;    /* socket units in state 'deferred' (DeferTrigger=) */
        sd_event_source *deferred_retry_source;
        sd_event_source *gc_source;
        Unit *dispatching_child;        /* unit whose child exit is being handled */

        int control_fd;                 /* <runtime>/porter/private (manager-bus.h) */
        char *control_path;
        sd_event_source *control_source;
        ControlClient *clients;
        unsigned n_clients;
        sd_event_source *client_gc_source;
        sd_event_source *sigchld_source;
        sd_event_source *shutdown_timer;
        int exit_code;
};

/* A manager with a new sd-event loop (signals are not hooked up yet: see
 * manager_setup_signals()).  ops NULL means manager_ops_real. */
int manager_new(ManagerScope scope, const ManagerOps *ops, Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}
#define _cleanup_manager_free_ _cleanup_(manager_freep)

/* Fill the unit search path for the manager's scope (dirs, when not empty,
 * replace it: porterd --unit-path) and the specifier context. */
int manager_init_lookup(Manager *m, char * const *dirs);

/* Scan the unit search path once for the loads that follow (unit-file.h,
 * UnitFileCache): at start-up and by daemon-reload.  On failure loads
 * scan by themselves; logged, never fatal. */
void manager_scan_unit_files(Manager *m);

/* The unit named id if loaded, else NULL. */
Unit *manager_get_unit(Manager *m, const char *id);
/* Add u to / remove it from the index manager_get_unit() searches; for
 * unit_new() and unit_free() only.  manager_index_unit(): 0 or -ENOMEM. */
int manager_index_unit(Manager *m, Unit *u);
void manager_unindex_unit(Manager *m, Unit *u);

/* Load the unit named id (or return it if loaded).  A unit that fails to
 * load is still returned, with its load state, so that it can be reported;
 * the return value is then the load error.  Only -ENOMEM and invalid names
 * return no unit. */
int manager_load_unit(Manager *m, const char *id, Unit **ret);

/* Does the Accept=yes template template_id use its instance name (%i, ...)
 * in anything porterd needs to start it?  Then instances are loaded one by
 * one instead of sharing a prepared spawn template. */
bool manager_template_uses_instance(Manager *m, const char *template_id);

/* Load the config of one Accept=yes instance (its own specifiers) without
 * creating a unit.  Returns 0, or -errno if it does not load cleanly. */
int manager_load_instance_config(Manager *m, const char *id, UnitConfig **ret);

/* Take the sockets an outer activator passed to porterd itself
 * (sd_listen_fds(), environment unset).  Socket units adopt those whose
 * address they listen on instead of binding again.  Returns how many. */
int manager_collect_inherited_fds(Manager *m);

/* The inherited fd listening on exactly a (ownership moves to the caller),
 * or -ENOENT. */
int manager_take_inherited_fd(Manager *m, const SocketAddress *a);

/* Close the inherited fds no unit adopted (after start-up), logging each. */
void manager_close_unused_inherited_fds(Manager *m);

/* daemon-reload: read every loaded unit's files again.  Services take the
 * new settings at their next start; socket units whose listeners did not
 * change keep their open fds (no connection is refused meanwhile); an
 * active socket unit whose listeners changed keeps its old settings until
 * it is restarted.  Returns the number of units reloaded. */
int manager_reload(Manager *m);

/* Hook SIGTERM/SIGINT/SIGRTMIN+3 (stop everything and exit) and SIGCHLD
 * (reaping orphans when PID 1) into the loop; block them for the process. */
int manager_setup_signals(Manager *m);

/* Start the enabled socket units (sockets.target.wants in the search path)
 * and the ones named in start (a strv, may be NULL).  Units that fail to
 * load or start are logged; returns the number started. */
int manager_startup(Manager *m, char * const *start);

/* Stop all units in reverse start order, then exit the loop once none is
 * active (MANAGER_EXIT_*), or after three minutes regardless. */
void manager_begin_shutdown(Manager *m);

/* Become a child subreaper (unless PID 1) and reap orphans on SIGCHLD:
 * done for PID 1 and once a Type=forking service is loaded.  0 or -errno. */
int manager_enable_orphan_reaping(Manager *m);

/* Run the loop until it exits; returns the exit code. */
int manager_run(Manager *m);

/* Exit when all units are inactive, if the manager is exiting. */
void manager_check_shutdown_done(Manager *m);

/* Called by units whenever they enter an inactive or failed state: while
 * the manager is exiting, a unit that fails (SIGKILL after its stop
 * timeout, failed stop commands, error exit) makes porterd exit with
 * MANAGER_EXIT_UNCLEAN; then checks whether the shutdown is done. */
void manager_unit_inactive(Manager *m, Unit *u);

/* Queue u to be freed once it is inactive and nobody needs it (Accept=yes
 * instances).  Freeing happens later, from the loop (or
 * manager_dispatch_gc()), never under the caller's feet. */
void manager_gc_unit(Manager *m, Unit *u);

/* A watched process of u exited: tell the unit, then free it at once if
 * it is an Accept=yes instance that is done (the seam calls this). */
void manager_child_exited(Manager *m, Unit *u, pid_t pid, int code, int status);

/* Free the queued units that are inactive now. */
void manager_dispatch_gc(Manager *m);
