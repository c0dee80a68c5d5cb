/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "condition.h"
#include "unit-dependency.h"
#include "execute.h"
#include "fd-util.h"
#include "job.h"
#include "manager.h"
#include "mount-wait.h"
#include "socket-unit.h"
#include "string-util.h"
#include "unit-name.h"
#include "unit-output.h"
#include "unit.h"

static const char * const unit_active_state_table[_UNIT_ACTIVE_STATE_MAX] = {
        [UNIT_ACTIVE] = "active",
        [UNIT_RELOADING] = "reloading",
        [UNIT_INACTIVE] = "inactive",
        [UNIT_FAILED] = "failed",
        [UNIT_ACTIVATING] = "activating",
        [UNIT_DEACTIVATING] = "deactivating",
        [UNIT_MAINTENANCE] = "maintenance",
};

const char *unit_active_state_to_string(UnitActiveState s) {
        return s >= 0 && s < _UNIT_ACTIVE_STATE_MAX ? unit_active_state_table[s] : NULL;
}

UnitActiveState unit_active_state_from_string(const char *s) {
        for (UnitActiveState i = 0; i < _UNIT_ACTIVE_STATE_MAX; i++)
                if (streq_ptr(unit_active_state_table[i], s))
                        return i;
        return _UNIT_ACTIVE_STATE_INVALID;
}

int unit_new(Manager *m, const UnitVTable *vtable, const char *id, UnitConfig *config, Unit **ret) {
        Unit *u = calloc(1, vtable->object_size);
        if (!u)
                return -ENOMEM;
        u->id = strdup(id);
        if (!u->id) {
                free(u);
                return -ENOMEM;
        }
        u->manager = m;
        u->vtable = vtable;
        u->type = vtable == &socket_vtable ? UNIT_SOCKET : UNIT_SERVICE;
        u->config = config;
        u->timer_deadline = USEC_INFINITY;
        u->last_active_state = UNIT_INACTIVE;
        u->start_limit = (RateLimit) {
                .interval = config ? config->start_limit_interval : 10 * USEC_PER_SEC,
                .burst = config ? config->start_limit_burst : 5,
        };

        if (manager_index_unit(m, u) < 0) {
                free(u->id);
                free(u);
                return -ENOMEM;
        }
        u->prev = m->units_tail;
        if (m->units_tail)
                m->units_tail->next = u;
        else
                m->units = u;
        m->units_tail = u;
        m->n_units++;
        *ret = u;
        return 0;
}

Unit *unit_free(Unit *u) {
        if (!u)
                return NULL;
        Manager *m = u->manager;

        u->in_gc = true;
        if (u->job)
                job_finish(u->job, JOB_CANCELED);
        if (u->vtable->done)
                u->vtable->done(u);
        unit_output_free_all(u);
        u->timer_source = sd_event_source_disable_unref(u->timer_source);

        manager_unindex_unit(m, u);
        if (u->prev)
                u->prev->next = u->next;
        else
                m->units = u->next;
        if (u->next)
                u->next->prev = u->prev;
        else
                m->units_tail = u->prev;
        m->n_units--;

        unit_log_ring_clear(&u->log_ring);
        unit_cancel_mount_wait(u);
        unit_config_free(u->config);
        free(u->id);
        free(u);
        return NULL;
}

int unit_start(Unit *u) {
        const char *failed = NULL;

        if (u->config && u->config->load_state != UNIT_LOADED)
                return -ENOENT;
        /* Conditions and asserts are checked when an inactive unit is asked
         * to start, as systemd does before running the start job. */
        if (u->config && UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u))) {
                /* RequiresMountsFor= and socket paths come first: systemd
                 * runs the start job only after the mount jobs. */
                int r = unit_wait_for_mounts(u);
                if (r != 0)
                        return r < 0 ? r : 0;
                if (condition_list_test(&unit_config_extra(u->config)->asserts, &failed) == CONDITION_FAILED)
                        return log_unit_error_errno(u, -EIO, "Assertion failed (Assert%s=), refusing to start.",
                                                    failed);
                if (condition_list_test(&unit_config_extra(u->config)->conditions, &failed) == CONDITION_FAILED) {
                        log_unit_info(u, "Condition check (Condition%s=) resulted in %s being skipped.", failed,
                                      u->id);
                        return 0;
                }
                r = unit_start_dependencies(u);
                if (r < 0)
                        return r;
        }
        return u->vtable->start(u);
}

int unit_stop(Unit *u) {
        if (u->waiting_for_mount) {
                log_unit_info(u, "No longer waiting for mount %s.", u->waiting_for_mount);
                unit_cancel_mount_wait(u);
        }
        return u->vtable->stop(u);
}

UnitActiveState unit_active_state(const Unit *u) {
        return u->vtable->active_state(u);
}

const char *unit_sub_state(const Unit *u) {
        return u->vtable->sub_state(u);
}

const char *unit_result(const Unit *u) {
        return u->vtable->result(u);
}

void unit_reset_failed(Unit *u) {
        ratelimit_reset(&u->start_limit);
        if (u->vtable->reset_failed)
                u->vtable->reset_failed(u);
}

int unit_test_start_limit(Unit *u) {
        if (ratelimit_below(&u->start_limit, u->manager->ops->now(u->manager)))
                return 0;
        return log_unit_warning_errno(u, -ECANCELED, "Start request repeated too quickly.");
}

static bool active_or_reloading(UnitActiveState s) {
        return s == UNIT_ACTIVE || s == UNIT_RELOADING;
}

void unit_notify_state(Unit *u) {
        UnitActiveState old = u->last_active_state, s = unit_active_state(u);

        if (s != old) {
                usec_t t = now(CLOCK_REALTIME), mt = now(CLOCK_MONOTONIC);
                u->state_change_timestamp = t;
                u->state_change_monotonic = mt;
                if (active_or_reloading(s) && !active_or_reloading(old))
                        u->active_enter_timestamp = t, u->active_enter_monotonic = mt;
                if (!active_or_reloading(s) && active_or_reloading(old))
                        u->active_exit_timestamp = t, u->active_exit_monotonic = mt;
                if (UNIT_IS_INACTIVE_OR_FAILED(s) && !UNIT_IS_INACTIVE_OR_FAILED(old))
                        u->inactive_enter_timestamp = t, u->inactive_enter_monotonic = mt;
                if (!UNIT_IS_INACTIVE_OR_FAILED(s) && UNIT_IS_INACTIVE_OR_FAILED(old))
                        u->inactive_exit_timestamp = t, u->inactive_exit_monotonic = mt;
                u->last_active_state = s;
        }
        job_unit_changed(u);
}

/* The socket unit of the same name as service u ("foo@x.service" ->
 * "foo@x.socket"), or NULL. */
static Unit *unit_same_name_socket(Unit *u) {
        char name[UNIT_NAME_MAX + sizeof(".socket")];
        const char *dot = strrchr(u->id, '.');
        size_t n = dot ? (size_t) (dot - u->id) : strlen(u->id);

        if (n + sizeof(".socket") > sizeof(name))
                return NULL;
        memcpy(name, u->id, n);
        memcpy(name + n, ".socket", sizeof(".socket"));
        return manager_get_unit(u->manager, name);
}

void unit_notify_triggering(Unit *u) {
        /* Only an Accept=no socket whose service u is acts on this
         * (socket_service_changed()).  Unless some socket names its
         * service with Service=, that is the socket of the same name: one
         * lookup instead of a visit of every unit per state change, which
         * made stopping thousands of services quadratic. */
        if (u->type == UNIT_SERVICE && u->manager->n_sockets_with_service_setting == 0) {
                Unit *other = unit_same_name_socket(u);
                if (other && other != u && !other->in_gc && other->vtable->trigger_notify)
                        other->vtable->trigger_notify(other, u);
                return;
        }
        for (Unit *other = u->manager->units; other; other = other->next) {
                if (other == u || other->type != UNIT_SOCKET || other->in_gc)
                        continue;
                if (other->vtable->trigger_notify)
                        other->vtable->trigger_notify(other, u);
        }
}

static int unit_dispatch_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        unit_timer_fired(userdata);
        return 0;
}

int unit_arm_timer(Unit *u, usec_t usec) {
        Manager *m = u->manager;
        int r;

        if (usec == USEC_INFINITY) {
                unit_disarm_timer(u);
                return 0;
        }
        u->timer_deadline = usec_add(m->ops->now(m), usec);
        if (u->timer_source) {
                r = sd_event_source_set_time(u->timer_source, u->timer_deadline);
                if (r >= 0)
                        r = sd_event_source_set_enabled(u->timer_source, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(m->event, &u->timer_source, CLOCK_MONOTONIC, u->timer_deadline, 0,
                                      unit_dispatch_timer, u);
        if (r < 0)
                return log_unit_warning_errno(u, r, "Failed to arm timer: %m");
        return 0;
}

void unit_disarm_timer(Unit *u) {
        u->timer_deadline = USEC_INFINITY;
        if (u->timer_source)
                (void) sd_event_source_set_enabled(u->timer_source, SD_EVENT_OFF);
}

void unit_timer_fired(Unit *u) {
        u->timer_deadline = USEC_INFINITY;
        if (u->vtable->timer_fired)
                u->vtable->timer_fired(u);
}

int unit_spawn(Unit *u, const SpawnParams *p, UnitProcess *ret) {
        Manager *m = u->manager;
        pid_t pid;
        int pidfd = -EBADF;

        int r = m->ops->spawn(m, p, &pid, &pidfd);
        if (r < 0)
                return r;
        *ret = (UnitProcess) { .pid = pid, .pidfd = pidfd };
        r = m->ops->watch(m, u, ret);
        if (r < 0)
                log_unit_warning_errno(u, r, "Failed to watch process %d: %m", (int) pid);
        return 0;
}

int unit_spawn_prepared(Unit *u, ExecPrepared *p, UnitProcess *ret) {
        int r = unit_spawn(u, &p->params, ret);
        if (r < 0 || p->output_fd <= 2)
                return r;
        /* The child has its copy; ours of the write end must go, or the
         * pipe never reaches EOF. */
        p->output_write_fd = safe_close(p->output_write_fd);
        r = unit_output_watch(u, TAKE_FD(p->output_fd), ret->pid, p->path);
        if (r < 0)
                log_unit_warning_errno(u, r, "Failed to read the output of process %d: %m", (int) ret->pid);
        return 0;
}

static int unit_spawn_control(Unit *u, const ExecCommand *c, const ExecContext *ec, const ExecExtra *x,
                              UnitProcess *ret);

int unit_spawn_command(Unit *u, const ExecCommand *c, const ExecContext *ec, const int *fds,
                       size_t n_fds, UnitProcess *ret) {
        ExecExtra x = { .fds = fds, .n_fds = n_fds, .capture_output = true };
        return unit_spawn_control(u, c, ec, &x, ret);
}

int unit_spawn_command_env(Unit *u, const ExecCommand *c, const ExecContext *ec, char * const *extra_env,
                           UnitProcess *ret) {
        ExecExtra x = { .extra_env = extra_env, .capture_output = true };
        return unit_spawn_control(u, c, ec, &x, ret);
}

static int unit_spawn_control(Unit *u, const ExecCommand *c, const ExecContext *ec, const ExecExtra *x,
                              UnitProcess *ret) {
        ExecPrepared p;
        int r;

        r = exec_prepare(u->manager, c, ec, x, &p);
        if (r < 0)
                return log_unit_error_errno(u, r, "Failed to prepare '%s': %m", c->argv ? c->argv[0] : "?");
        r = unit_spawn_prepared(u, &p, ret);
        exec_prepared_done(&p);
        if (r < 0)
                return log_unit_error_errno(u, r, "Failed to spawn '%s': %m", c->argv ? c->argv[0] : "?");
        log_unit_debug(u, "Spawned control process %d.", (int) ret->pid);
        return 0;
}

int unit_resolve_user_group(Unit *u, const char *user, const char *group, uid_t *uid, gid_t *gid) {
        int r = exec_resolve_user_group(user, group, uid, gid, NULL, NULL);
        if (r < 0)
                return log_unit_error_errno(u, r, "Failed to resolve user/group '%s'/'%s': %m",
                                            strna(user), strna(group));
        return 0;
}

int unit_kill_process(Unit *u, const UnitProcess *p, int sig, bool whole_group) {
        Manager *m = u->manager;

        if (p->pid <= 0)
                return -ESRCH;
        int r = m->ops->kill(m, p, sig, whole_group);
        /* systemd always follows the kill signal with SIGCONT so that a
         * stopped process can act on it. */
        if (r >= 0 && sig != SIGKILL && sig != SIGCONT)
                (void) m->ops->kill(m, p, SIGCONT, whole_group);
        return r;
}

void unit_process_exited(Unit *u, pid_t pid, int code, int status) {
        if (u->vtable->process_exited)
                u->vtable->process_exited(u, pid, code, status);
}

bool unit_exit_is_clean(int code, int status, bool clean_signals, const ExitStatusSet *success) {
        if (code == CLD_EXITED)
                return status == 0 || (success && exit_status_set_test_status(success, status));
        if (code == CLD_KILLED && clean_signals &&
            (status == SIGHUP || status == SIGINT || status == SIGTERM || status == SIGPIPE))
                return true;
        return success && code != CLD_EXITED && exit_status_set_test_signal(success, status);
}
