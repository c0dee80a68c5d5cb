/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "job.h"
#include "manager-bus.h"
#include "manager.h"
#include "string-util.h"
#include "socket-unit.h"
#include "service-unit.h"
#include "strv.h"
#include "unit-dependency.h"
#include "unit.h"

static const char * const job_type_table[_JOB_TYPE_MAX] = {
        [JOB_START] = "start",
        [JOB_STOP] = "stop",
        [JOB_RESTART] = "restart",
        [JOB_RELOAD] = "reload",
        [JOB_TRY_RESTART] = "try-restart",
};

static const char * const job_mode_table[_JOB_MODE_MAX] = {
        [JOB_FAIL] = "fail",
        [JOB_REPLACE] = "replace",
        [JOB_LENIENT] = "lenient",
};

static const char * const job_result_table[_JOB_RESULT_MAX] = {
        [JOB_DONE] = "done",
        [JOB_CANCELED] = "canceled",
        [JOB_TIMEOUT] = "timeout",
        [JOB_FAILED] = "failed",
        [JOB_DEPENDENCY] = "dependency",
        [JOB_SKIPPED] = "skipped",
        [JOB_ASSERT] = "assert",
};

const char *job_type_to_string(JobType t) {
        return t >= 0 && t < _JOB_TYPE_MAX ? job_type_table[t] : NULL;
}

JobType job_type_from_string(const char *s) {
        for (JobType t = 0; t < _JOB_TYPE_MAX; t++)
                if (streq_ptr(job_type_table[t], s))
                        return t;
        return _JOB_TYPE_INVALID;
}

const char *job_mode_to_string(JobMode m) {
        return m >= 0 && m < _JOB_MODE_MAX ? job_mode_table[m] : NULL;
}

JobMode job_mode_from_string(const char *s) {
        if (streq_ptr(s, "replace-irreversibly"))
                return JOB_REPLACE;
        for (JobMode m = 0; m < _JOB_MODE_MAX; m++)
                if (streq_ptr(job_mode_table[m], s))
                        return m;
        return _JOB_MODE_INVALID;
}

const char *job_result_to_string(JobResult r) {
        return r >= 0 && r < _JOB_RESULT_MAX ? job_result_table[r] : NULL;
}

Job *manager_get_job(Manager *m, uint32_t id) {
        for (Job *j = m->jobs; j; j = j->queue_next)
                if (j->id == id && !j->finished)
                        return j;
        return NULL;
}

static char **job_deps(Unit *u, UnitDependency d);
static void job_queue_check(Job *j);

/* Jobs waiting for ordering look again: u changed state or its job
 * ended.  Only the pending jobs are visited, never all units. */
static void job_wake_ordered_after(Unit *u) {
        if (u->manager->n_waiting_jobs == 0)
                return;
        for (Job *j = u->manager->jobs; j; j = j->queue_next)
                if (j->waiting_ordering && j->unit != u)
                        job_queue_check(j);
}

/* Manager.n_waiting_jobs counts the jobs waiting for ordering, so that a
 * state change looks at the pending jobs only when one waits. */
static void job_set_waiting(Job *j, bool waiting) {
        if (j->waiting_ordering == waiting)
                return;
        j->waiting_ordering = waiting;
        if (waiting)
                j->manager->n_waiting_jobs++;
        else
                j->manager->n_waiting_jobs--;
}

static void job_unlink(Job *j) {
        Manager *m = j->manager;

        if (j->queue_prev)
                j->queue_prev->queue_next = j->queue_next;
        else if (m->jobs == j)
                m->jobs = j->queue_next;
        if (j->queue_next)
                j->queue_next->queue_prev = j->queue_prev;
        else if (m->jobs_tail == j)
                m->jobs_tail = j->queue_prev;
        j->queue_next = j->queue_prev = NULL;
}

static void job_link(Job *j) {
        Manager *m = j->manager;

        j->queue_prev = m->jobs_tail;
        if (m->jobs_tail)
                m->jobs_tail->queue_next = j;
        else
                m->jobs = j;
        m->jobs_tail = j;
}

static bool job_is_stopping(const Job *j) {
        return j->type == JOB_STOP || j->stop_phase;
}

static bool job_is_starting(const Job *j) {
        return (j->type == JOB_START || j->type == JOB_RESTART) && !j->stop_phase;
}

static void job_free(Job *j) {
        j->check_source = sd_event_source_disable_unref(j->check_source);
        j->timer_source = sd_event_source_disable_unref(j->timer_source);
        free(j);
}

void job_finish(Job *j, JobResult r) {
        Unit *u = j->unit;

        if (j->finished)
                return;
        j->finished = true;
        if (u->job == j)
                u->job = NULL;
        job_set_waiting(j, false);
        job_unlink(j);
        j->manager->n_jobs--;
        log_unit_debug(u, "Job %" PRIu32 " %s/%s finished, result=%s.", j->id, u->id,
                       job_type_to_string(j->type), job_result_to_string(r));
        manager_bus_send_job_removed(j->manager, j->id, u->id, job_result_to_string(r));
        bool start_ended_down = job_is_starting(j) && UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
        job_free(j);
        if (u->in_gc)
                return;
        job_wake_ordered_after(u);
        socket_schedule_deferred_retry(u->manager);
        /* A start that ended without the unit changing state (refused
         * after waiting for ordering): a socket that went to 'running'
         * for it must see that nothing runs. */
        if (start_ended_down && u->type == UNIT_SERVICE)
                unit_notify_triggering(u);
}

/* What unit_start()'s refusal means for the job (systemd's job_run_and_invalidate). */
static JobResult job_result_from_start_error(int r) {
        switch (r) {
        case -ENOLINK:
                return JOB_DEPENDENCY;
        case -EPROTO:
                return JOB_ASSERT;
        default:
                return JOB_FAILED;
        }
}

static void job_queue_check(Job *j) {
        if (j->check_source)
                (void) sd_event_source_set_enabled(j->check_source, SD_EVENT_ONESHOT);
}

static char **job_deps(Unit *u, UnitDependency d) {
        return u->config ? unit_config_dependencies(u->config, d) : NULL;
}

static bool job_is_required(Unit *u, const char *name) {
        return strv_contains(job_deps(u, UNIT_REQUIRES), name) || strv_contains(job_deps(u, UNIT_BINDS_TO), name);
}

/* Does o wait, directly or through the jobs it waits for, for j?  Then j
 * must not wait for o: that would be an ordering cycle, which is broken
 * instead of hanging.  Follows each job's blocked_by, at most n_jobs
 * steps (a cycle among other jobs ends the walk too). */
static bool job_waits_on(Job *o, Job *j) {
        unsigned steps = 0;

        for (Job *k = o; k && steps <= j->manager->n_jobs; steps++) {
                if (k == j)
                        return true;
                if (!k->waiting_ordering || k->blocked_by == 0)
                        return false;
                k = manager_get_job(j->manager, k->blocked_by);
        }
        return false;
}

/* j waits for o (0: for a unit that is activating without a job). */
static bool job_block(Job *j, Job *o) {
        j->blocked_by = o ? o->id : 0;
        return true;
}

/* Start ordering for a start job (see job.h).  Returns 1 while the job must
 * wait, 0 to go on, -JOB_DEPENDENCY when a required unit it is after failed. */
static int job_check_ordering(Job *j) {
        Unit *u = j->unit;
        bool wait = false;

        STRV_FOREACH(name, job_deps(u, UNIT_AFTER)) {
                bool pulled = job_is_required(u, *name) || strv_contains(job_deps(u, UNIT_WANTS), *name);
                Unit *d = NULL;
                Job *dj;

                if (pulled)
                        (void) manager_load_unit(u->manager, *name, &d);
                else
                        d = manager_get_unit(u->manager, *name);
                if (!d || d == u || (d->config && d->config->load_state != UNIT_LOADED))
                        continue; /* unit_start_dependencies() judges missing units */
                /* Pull it in once, through a job of its own. */
                if (pulled && !j->waiting_ordering && !d->job && UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(d)))
                        (void) job_enqueue(d, JOB_START, JOB_REPLACE, &dj);
                if (d->job && d->job->type != JOB_STOP && !job_waits_on(d->job, j))
                        wait = wait || job_block(j, d->job);
                else if (unit_active_state(d) == UNIT_ACTIVATING && !(d->job && job_waits_on(d->job, j)))
                        wait = wait || job_block(j, NULL);
                else if (job_is_required(u, *name) && unit_active_state(d) == UNIT_FAILED) {
                        log_unit_warning(u, "Dependency %s failed, not starting.", *name);
                        return -JOB_DEPENDENCY;
                }
        }
        /* Before= of other units, and a socket's implicit Before= on its
         * service: only pending start jobs are waited for, as systemd
         * orders jobs, not states.  Jobs queued together but not run yet
         * (job_enqueue_start_all()) count as pending. */
        for (Job *o = j->skip_before_scan ? NULL : u->manager->jobs; o && !wait; o = o->queue_next)
                if (o != j && !o->finished && job_is_starting(o) && unit_is_ordered_after(u, o->unit) &&
                    !job_waits_on(o, j))
                        wait = job_block(j, o);
        return wait;
}

/* Stop ordering, the mirror of start ordering: a stop waits while a unit
 * ordered after its unit has a stop job and is not down yet.  Returns 1
 * to wait, 0 to go on. */
static int job_check_stop_ordering(Job *j) {
        for (Job *o = j->manager->jobs; o; o = o->queue_next) {
                if (o == j || o->finished || !job_is_stopping(o))
                        continue;
                if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(o->unit)))
                        continue;
                if (unit_is_ordered_after(o->unit, j->unit) && !job_waits_on(o, j))
                        return job_block(j, o);
        }
        return 0;
}

/* A stop of u stops the active units that require it, bind to it or are
 * part of it, each through a stop job, before u when ordered so (as
 * systemd's transaction does).  Not at shutdown: everything stops then. */
static void job_pull_stop_dependents(Job *j) {
        Manager *m = j->manager;
        Job *pulled;

        if (m->exiting)
                return;
        for (Unit *o = m->units; o; o = o->next) {
                if (o == j->unit || o->in_gc || (o->job && job_is_stopping(o->job)) ||
                    UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(o)) || !unit_stop_propagates_to(j->unit, o))
                        continue;
                log_unit_info(o, "Stopping, because %s is being stopped.", j->unit->id);
                if (job_enqueue(o, JOB_STOP, JOB_REPLACE, &pulled) < 0)
                        (void) unit_stop(o);
        }
}

/* Ask the unit to do what the job's current phase wants.  Returns 0 or the
 * result to finish with. */
static int job_run_phase(Job *j) {
        Unit *u = j->unit;
        int r;

        j->retry_start = false;
        if (job_is_stopping(j)) {
                if (!UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u))) {
                        job_set_waiting(j, job_check_stop_ordering(j) > 0);
                        if (j->waiting_ordering)
                                return 0;
                }
                r = unit_stop(u);
                return r < 0 && r != -EAGAIN ? -JOB_FAILED : 0;
        }
        if (u->manager->exiting)
                return -JOB_CANCELED; /* porterd is stopping everything */
        if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u))) {
                r = job_check_ordering(j);
                if (r < 0)
                        return r;
                job_set_waiting(j, r > 0);
                if (j->waiting_ordering)
                        return 0;
        }
        u->ordered_deps_started = true;
        r = unit_start(u);
        u->ordered_deps_started = false;
        if (r == -EAGAIN) {
                /* Stopping or waiting for RestartSec=: try again once the
                 * unit is down, or let the restart timer start it. */
                j->retry_start = true;
                return 0;
        }
        return r < 0 ? -(int) job_result_from_start_error(r) : 0;
}

static bool unit_result_is_success(Unit *u) {
        const char *result = unit_result(u);
        return isempty(result) || streq(result, "success");
}

/* The verdict for the unit's current state, or -1 to go on waiting. */
static int job_verdict(Job *j) {
        Unit *u = j->unit;
        UnitActiveState s = unit_active_state(u);

        if (j->type == JOB_STOP || j->stop_phase)
                return UNIT_IS_INACTIVE_OR_FAILED(s) ? JOB_DONE : -1;
        if (j->waiting_ordering)
                return -1;
        if (j->type == JOB_RELOAD)
                return s == UNIT_RELOADING ? -1 : s == UNIT_ACTIVE && !u->reload_failed ? JOB_DONE : JOB_FAILED;
        if (u->waiting_for_mount)
                return -1;
        switch (s) {
        case UNIT_ACTIVE:
        case UNIT_RELOADING:
                return JOB_DONE;
        case UNIT_FAILED:
                return j->retry_start ? -1 : JOB_FAILED;
        case UNIT_INACTIVE:
                if (j->retry_start)
                        return -1;
                return unit_result_is_success(u) ? JOB_DONE : JOB_FAILED;
        default:
                return -1;
        }
}

static int job_dispatch_check(sd_event_source *source, void *userdata) {
        Job *j = userdata;
        Unit *u = j->unit;
        UnitActiveState s = unit_active_state(u);
        int r;

        if (j->deferred_result >= 0)
                return job_finish(j, j->deferred_result), 0;
        if (j->waiting_ordering && job_is_stopping(j)) {
                /* Down meanwhile by itself: nothing left to order. */
                if (UNIT_IS_INACTIVE_OR_FAILED(s))
                        job_set_waiting(j, false);
                else {
                        r = job_run_phase(j);
                        if (r < 0)
                                return job_finish(j, -r), 0;
                }
        } else if (j->waiting_ordering && !UNIT_IS_INACTIVE_OR_FAILED(s))
                /* Started meanwhile by someone else (a dependency of
                 * another unit): the wait is over, the verdict follows
                 * its state. */
                job_set_waiting(j, false);
        if (j->stop_phase && !j->waiting_ordering && UNIT_IS_INACTIVE_OR_FAILED(s)) {
                /* restart: the stop half is done, now start. */
                j->stop_phase = false;
                r = job_run_phase(j);
                if (r < 0)
                        return job_finish(j, -r), 0;
        } else if ((j->retry_start || j->waiting_ordering) && !job_is_stopping(j) && UNIT_IS_INACTIVE_OR_FAILED(s)) {
                r = job_run_phase(j);
                if (r < 0)
                        return job_finish(j, -r), 0;
        }
        r = job_verdict(j);
        if (r >= 0)
                job_finish(j, r);
        return 0;
}

void job_check_now(Job *j) {
        (void) job_dispatch_check(j->check_source, j);
}

static int job_dispatch_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Job *j = userdata;
        log_unit_warning(j->unit, "Job %s/%s timed out.", j->unit->id, job_type_to_string(j->type));
        job_finish(j, JOB_TIMEOUT);
        return 0;
}

int job_set_timeout(Job *j, usec_t usec) {
        if (usec == USEC_INFINITY) {
                j->timer_source = sd_event_source_disable_unref(j->timer_source);
                return 0;
        }
        Manager *m = j->manager;
        usec_t when = usec_add(m->ops->now(m), usec);
        if (j->timer_source) {
                int r = sd_event_source_set_time(j->timer_source, when);
                return r < 0 ? r : sd_event_source_set_enabled(j->timer_source, SD_EVENT_ONESHOT);
        }
        return sd_event_add_time(m->event, &j->timer_source, CLOCK_MONOTONIC, when, 0, job_dispatch_timer, j);
}

static int job_new(Unit *u, JobType t, Job **ret) {
        Manager *m = u->manager;
        Job *j = new0(Job, 1);
        if (!j)
                return -ENOMEM;
        *j = (Job) {
                .manager = m,
                .unit = u,
                .type = t,
                .deferred_result = -1,
        };
        int r = sd_event_add_defer(m->event, &j->check_source, job_dispatch_check, j);
        if (r < 0) {
                free(j);
                return r;
        }
        (void) sd_event_source_set_enabled(j->check_source, SD_EVENT_OFF);
        (void) sd_event_source_set_description(j->check_source, "job-check");
        /* Ids start at 1 and skip 0 when they wrap: 0 means "no job" on the bus. */
        if (++m->last_job_id == 0)
                m->last_job_id = 1;
        j->id = m->last_job_id;
        *ret = j;
        return 0;
}

/* Install the job of type t for u (or find the pending one it merges
 * into) without running it.  *ret_new is false for a merge. */
static int job_install(Unit *u, JobType t, JobMode mode, Job **ret, bool *ret_new) {
        bool nop = false;
        Job *j;
        int r;

        if (t == JOB_TRY_RESTART) {
                t = JOB_RESTART;
                nop = UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
                if (nop && u->job) {
                        /* Nothing to do that the pending job does not do. */
                        *ret = u->job;
                        *ret_new = false;
                        return 0;
                }
        }

        if (t == JOB_RELOAD && (!u->vtable->reload || (u->vtable->can_reload && !u->vtable->can_reload(u))))
                return -EOPNOTSUPP;
        if (u->job) {
                if (u->job->type == t) {
                        *ret = u->job;
                        *ret_new = false;
                        return 0;
                }
                if (mode == JOB_FAIL || mode == JOB_LENIENT)
                        return -EBUSY;
                job_finish(u->job, JOB_CANCELED);
        }
        if (mode == JOB_LENIENT && t != JOB_STOP && unit_start_conflicts(u))
                return -EBUSY;

        r = job_new(u, t, &j);
        if (r < 0)
                return r;
        u->job = j;
        job_link(j);
        u->manager->n_jobs++;
        if (nop)
                j->deferred_result = JOB_DONE;
        manager_bus_send_job_new(u->manager, j->id, u->id);
        if (u->config && u->config->job_timeout != USEC_INFINITY && u->config->job_timeout > 0) {
                r = job_set_timeout(j, u->config->job_timeout);
                if (r < 0)
                        log_unit_warning_errno(u, r, "Failed to arm JobTimeoutSec=, ignoring: %m");
        }
        *ret = j;
        *ret_new = true;
        return 0;
}

/* Run a freshly installed job's first phase. */
static void job_run(Job *j) {
        Unit *u = j->unit;
        int r;

        /* Even a job that is over at once finishes from the deferred
         * check: the caller replies with its path first. */
        if (j->deferred_result >= 0)
                ;
        else if (j->type == JOB_RELOAD) {
                if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        j->deferred_result = JOB_SKIPPED; /* nothing to reload */
                else if (u->vtable->reload(u) < 0)
                        j->deferred_result = JOB_FAILED;
        } else {
                j->stop_phase = j->type == JOB_RESTART && !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
                if (j->type == JOB_STOP)
                        job_pull_stop_dependents(j);
                /* The pulled stops may have replaced or finished it. */
                if (u->job != j)
                        return;
                r = job_run_phase(j);
                if (r < 0)
                        j->deferred_result = -r;
        }
        job_queue_check(j);
}

int job_enqueue(Unit *u, JobType t, JobMode mode, Job **ret) {
        bool is_new;
        Job *j;
        int r;

        r = job_install(u, t, mode, &j, &is_new);
        if (r < 0)
                return r;
        if (is_new)
                job_run(j);
        *ret = j;
        return 0;
}

/* Jobs queued together must not each scan all pending jobs for Before=
 * (10,000 --start units made that 10^8 checks): mark, in one pass over
 * the pending start jobs and their Before= lists, the jobs some other job
 * can be ordered before; the others skip the scan.  A service with
 * Sockets= or an Accept=yes socket is ordered from its own side: it scans. */
static void job_mark_before_scans(Manager *m, uint32_t first_id) {
        for (Job *o = m->jobs; o; o = o->queue_next) {
                ServiceUnit *svc = SERVICE(o->unit);
                if (o->id < first_id)
                        continue; /* not of this batch: scans */
                o->skip_before_scan = !(svc && (svc->accept_socket || (svc->config && svc->config->sockets)));
        }
        for (Job *o = m->jobs; o; o = o->queue_next) {
                if (!job_is_starting(o))
                        continue;
                STRV_FOREACH(name, job_deps(o->unit, UNIT_BEFORE)) {
                        Unit *l = manager_get_unit(m, *name);
                        if (l && l->job)
                                l->job->skip_before_scan = false;
                }
                SocketUnit *sock = SOCKET(o->unit);
                if (sock && sock->service && sock->service->job)
                        sock->service->job->skip_before_scan = false;
        }
}

int job_enqueue_start_all(Manager *m, Unit * const *units, size_t n) {
        _cleanup_free_ uint32_t *ids = new0(uint32_t, n ?: 1);
        _cleanup_free_ bool *fresh = new0(bool, n ?: 1);
        int started = 0;

        uint32_t first_id = m->last_job_id + 1;
        if (!ids || !fresh)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                Job *j;
                int r = job_install(units[i], JOB_START, JOB_REPLACE, &j, &fresh[i]);
                if (r < 0)
                        log_unit_error_errno(units[i], r, "Failed to queue a start job: %m");
                else
                        ids[i] = j->id;
        }
        job_mark_before_scans(m, first_id);
        /* A job run earlier may have finished or replaced a later one (a
         * pulled dependency): each is its unit's job only if the id
         * still matches. */
        for (size_t i = 0; i < n; i++) {
                Job *j = units[i]->job;
                if (!fresh[i] || !j || j->id != ids[i])
                        continue;
                job_run(j);
        }
        for (size_t i = 0; i < n; i++) {
                Job *j = units[i]->job && units[i]->job->id == ids[i] ? units[i]->job : NULL;
                bool refused = j && j->deferred_result >= 0 && j->deferred_result != JOB_DONE;
                if (ids[i] == 0)
                        continue;
                if (refused || unit_active_state(units[i]) == UNIT_FAILED)
                        log_unit_error(units[i], "Failed to start%s%s.", refused ? ", result " : "",
                                       refused ? job_result_to_string(j->deferred_result) : "");
                else
                        started++;
        }
        return started;
}

void job_unit_changed(Unit *u) {
        if (u->job)
                job_queue_check(u->job);
        job_wake_ordered_after(u);
}
