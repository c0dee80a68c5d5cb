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
#include "strv.h"
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
        for (Unit *u = m->units; u; u = u->next)
                if (u->job && u->job->id == id && !u->job->finished)
                        return u->job;
        return NULL;
}

static char **job_deps(Unit *u, UnitDependency d);
static void job_queue_check(Job *j);

/* Start jobs waiting for u (After=u) look again: u changed state or its
 * job ended. */
static void job_wake_ordered_after(Unit *u) {
        if (u->manager->n_jobs == 0)
                return;
        for (Unit *o = u->manager->units; o; o = o->next)
                if (o->job && o->job->waiting_ordering && strv_contains(job_deps(o, UNIT_AFTER), u->id))
                        job_queue_check(o->job);
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
        j->manager->n_jobs--;
        log_unit_debug(u, "Job %" PRIu32 " %s/%s finished, result=%s.", j->id, u->id,
                       job_type_to_string(j->type), job_result_to_string(r));
        manager_bus_send_job_removed(j->manager, j->id, u->id, job_result_to_string(r));
        job_free(j);
        if (!u->in_gc)
                job_wake_ordered_after(u);
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
        return u->config ? u->config->dependencies[d] : NULL;
}

static bool job_is_required(Unit *u, const char *name) {
        return strv_contains(job_deps(u, UNIT_REQUIRES), name) || strv_contains(job_deps(u, UNIT_BINDS_TO), name);
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
                /* A unit whose own start waits for ordering is not waited
                 * for: that breaks ordering cycles instead of hanging. */
                if ((d->job && d->job->type != JOB_STOP && !d->job->waiting_ordering) ||
                    unit_active_state(d) == UNIT_ACTIVATING)
                        wait = true;
                else if (job_is_required(u, *name) && unit_active_state(d) == UNIT_FAILED) {
                        log_unit_warning(u, "Dependency %s failed, not starting.", *name);
                        return -JOB_DEPENDENCY;
                }
        }
        return wait;
}

/* Ask the unit to do what the job's current phase wants.  Returns 0 or the
 * result to finish with. */
static int job_run_phase(Job *j) {
        Unit *u = j->unit;
        int r;

        j->retry_start = false;
        if (j->type == JOB_STOP || j->stop_phase) {
                r = unit_stop(u);
                return r < 0 && r != -EAGAIN ? -JOB_FAILED : 0;
        }
        if (u->manager->exiting)
                return -JOB_CANCELED; /* porterd is stopping everything */
        if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u))) {
                r = job_check_ordering(j);
                if (r < 0)
                        return r;
                j->waiting_ordering = r > 0;
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
        /* Started meanwhile by someone else (a dependency of another
         * unit): the wait is over, the verdict follows its state. */
        if (j->waiting_ordering && !UNIT_IS_INACTIVE_OR_FAILED(s))
                j->waiting_ordering = false;
        if (j->stop_phase && UNIT_IS_INACTIVE_OR_FAILED(s)) {
                /* restart: the stop half is done, now start. */
                j->stop_phase = false;
                r = job_run_phase(j);
                if (r < 0)
                        return job_finish(j, -r), 0;
        } else if ((j->retry_start || j->waiting_ordering) && UNIT_IS_INACTIVE_OR_FAILED(s)) {
                r = job_run_phase(j);
                if (r < 0)
                        return job_finish(j, -r), 0;
        }
        r = job_verdict(j);
        if (r >= 0)
                job_finish(j, r);
        return 0;
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

int job_enqueue(Unit *u, JobType t, JobMode mode, Job **ret) {
        bool nop = false;
        Job *j;
        int r;

        if (t == JOB_TRY_RESTART) {
                t = JOB_RESTART;
                nop = UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
                if (nop && u->job) {
                        /* Nothing to do that the pending job does not do. */
                        *ret = u->job;
                        return 0;
                }
        }

        if (t == JOB_RELOAD && (!u->vtable->reload || (u->vtable->can_reload && !u->vtable->can_reload(u))))
                return -EOPNOTSUPP;
        if (u->job) {
                if (u->job->type == t) {
                        *ret = u->job;
                        return 0;
                }
                if (mode == JOB_FAIL)
                        return -EBUSY;
                job_finish(u->job, JOB_CANCELED);
        }

        r = job_new(u, t, &j);
        if (r < 0)
                return r;
        u->job = j;
        u->manager->n_jobs++;
        manager_bus_send_job_new(u->manager, j->id, u->id);
        if (u->config && u->config->job_timeout != USEC_INFINITY && u->config->job_timeout > 0) {
                r = job_set_timeout(j, u->config->job_timeout);
                if (r < 0)
                        log_unit_warning_errno(u, r, "Failed to arm JobTimeoutSec=, ignoring: %m");
        }

        /* Even a job that is over at once finishes from the deferred
         * check: the caller replies with its path first. */
        if (nop)
                j->deferred_result = JOB_DONE;
        else if (t == JOB_RELOAD) {
                if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        j->deferred_result = JOB_SKIPPED; /* nothing to reload */
                else if (u->vtable->reload(u) < 0)
                        j->deferred_result = JOB_FAILED;
        } else {
                j->stop_phase = t == JOB_RESTART && !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
                r = job_run_phase(j);
                if (r < 0)
                        j->deferred_result = -r;
        }
        job_queue_check(j);
        *ret = j;
        return 0;
}

void job_unit_changed(Unit *u) {
        if (u->job)
                job_queue_check(u->job);
        job_wake_ordered_after(u);
}
