/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit: what every unit the manager runs has in common.  A SocketUnit or
 * ServiceUnit embeds a Unit as its first member; type-specific behaviour goes
 * through the UnitVTable of its type.  Units live in the Manager's list in
 * load order; porterd stops them in reverse start order. */

#include <stdbool.h>
#include <sys/types.h>

#include "manager-ops.h"
#include "ratelimit.h"
#include "unit-config.h"
#include "unit-log.h"

typedef struct sd_event_source sd_event_source;
typedef struct Job Job;
typedef struct UnitOutput UnitOutput;
typedef struct ExecPrepared ExecPrepared;

typedef enum UnitActiveState {
        UNIT_ACTIVE,
        UNIT_RELOADING,
        UNIT_INACTIVE,
        UNIT_FAILED,
        UNIT_ACTIVATING,
        UNIT_DEACTIVATING,
        UNIT_MAINTENANCE,
        _UNIT_ACTIVE_STATE_MAX,
        _UNIT_ACTIVE_STATE_INVALID = -EINVAL,
} UnitActiveState;

/* "active", "reloading", "inactive", "failed", "activating",
 * "deactivating", "maintenance". */
const char *unit_active_state_to_string(UnitActiveState s) _const_;
UnitActiveState unit_active_state_from_string(const char *s) _pure_;

static inline bool UNIT_IS_INACTIVE_OR_FAILED(UnitActiveState s) {
        return s == UNIT_INACTIVE || s == UNIT_FAILED;
}

typedef struct UnitVTable {
        size_t object_size;
        /* Release what the type part owns (not the Unit itself). */
        void (*done)(Unit *u);
        /* Start/stop requests: 0 when accepted or already there, -errno when
         * refused (-EBUSY, -ENOENT, -ECANCELED for the start limit, ...). */
        int (*start)(Unit *u);
        int (*stop)(Unit *u);
        UnitActiveState (*active_state)(const Unit *u);
        const char *(*sub_state)(const Unit *u);
        const char *(*result)(const Unit *u);
        /* A watched process of this unit exited (si_code/si_status of waitid). */
        void (*process_exited)(Unit *u, pid_t pid, int code, int status);
        /* The unit's timer fired. */
        void (*timer_fired)(Unit *u);
        /* Another unit this one triggers changed state. */
        void (*trigger_notify)(Unit *u, Unit *other);
        /* Forget the failed state and its result (reset-failed). */
        void (*reset_failed)(Unit *u);
        /* Reload an active unit (ExecReload=); NULL when the type cannot.
         * can_reload says whether this unit can (it has ExecReload=). */
        int (*reload)(Unit *u);
        bool (*can_reload)(Unit *u);
} UnitVTable;

struct Unit {
        Manager *manager;
        const UnitVTable *vtable;
        char *id;
        UnitType type;
        UnitConfig *config;             /* owned; NULL only in tests that set fields by hand */
        UnitLogRing log_ring;
        RateLimit start_limit;
        Job *job;                       /* the pending job (job.h), or NULL */
        UnitOutput *outputs;            /* pipes of its processes' output (unit-output.h) */
        char *waiting_for_mount;        /* start pending until this is mounted (mount-wait.h) */
        bool reload_failed;             /* the last reload failed (the type code sets it) */
        bool ordered_deps_started;      /* during a job's unit_start(): its After= dependencies
                                         * were started (and settled) by their own jobs */
        /* CLOCK_REALTIME of the changes of the active state, 0 = never
         * (systemd's ActiveEnterTimestamp= and friends), kept by
         * unit_notify_state(). */
        UnitActiveState last_active_state;
        usec_t state_change_timestamp;
        usec_t active_enter_timestamp, active_exit_timestamp;
        usec_t inactive_enter_timestamp, inactive_exit_timestamp;
        /* The same moments in CLOCK_MONOTONIC (*TimestampMonotonic=). */
        usec_t state_change_monotonic, active_enter_monotonic, active_exit_monotonic;
        usec_t inactive_enter_monotonic, inactive_exit_monotonic;

        sd_event_source *timer_source;
        usec_t timer_deadline;          /* CLOCK_MONOTONIC, USEC_INFINITY when disarmed */

        unsigned start_seq;             /* order of the last start, for reverse stop */
        bool perpetual;                 /* not garbage-collected when inactive */
        bool in_gc;                     /* being freed */
        bool gc_queued;                 /* free once inactive (manager_gc_unit) */
        bool starting_dependencies;     /* guards dependency cycles (unit-dependency.c) */
        Unit *next, *prev;
};

/* Allocate a unit of the given vtable's type, named id, add it to m.
 * config may be NULL (tests); ownership of config moves to the unit. */
int unit_new(Manager *m, const UnitVTable *vtable, const char *id, UnitConfig *config, Unit **ret);

/* Remove from the manager and free.  NULL-safe; returns NULL. */
Unit *unit_free(Unit *u);

int unit_start(Unit *u);
int unit_stop(Unit *u);
UnitActiveState unit_active_state(const Unit *u);
const char *unit_sub_state(const Unit *u);
const char *unit_result(const Unit *u);
void unit_reset_failed(Unit *u);

/* Count a start against StartLimitIntervalSec=/StartLimitBurst=.  Returns
 * 0, or -ECANCELED when the limit is hit (logged). */
int unit_test_start_limit(Unit *u);

/* The type code changed u's state: note the time the active state
 * changed, and let u's pending job (job.h) look at the new state.  Called
 * by the type code after every state change. */
void unit_notify_state(Unit *u);

/* Tell every unit that triggers u (sockets of a service) that u changed
 * state.  Called by the type code after each state change. */
void unit_notify_triggering(Unit *u);

/* Arm the unit's single timer `usec` from now (USEC_INFINITY disarms). */
int unit_arm_timer(Unit *u, usec_t usec);
void unit_disarm_timer(Unit *u);

/* Start a process for the unit through the manager's seam and watch it. */
int unit_spawn(Unit *u, const SpawnParams *p, UnitProcess *ret);
/* unit_spawn() of a prepared command, then watch its output pipe if it has
 * one (ExecExtra.capture_output). */
int unit_spawn_prepared(Unit *u, ExecPrepared *p, UnitProcess *ret);
/* Prepare command c in context ec (execute.h) and spawn it as a control
 * process (no LISTEN_* unless fds are given).  Its journal/syslog output
 * is read into the unit's log (unit-output.h).  Logs failures. */
/* The same without fds and with extra environment (MAINPID=, ...). */
int unit_spawn_command_env(Unit *u, const ExecCommand *c, const ExecContext *ec, char * const *extra_env,
                           UnitProcess *ret);
int unit_spawn_command(Unit *u, const ExecCommand *c, const ExecContext *ec, const int *fds,
                       size_t n_fds, UnitProcess *ret);
/* exec_resolve_user_group() with a logged error. */
int unit_resolve_user_group(Unit *u, const char *user, const char *group, uid_t *uid, gid_t *gid);
/* Signal a process of the unit through the seam (followed by SIGCONT);
 * with whole_group its process group too (every service runs setsid, so
 * that stands in for systemd's control group). */
int unit_kill_process(Unit *u, const UnitProcess *p, int sig, bool whole_group);

/* Called by the seam when a watched process exits. */
void unit_process_exited(Unit *u, pid_t pid, int code, int status);
/* Called when the unit's timer fires (the real timer source, or tests). */
void unit_timer_fired(Unit *u);

/* The "exit-code"/"signal"/"core-dump" classification of a waitid()
 * result: true if it counts as a clean exit for success_status. */
bool unit_exit_is_clean(int code, int status, bool clean_signals, const ExitStatusSet *success);
