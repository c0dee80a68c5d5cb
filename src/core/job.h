/* SPDX-License-Identifier: MIT */
#pragma once

/* Jobs: the requests porterctl and the bus make of a unit, as systemd's
 * job.c has them, kept small.  A job has a manager-wide id (its bus object
 * is /org/freedesktop/systemd1/job/<id>), a type, and ends with one result
 * that the JobRemoved(u id, o job, s unit, s result) signal carries.
 *
 * Each unit has at most one pending job.  A new request for a unit that has
 * one:
 *   same type          is merged: the caller gets the pending job;
 *   another type       JOB_REPLACE cancels the pending one (result
 *                      "canceled") and installs the new one; JOB_FAIL
 *                      refuses with -EBUSY (systemd's "transaction is
 *                      destructive").
 *
 * A job runs at once, then waits for its unit to settle.  Ordering is the
 * part of systemd's transactions kept (unit_is_ordered_after(): After=,
 * Before=, a socket before its service):
 *   start    a start job first queues start jobs for the units it
 *            Requires=/BindsTo=/Wants= and is After=, and waits while any
 *            unit it is After= is activating or has a start job pending,
 *            and while a unit ordered Before= it has a pending start job;
 *            if one it Requires=/BindsTo= then failed, the job ends
 *            "dependency" without starting its unit.  (Requires= without
 *            After= starts both side by side, as in systemd.)
 *   stop     the mirror: a stop job first queues stop jobs for the active
 *            units that Requires=/BindsTo=/PartOf= its unit, and waits
 *            while a unit ordered after its unit has a stop job and is not
 *            down yet: "b After=a" stops b first, a once b is inactive.
 * A job does not wait for one that waits (through others) for it: an
 * ordering cycle is broken instead of hanging.  Separate requests are separate
 * transactions, as in systemd: only the jobs pending at the time are
 * ordered (job_enqueue_start_all() installs several before running any).
 * The
 * unit's type code calls job_unit_changed() on each state change; the
 * verdict is taken from a deferred event source so that the bus reply to
 * StartUnit always goes out before JobRemoved:
 *
 *   start    active/reloading -> done; inactive after a clean run (a
 *            oneshot, or a failed Condition*=) -> done; failed -> failed;
 *            the start refused because a Requires=/BindsTo= dependency
 *            failed -> dependency; an Assert*= failed -> assert
 *   stop     inactive or failed -> done
 *   restart  a stop phase as above, then a start phase
 *   try-restart  a restart if the unit is active or activating; else
 *            done at once without touching the unit (systemd's JOB_NOP)
 *   reload   only for units that can reload: an inactive unit -> skipped
 *   any      JobTimeoutSec= passed (job_set_timeout) -> timeout; replaced
 *            or its unit freed -> canceled */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef struct Manager Manager;
typedef struct Unit Unit;
typedef struct sd_event_source sd_event_source;

typedef enum JobType {
        JOB_START,
        JOB_STOP,
        JOB_RESTART,
        JOB_RELOAD,
        JOB_TRY_RESTART,        /* only asked for: becomes JOB_RESTART, or nothing */
        _JOB_TYPE_MAX,
        _JOB_TYPE_INVALID = -EINVAL,
} JobType;

typedef enum JobMode {
        JOB_FAIL,
        JOB_REPLACE,
        JOB_LENIENT,            /* v258: refuse (-EBUSY) instead of replacing a job or stopping
                                 * a conflicting unit (DeferTrigger=, spec §5.4) */
        _JOB_MODE_MAX,
        _JOB_MODE_INVALID = -EINVAL,
} JobMode;

typedef enum JobResult {
        JOB_DONE,
        JOB_CANCELED,
        JOB_TIMEOUT,
        JOB_FAILED,
        JOB_DEPENDENCY,
        JOB_SKIPPED,
        JOB_ASSERT,
        _JOB_RESULT_MAX,
        _JOB_RESULT_INVALID = -EINVAL,
} JobResult;

typedef struct Job {
        Manager *manager;
        Unit *unit;
        uint32_t id;
        JobType type;
        bool stop_phase;        /* restart: still waiting for the unit to stop */
        bool retry_start;       /* the unit was stopping: start once it is down */
        bool waiting_ordering;  /* start: units it is after are still starting;
                                 * stop: units after it are still stopping */
        bool finished;
        bool skip_before_scan;  /* queued together: no pending job is ordered Before= it */
        uint32_t blocked_by;    /* waiting_ordering: the job waited for, 0 = a unit's state */
        struct Job *queue_next, *queue_prev;    /* Manager.jobs */
        int deferred_result;    /* a JobResult known at once, or -1 */
        sd_event_source *check_source;  /* deferred verdict */
        sd_event_source *timer_source;  /* JobTimeoutSec= */
} Job;

/* "start", "stop", "restart", "reload", "try-restart". */
const char *job_type_to_string(JobType t) _const_;
JobType job_type_from_string(const char *s) _pure_;
/* "fail", "replace", "lenient".  from_string also takes "replace-irreversibly" (as
 * replace: porterd has no irreversible jobs).  Anything else -EINVAL. */
const char *job_mode_to_string(JobMode m) _const_;
JobMode job_mode_from_string(const char *s) _pure_;
/* "done", "canceled", "timeout", "failed", "dependency", "skipped", "assert". */
const char *job_result_to_string(JobResult r) _const_;

/* Create (or merge into) the job of type t for u, by mode, and run it.
 * Returns 0 with *ret set (owned by the unit, freed when it finishes), or
 * -EBUSY (JOB_FAIL and a conflicting job; JOB_LENIENT and a conflicting
 * job, or a start that would stop a Conflicts= unit), -EOPNOTSUPP (reload of a unit
 * that cannot reload), -ENOMEM. */
int job_enqueue(Unit *u, JobType t, JobMode mode, Job **ret);

/* Queue start jobs (JOB_REPLACE) for all n units, every job installed
 * before any runs, so that ordering between them holds whatever their
 * order in the list (porterd --start).  Logs the units whose start is
 * refused at once or that failed at once; returns how many did not. */
int job_enqueue_start_all(Manager *m, Unit * const *units, size_t n);

/* Look at j's unit now instead of from the loop: j may finish (and be
 * freed) or move to its next phase.  For a caller that must know at once
 * whether a pending job is over (a socket triggered again before the loop
 * took the verdict of its service's last start). */
void job_check_now(Job *j);

/* The unit's state changed: look at the unit again soon (deferred). */
void job_unit_changed(Unit *u);

/* Finish j with result r now: JobRemoved is sent, j is freed, the unit has
 * no job afterwards.  Used for cancel and when a unit is freed. */
void job_finish(Job *j, JobResult r);

/* Fail j with JOB_TIMEOUT after usec (JobTimeoutSec=); USEC_INFINITY
 * disarms.  Returns 0 or -errno. */
int job_set_timeout(Job *j, usec_t usec);

/* The pending job with this id, or NULL. */
Job *manager_get_job(Manager *m, uint32_t id);
