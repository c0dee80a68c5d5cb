/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <grp.h>
#include <pwd.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "job.h"
#include "manager.h"
#include "service-unit.h"
#include "sock-diag.h"
#include "socket-accept.h"
#include "socket-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-dependency.h"
#include "unit-name.h"

static const char * const socket_state_table[_SOCKET_STATE_MAX] = {
        [SOCKET_DEAD] = "dead",
        [SOCKET_START_PRE] = "start-pre",
        [SOCKET_START_OPEN] = "start-open",
        [SOCKET_START_CHOWN] = "start-chown",
        [SOCKET_START_POST] = "start-post",
        [SOCKET_LISTENING] = "listening",
        [SOCKET_DEFERRED] = "deferred",
        [SOCKET_RUNNING] = "running",
        [SOCKET_STOP_PRE] = "stop-pre",
        [SOCKET_STOP_PRE_SIGTERM] = "stop-pre-sigterm",
        [SOCKET_STOP_PRE_SIGKILL] = "stop-pre-sigkill",
        [SOCKET_STOP_POST] = "stop-post",
        [SOCKET_FINAL_SIGTERM] = "final-sigterm",
        [SOCKET_FINAL_SIGKILL] = "final-sigkill",
        [SOCKET_FAILED] = "failed",
};

static const char * const socket_result_table[_SOCKET_RESULT_MAX] = {
        [SOCKET_SUCCESS] = "success",
        [SOCKET_FAILURE_RESOURCES] = "resources",
        [SOCKET_FAILURE_TIMEOUT] = "timeout",
        [SOCKET_FAILURE_EXIT_CODE] = "exit-code",
        [SOCKET_FAILURE_SIGNAL] = "signal",
        [SOCKET_FAILURE_CORE_DUMP] = "core-dump",
        [SOCKET_FAILURE_START_LIMIT_HIT] = "start-limit-hit",
        [SOCKET_FAILURE_TRIGGER_LIMIT_HIT] = "trigger-limit-hit",
        [SOCKET_FAILURE_SERVICE_START_LIMIT_HIT] = "service-start-limit-hit",
};

static const UnitActiveState socket_active_state_table[_SOCKET_STATE_MAX] = {
        [SOCKET_DEAD] = UNIT_INACTIVE,
        [SOCKET_START_PRE] = UNIT_ACTIVATING,
        [SOCKET_START_OPEN] = UNIT_ACTIVATING,
        [SOCKET_START_CHOWN] = UNIT_ACTIVATING,
        [SOCKET_START_POST] = UNIT_ACTIVATING,
        [SOCKET_LISTENING] = UNIT_ACTIVE,
        [SOCKET_DEFERRED] = UNIT_ACTIVE,
        [SOCKET_RUNNING] = UNIT_ACTIVE,
        [SOCKET_STOP_PRE] = UNIT_DEACTIVATING,
        [SOCKET_STOP_PRE_SIGTERM] = UNIT_DEACTIVATING,
        [SOCKET_STOP_PRE_SIGKILL] = UNIT_DEACTIVATING,
        [SOCKET_STOP_POST] = UNIT_DEACTIVATING,
        [SOCKET_FINAL_SIGTERM] = UNIT_DEACTIVATING,
        [SOCKET_FINAL_SIGKILL] = UNIT_DEACTIVATING,
        [SOCKET_FAILED] = UNIT_FAILED,
};

const char *socket_state_to_string(SocketState s) {
        return s >= 0 && s < _SOCKET_STATE_MAX ? socket_state_table[s] : NULL;
}

SocketState socket_state_from_string(const char *s) {
        for (SocketState i = 0; i < _SOCKET_STATE_MAX; i++)
                if (streq_ptr(socket_state_table[i], s))
                        return i;
        return _SOCKET_STATE_INVALID;
}

const char *socket_result_to_string(SocketResult r) {
        return r >= 0 && r < _SOCKET_RESULT_MAX ? socket_result_table[r] : NULL;
}

SocketResult socket_result_from_string(const char *s) {
        for (SocketResult i = 0; i < _SOCKET_RESULT_MAX; i++)
                if (streq_ptr(socket_result_table[i], s))
                        return i;
        return _SOCKET_RESULT_INVALID;
}

UnitActiveState socket_state_to_active_state(SocketState s) {
        return s >= 0 && s < _SOCKET_STATE_MAX ? socket_active_state_table[s] : _UNIT_ACTIVE_STATE_INVALID;
}

/* States in which the ports stay open (spec §4.4). */
static bool socket_state_keeps_fds(SocketState s) {
        return s == SOCKET_START_OPEN || s == SOCKET_START_CHOWN || s == SOCKET_START_POST ||
               s == SOCKET_LISTENING || s == SOCKET_DEFERRED || s == SOCKET_RUNNING || s == SOCKET_STOP_PRE ||
               s == SOCKET_STOP_PRE_SIGTERM || s == SOCKET_STOP_PRE_SIGKILL;
}

/* States in which a control process may run and the timer guards it. */
static bool socket_state_has_timer(SocketState s) {
        return s == SOCKET_START_PRE || s == SOCKET_START_POST || s == SOCKET_DEFERRED || s == SOCKET_STOP_PRE ||
               s == SOCKET_STOP_PRE_SIGTERM || s == SOCKET_STOP_PRE_SIGKILL ||
               s == SOCKET_STOP_POST || s == SOCKET_FINAL_SIGTERM || s == SOCKET_FINAL_SIGKILL;
}

static bool socket_state_is_stopping(SocketState s) {
        return s >= SOCKET_STOP_PRE && s <= SOCKET_FINAL_SIGKILL;
}

static void socket_enter_dead(SocketUnit *s, SocketResult f);
static void socket_enter_stop_pre(SocketUnit *s, SocketResult f);
static void socket_enter_stop_post(SocketUnit *s, SocketResult f);
static void socket_enter_signal(SocketUnit *s, SocketState state, SocketResult f);
static void socket_enter_start_open(SocketUnit *s);
static void socket_enter_start_post(SocketUnit *s);
static void socket_enter_listening(SocketUnit *s);

static usec_t socket_timeout(const SocketUnit *s) {
        return s->config->timeout_usec == 0 ? USEC_INFINITY : s->config->timeout_usec;
}

/* ---- watching the ports ---- */

static int socket_dispatch_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        socket_port_ready(userdata, revents);
        return 0;
}

static void socket_unwatch_fds(SocketUnit *s) {
        if (!s->watches)
                return;
        for (size_t i = 0; i < s->config->n_ports; i++)
                if (s->watches[i].io_source)
                        sd_event_source_set_enabled(s->watches[i].io_source, SD_EVENT_OFF);
}

/* Watch every open port for EPOLLIN, with the poll limit on each source.
 * Re-arming resets the poll-limit counters (spec §9). */
static int socket_watch_fds(SocketUnit *s) {
        Manager *m = s->meta.manager;
        int r;

        for (size_t i = 0; i < s->config->n_ports; i++) {
                SocketWatch *w = &s->watches[i];
                if (w->port->fd < 0)
                        continue;
                if (!w->io_source) {
                        r = sd_event_add_io(m->event, &w->io_source, w->port->fd, EPOLLIN,
                                            socket_dispatch_io, w);
                        if (r < 0)
                                return log_unit_warning_errno(&s->meta, r, "Failed to watch listening fd: %m");
                        (void) sd_event_source_set_description(w->io_source, "socket-port-io");
                }
                const RateLimitConfig *pl = &s->config->poll_limit;
                if (pl->interval > 0 && pl->burst > 0 && pl->interval != USEC_INFINITY)
                        (void) sd_event_source_set_ratelimit(w->io_source, pl->interval, pl->burst);
                else
                        (void) sd_event_source_set_ratelimit(w->io_source, 0, 0);
                r = sd_event_source_set_enabled(w->io_source, SD_EVENT_ON);
                if (r < 0)
                        return log_unit_warning_errno(&s->meta, r, "Failed to enable watch: %m");
        }
        return 0;
}

static void socket_close_fds(SocketUnit *s) {
        bool remove = s->config->options.remove_on_stop;
        bool any_open = false;

        for (size_t i = 0; i < s->config->n_ports; i++) {
                SocketPort *p = &s->config->ports[i];
                if (s->watches)
                        s->watches[i].io_source = sd_event_source_disable_unref(s->watches[i].io_source);
                if (p->fd >= 0)
                        any_open = true;
                socket_port_close(p, remove);
        }
        if (remove && any_open)
                socket_symlinks_remove(s->config->options.symlinks);
}

static void socket_set_state(SocketUnit *s, SocketState state) {
        SocketState old = s->state;

        s->state = state;
        if ((old == SOCKET_DEFERRED) != (state == SOCKET_DEFERRED))
                s->meta.manager->n_deferred_sockets += state == SOCKET_DEFERRED ? 1 : -1;
        if (state != SOCKET_LISTENING)
                socket_unwatch_fds(s);
        if (!socket_state_keeps_fds(state))
                socket_close_fds(s);
        if (!socket_state_has_timer(state))
                unit_disarm_timer(&s->meta);
        if (!socket_state_has_timer(state) && state != SOCKET_START_OPEN)
                unit_process_release(&s->control_process);

        if (old != state)
                log_unit_debug(&s->meta, "Changed %s -> %s", socket_state_to_string(old),
                               socket_state_to_string(state));
        /* Timestamps, and a pending job (job.h) takes its verdict from the new state. */
        unit_notify_state(&s->meta);
        if (UNIT_IS_INACTIVE_OR_FAILED(socket_state_to_active_state(state))) {
                if (!UNIT_IS_INACTIVE_OR_FAILED(socket_state_to_active_state(old)) && !s->meta.in_gc)
                        unit_propagate_stop(&s->meta);
                manager_unit_inactive(s->meta.manager, &s->meta);
        }
}

/* ---- control processes (ExecStartPre= and friends) ---- */

static int socket_spawn_control(SocketUnit *s, ExecCommand *c);

/* Run the first command of the list for `id`; returns 1 if one runs,
 * 0 if the list is empty, -errno if spawning failed. */
static int socket_run_control(SocketUnit *s, SocketExecCommand id) {
        s->control_command_id = id;
        s->control_command = socket_config_exec_command(s->config, id);
        if (!s->control_command)
                return 0;
        int r = socket_spawn_control(s, s->control_command);
        return r < 0 ? r : 1;
}

static int socket_spawn_control(SocketUnit *s, ExecCommand *c) {
        return unit_spawn_command(&s->meta, c, socket_config_exec_context(s->config), NULL, 0, &s->control_process);
}

/* ---- transitions ---- */

static void socket_enter_dead(SocketUnit *s, SocketResult f) {
        if (s->result == SOCKET_SUCCESS)
                s->result = f;
        if (s->result != SOCKET_SUCCESS)
                log_unit_warning(&s->meta, "Failed with result '%s'.", socket_result_to_string(s->result));
        socket_set_state(s, s->result != SOCKET_SUCCESS ? SOCKET_FAILED : SOCKET_DEAD);
}

static void socket_enter_signal(SocketUnit *s, SocketState state, SocketResult f) {
        if (s->result == SOCKET_SUCCESS)
                s->result = f;

        bool sigkill = state == SOCKET_STOP_PRE_SIGKILL || state == SOCKET_FINAL_SIGKILL;
        const KillContext *k = socket_config_kill_context(s->config);
        int sig = sigkill ? k->final_kill_signal : k->kill_signal;

        if (s->control_process.pid > 0 &&
            unit_kill_process(&s->meta, &s->control_process, sig,
                              k->kill_mode != KILL_PROCESS) >= 0) {
                socket_set_state(s, state);
                (void) unit_arm_timer(&s->meta, socket_timeout(s));
                return;
        }

        if (state == SOCKET_STOP_PRE_SIGTERM || state == SOCKET_STOP_PRE_SIGKILL)
                socket_enter_stop_post(s, SOCKET_SUCCESS);
        else
                socket_enter_dead(s, SOCKET_SUCCESS);
}

static void socket_enter_stop_post(SocketUnit *s, SocketResult f) {
        if (s->result == SOCKET_SUCCESS)
                s->result = f;

        int r = socket_run_control(s, SOCKET_EXEC_STOP_POST);
        if (r > 0) {
                socket_set_state(s, SOCKET_STOP_POST);
                (void) unit_arm_timer(&s->meta, socket_timeout(s));
                return;
        }
        if (r < 0)
                log_unit_warning_errno(&s->meta, r, "Failed to run 'stop-post' task: %m");
        socket_enter_signal(s, SOCKET_FINAL_SIGTERM, r < 0 ? SOCKET_FAILURE_RESOURCES : SOCKET_SUCCESS);
}

static void socket_enter_stop_pre(SocketUnit *s, SocketResult f) {
        if (s->result == SOCKET_SUCCESS)
                s->result = f;

        int r = socket_run_control(s, SOCKET_EXEC_STOP_PRE);
        if (r > 0) {
                socket_set_state(s, SOCKET_STOP_PRE);
                (void) unit_arm_timer(&s->meta, socket_timeout(s));
                return;
        }
        if (r < 0)
                log_unit_warning_errno(&s->meta, r, "Failed to run 'stop-pre' task: %m");
        socket_enter_stop_post(s, r < 0 ? SOCKET_FAILURE_RESOURCES : SOCKET_SUCCESS);
}

static void socket_enter_start_pre(SocketUnit *s) {
        /* Leftovers of an earlier run go first: start-pre closes ports. */
        unit_process_release(&s->control_process);

        int r = socket_run_control(s, SOCKET_EXEC_START_PRE);
        if (r < 0) {
                log_unit_warning_errno(&s->meta, r, "Failed to run 'start-pre' task: %m");
                socket_enter_dead(s, SOCKET_FAILURE_RESOURCES);
                return;
        }
        if (r > 0) {
                socket_set_state(s, SOCKET_START_PRE);
                (void) unit_arm_timer(&s->meta, socket_timeout(s));
                return;
        }
        socket_enter_start_open(s);
}

static void socket_warn_option(void *userdata, const char *option, int error) {
        SocketUnit *s = userdata;
        log_unit_warning_errno(&s->meta, error, "%s failed: %m", option);
}

static void socket_warn_symlink(void *userdata, const char *path, int error) {
        SocketUnit *s = userdata;
        log_unit_warning_errno(&s->meta, error, "Failed to create symlink '%s': %m", path);
}

/* Open one port with its post-listen options; logs what went wrong. */
static int socket_open_port(SocketUnit *s, SocketPort *p) {
        _cleanup_free_ char *text = NULL;
        int r = -ENOENT;

        /* A socket porterd itself was handed for this address is adopted:
         * no second bind, and no connection refused in between. */
        if (p->type == SOCKET_PORT_SOCKET)
                r = manager_take_inherited_fd(s->meta.manager, &p->address);
        if (r >= 0) {
                p->fd = r;
                (void) fd_nonblock(p->fd, true);
                log_unit_info(&s->meta, "Adopted inherited fd %d.", r);
        } else
                r = socket_port_open(p, &s->config->options, &text);
        if (r < 0)
                return log_unit_error_errno(&s->meta, r, "%s", text ?: "Failed to open port: %m");
        if (text)
                log_unit_warning(&s->meta, "%s", text);

        if (p->type == SOCKET_PORT_SOCKET)
                (void) socket_options_apply_post_listen(&s->config->options, p->fd,
                                                        socket_address_family(&p->address),
                                                        p->address.protocol, socket_warn_option, s);
        else if (p->type == SOCKET_PORT_FIFO)
                (void) socket_options_apply_fifo(&s->config->options, p->fd, socket_warn_option, s);

        const char *path = socket_port_get_path(p);
        if (path && s->config->options.symlinks)
                (void) socket_symlinks_create(s->config->options.symlinks, path,
                                              s->config->options.directory_mode,
                                              s->config->options.remove_on_stop,
                                              socket_warn_symlink, s);
        return 0;
}

/* Open every port in configuration order; any failure closes all. */
static int socket_open_fds(SocketUnit *s) {
        for (size_t i = 0; i < s->config->n_ports; i++) {
                int r = socket_open_port(s, &s->config->ports[i]);
                if (r < 0) {
                        socket_close_fds(s);
                        return r;
                }
        }
        return 0;
}

static void socket_enter_start_open(SocketUnit *s) {
        socket_set_state(s, SOCKET_START_OPEN);

        if (socket_open_fds(s) < 0) {
                log_unit_error(&s->meta, "Failed to listen on sockets.");
                socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                return;
        }
        socket_set_state(s, SOCKET_START_CHOWN);
        /* SocketUser=/SocketGroup=: the manager runs as root when they are
         * set, so the chown happens here rather than in a helper process. */
        if (s->config->socket_user || s->config->socket_group) {
                uid_t uid = (uid_t) -1;
                gid_t gid = (gid_t) -1;
                int r = unit_resolve_user_group(&s->meta, s->config->socket_user, s->config->socket_group,
                                                &uid, &gid);
                for (size_t i = 0; r >= 0 && i < s->config->n_ports; i++)
                        r = socket_port_chown(&s->config->ports[i], uid, gid);
                if (r < 0) {
                        log_unit_error_errno(&s->meta, r, "Failed to chown sockets: %m");
                        socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                        return;
                }
        }
        socket_enter_start_post(s);
}

static void socket_enter_start_post(SocketUnit *s) {
        int r = socket_run_control(s, SOCKET_EXEC_START_POST);
        if (r < 0) {
                log_unit_warning_errno(&s->meta, r, "Failed to run 'start-post' task: %m");
                socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                return;
        }
        if (r > 0) {
                socket_set_state(s, SOCKET_START_POST);
                (void) unit_arm_timer(&s->meta, socket_timeout(s));
                return;
        }
        socket_enter_listening(s);
}

static bool fd_readable_now(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Read and drop everything queued on the ports (FlushPending=yes, and
 * refused activations).  A service may have made the shared file
 * description blocking (NonBlocking=no), so poll before each read. */
static void socket_flush_ports(SocketUnit *s) {
        for (size_t i = 0; i < s->config->n_ports; i++) {
                SocketPort *p = &s->config->ports[i];
                bool can_accept = socket_port_can_accept(p);
                char buf[512];

                for (int k = 0; p->fd >= 0 && k < 1024 && fd_readable_now(p->fd); k++) {
                        if (can_accept) {
                                int cfd = accept4(p->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                                if (cfd < 0)
                                        break;
                                safe_close(cfd);
                        } else if (recv(p->fd, buf, sizeof buf, MSG_DONTWAIT) < 0 &&
                                   read(p->fd, buf, sizeof buf) <= 0)
                                break;
                }
        }
}

static void socket_enter_listening(SocketUnit *s) {
        if (s->config->flush_pending && !s->config->accept)
                socket_flush_ports(s);
        if (s->state != SOCKET_RUNNING)
                log_unit_info(&s->meta, "Listening on %s.",
                              s->meta.config && s->meta.config->description ? s->meta.config->description : s->meta.id);

        socket_set_state(s, SOCKET_LISTENING);
        if (socket_watch_fds(s) < 0)
                socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
}

/* Accept=no: start the service that gets all our fds. */
/* DeferTrigger=: the lenient start was refused.  Wait in 'deferred' (no
 * polling, DeferTriggerMaxSec= armed) if deferring is allowed now:
 * 'patient' always, 'yes' while other jobs are queued; else fail. */
static void socket_enter_deferred(SocketUnit *s) {
        if (s->config->defer_trigger == SOCKET_DEFER_PATIENT ||
            (s->config->defer_trigger == SOCKET_DEFER_YES && s->meta.manager->n_jobs > 0)) {
                if (s->state == SOCKET_DEFERRED)
                        return; /* still conflicting: wait on */
                log_unit_info(&s->meta, "Starting %s would conflict with a queued job or an active unit, deferring activation.",
                              s->service->id);
                socket_set_state(s, SOCKET_DEFERRED);
                usec_t max = s->config->defer_trigger_max_usec;
                (void) unit_arm_timer(&s->meta, max == 0 ? USEC_INFINITY : max);
                return;
        }
        log_unit_warning(&s->meta, "Starting %s conflicts with an active unit, refusing activation.", s->service->id);
        socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
}

/* Accept=no: queue a start job for the service (spec §5.3), the way
 * porterctl start does, so that ordering, Requires=, Conflicts= and
 * JobRemoved apply; with DeferTrigger= a lenient one (§5.4).  Nothing is
 * queued when the service is active or has a job pending already.  Costs
 * the Job and nothing else. */
static void socket_trigger_service(SocketUnit *s) {
        Unit *svc = s->service;
        Job *j;

        if (!svc || !svc->config || svc->config->load_state != UNIT_LOADED) {
                log_unit_error(&s->meta, "Service to activate vanished, refusing activation.");
                socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                return;
        }

        /* A start job whose service ran and exited already is over: take
         * its verdict now, so that this connection gets a new start. */
        if (svc->job)
                job_check_now(svc->job);
        UnitActiveState a = unit_active_state(svc);
        bool lenient = s->config->defer_trigger != SOCKET_DEFER_NO;
        if ((!svc->job || lenient) && a != UNIT_ACTIVE && a != UNIT_ACTIVATING && a != UNIT_RELOADING) {
                int r = job_enqueue(svc, JOB_START, lenient ? JOB_LENIENT : JOB_REPLACE, &j);
                if (r == -EBUSY && lenient) {
                        socket_enter_deferred(s);
                        return;
                }
                if (r < 0) {
                        log_unit_warning_errno(&s->meta, r, "Failed to queue service startup job: %m");
                        socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                        return;
                }
                /* The service's change already moved us (start limit). */
                if (s->state != SOCKET_LISTENING && s->state != SOCKET_DEFERRED)
                        return;
                if (j->deferred_result >= 0 && j->deferred_result != JOB_DONE) {
                        log_unit_warning(&s->meta, "Failed to start %s, result %s.", svc->id,
                                         job_result_to_string(j->deferred_result));
                        socket_enter_stop_pre(s, SERVICE(svc)->start_limit_hit ? SOCKET_FAILURE_SERVICE_START_LIMIT_HIT
                                                                               : SOCKET_FAILURE_RESOURCES);
                        return;
                }
        }
        /* Stop polling while the service runs, starts, restarts
         * (RestartSec=) or waits for its job (ordering); not if it failed
         * synchronously already (exec error): then we listen on. */
        a = unit_active_state(svc);
        bool waits = svc->job && (svc->job->waiting_ordering || svc->job->retry_start);
        if ((s->state == SOCKET_LISTENING || s->state == SOCKET_DEFERRED) && (!UNIT_IS_INACTIVE_OR_FAILED(a) || waits))
                socket_set_state(s, SOCKET_RUNNING);
        else if (s->state == SOCKET_DEFERRED)
                socket_enter_listening(s);
}

static int socket_dispatch_deferred_retry(sd_event_source *source, void *userdata) {
        Manager *m = userdata;

        for (Unit *u = m->units; u && m->n_deferred_sockets > 0; u = u->next) {
                SocketUnit *sock = SOCKET(u);
                if (sock && sock->state == SOCKET_DEFERRED && !u->in_gc)
                        socket_trigger_service(sock);
        }
        return 0;
}

void socket_schedule_deferred_retry(Manager *m) {
        if (m->n_deferred_sockets == 0)
                return;
        if (!m->deferred_retry_source) {
                if (sd_event_add_defer(m->event, &m->deferred_retry_source, socket_dispatch_deferred_retry, m) < 0)
                        return;
                (void) sd_event_source_set_description(m->deferred_retry_source, "socket-deferred-retry");
        }
        (void) sd_event_source_set_enabled(m->deferred_retry_source, SD_EVENT_ONESHOT);
}

static void socket_enter_running(SocketUnit *s, int cfd) {
        if (s->meta.manager->exiting) {
                log_unit_debug(&s->meta, "Suppressing connection request since unit stop is scheduled.");
                if (cfd >= 0)
                        safe_close(cfd);
                else
                        socket_flush_ports(s);
                return;
        }

        RateLimit *tl = &s->trigger_limit;
        if (!ratelimit_below(tl, s->meta.manager->ops->now(s->meta.manager))) {
                log_unit_warning(&s->meta, "Trigger limit hit, refusing further activation.");
                safe_close(cfd);
                socket_enter_stop_pre(s, SOCKET_FAILURE_TRIGGER_LIMIT_HIT);
                return;
        }

        if (cfd < 0)
                socket_trigger_service(s);
        else
                socket_spawn_instance(s, cfd);
}

void socket_port_ready(SocketWatch *w, uint32_t revents) {
        SocketUnit *s = w->socket;
        int cfd = -EBADF;

        if (s->state != SOCKET_LISTENING)
                return;

        if (revents != EPOLLIN) {
                if (revents & EPOLLHUP)
                        log_unit_error(&s->meta, "Got POLLHUP on a listening socket. The service probably invoked shutdown() on it, and should better not do that.");
                else
                        log_unit_error(&s->meta, "Got unexpected poll event (0x%x) on socket.", revents);
                socket_enter_stop_pre(s, SOCKET_FAILURE_RESOURCES);
                return;
        }

        if (s->config->accept && socket_port_can_accept(w->port)) {
                cfd = socket_accept_connection(s, w);
                if (cfd < 0)
                        return;
        }
        socket_enter_running(s, cfd);
}

/* ---- the service's side ---- */

void socket_service_changed(SocketUnit *s, Unit *service) {
        if (s->config->accept || service != s->service)
                return;

        ServiceUnit *svc = SERVICE(service);
        if (svc && svc->start_limit_hit &&
            (s->state == SOCKET_LISTENING || s->state == SOCKET_RUNNING)) {
                socket_enter_stop_pre(s, SOCKET_FAILURE_SERVICE_START_LIMIT_HIT);
                return;
        }

        UnitActiveState a = unit_active_state(service);
        bool restarting = svc && svc->state == SERVICE_AUTO_RESTART;
        if (s->state == SOCKET_RUNNING && (UNIT_IS_INACTIVE_OR_FAILED(a) || restarting))
                socket_enter_listening(s);
        else if (s->state == SOCKET_LISTENING && a == UNIT_ACTIVE)
                socket_set_state(s, SOCKET_RUNNING);
}

int socket_mptcp_counts(SocketUnit *s, unsigned *ret_mptcp, unsigned *ret_fallback) {
        SockDiagMptcpCounts total = {};
        bool any = false;

        if (s->config->accept) {
                *ret_mptcp = s->n_accepted_mptcp;
                *ret_fallback = s->n_accepted_fallback;
                return 0;
        }
        /* One query per open MPTCP listener, only when asked: nothing is
         * counted while nobody looks. */
        for (size_t i = 0; i < s->config->n_ports; i++) {
                const SocketPort *p = &s->config->ports[i];
                SockDiagListener l;
                SockDiagMptcpCounts c;

                if (p->type != SOCKET_PORT_SOCKET || p->fd < 0 || p->address.protocol != IPPROTO_MPTCP)
                        continue;
                int r = sock_diag_listener_from_fd(p->fd, &l);
                if (r >= 0)
                        r = sock_diag_mptcp_count(&l, &c);
                if (r < 0)
                        return log_unit_debug_errno(&s->meta, r, "Cannot count MPTCP connections: %m");
                total.mptcp += c.mptcp;
                total.fallback += c.fallback;
                any = true;
        }
        if (!any)
                return -ENODATA;
        *ret_mptcp = total.mptcp;
        *ret_fallback = total.fallback;
        return 0;
}

char *socket_triggered_service_name(const SocketUnit *s) {
        if (s->config->service)
                return strdup(s->config->service);

        const char *dot = strrchr(s->meta.id, '.');
        size_t n = dot ? (size_t) (dot - s->meta.id) : strlen(s->meta.id);
        char *r = malloc(n + strlen(".service") + 1);
        if (!r)
                return NULL;
        memcpy(r, s->meta.id, n);
        strcpy(r + n, ".service");
        return r;
}

int socket_set_service(SocketUnit *s, Unit *service) {
        s->service = service;
        /* unit_notify_triggering() looks up sockets by name while none
         * names its service otherwise (never decremented: stale is safe). */
        if (!s->config->accept && s->config->service)
                s->meta.manager->n_sockets_with_service_setting++;
        if (!s->config->accept)
                return 0;
        /* Instances are named after the template: foo@.service -> "foo". */
        const char *at = strchr(service->id, '@');
        size_t n = at ? (size_t) (at - service->id) : strcspn(service->id, ".");
        free(s->instance_prefix);
        s->instance_prefix = strndup(service->id, n);
        return s->instance_prefix ? 0 : -ENOMEM;
}

/* ---- requests ---- */

static int socket_prepare_runtime(SocketUnit *s) {
        if (!s->watches) {
                s->watches = new0(SocketWatch, s->config->n_ports);
                if (!s->watches)
                        return -ENOMEM;
                for (size_t i = 0; i < s->config->n_ports; i++)
                        s->watches[i] = (SocketWatch) { .socket = s, .port = &s->config->ports[i] };
        }
        if (s->config->accept && s->config->max_connections_per_source > 0 && !s->peers) {
                s->n_peer_slots = s->config->max_connections;
                s->peers = new0(SocketPeerCount, s->n_peer_slots);
                if (!s->peers)
                        return -ENOMEM;
        }
        s->trigger_limit.interval = s->config->trigger_limit.interval;
        s->trigger_limit.burst = s->config->trigger_limit.burst;
        ratelimit_reset(&s->trigger_limit);
        return 0;
}

void socket_fail(SocketUnit *s, SocketResult f) {
        socket_enter_stop_pre(s, f);
}

static int socket_start(Unit *u) {
        SocketUnit *s = SOCKET(u);
        int r;

        if (socket_state_is_stopping(s->state))
                return -EAGAIN;
        if (s->state >= SOCKET_START_PRE && s->state <= SOCKET_RUNNING)
                return 0;

        if (!s->service || !s->service->config || s->service->config->load_state != UNIT_LOADED)
                return log_unit_error_errno(u, -ENOENT, "Socket service %s not loaded, refusing.",
                                            s->service ? s->service->id : "(none)");
        if (!s->config->accept && !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(s->service))) {
                ServiceUnit *svc = SERVICE(s->service);
                if (!svc || svc->state != SERVICE_AUTO_RESTART)
                        return log_unit_error_errno(u, -EBUSY, "Socket service %s already active, refusing.",
                                                    s->service->id);
        }

        r = unit_test_start_limit(u);
        if (r < 0) {
                s->result = SOCKET_FAILURE_START_LIMIT_HIT;
                socket_set_state(s, SOCKET_FAILED);
                return r;
        }
        r = socket_prepare_runtime(s);
        if (r >= 0 && s->config->accept)
                r = socket_prepare_instance_template(s);
        if (r < 0) {
                log_unit_error_errno(u, r, "Failed to prepare: %m");
                s->result = SOCKET_FAILURE_RESOURCES;
                socket_set_state(s, SOCKET_FAILED);
                return r;
        }

        s->result = SOCKET_SUCCESS;
        s->meta.start_seq = ++s->meta.manager->start_seq;
        socket_enter_start_pre(s);
        return 0;
}

static int socket_stop(Unit *u) {
        SocketUnit *s = SOCKET(u);

        if (socket_state_is_stopping(s->state))
                return 0;
        if (s->state >= SOCKET_START_PRE && s->state <= SOCKET_START_POST) {
                socket_enter_signal(s, SOCKET_STOP_PRE_SIGTERM, SOCKET_SUCCESS);
                return 0;
        }
        if (s->state == SOCKET_LISTENING || s->state == SOCKET_DEFERRED || s->state == SOCKET_RUNNING)
                socket_enter_stop_pre(s, SOCKET_SUCCESS);
        return 0;
}

/* ---- events ---- */

static SocketResult socket_result_from_exit(int code, int status) {
        if (code == CLD_EXITED)
                return status == 0 ? SOCKET_SUCCESS : SOCKET_FAILURE_EXIT_CODE;
        if (code == CLD_DUMPED)
                return SOCKET_FAILURE_CORE_DUMP;
        return SOCKET_FAILURE_SIGNAL;
}

/* The control command finished with result f: run the next one of the
 * chain or move on. */
static void socket_control_done(SocketUnit *s, SocketResult f) {
        if (f == SOCKET_SUCCESS && s->control_command && s->control_command->next) {
                s->control_command = s->control_command->next;
                int r = socket_spawn_control(s, s->control_command);
                if (r >= 0)
                        return;
                f = SOCKET_FAILURE_RESOURCES;
        }
        s->control_command = NULL;

        switch (s->state) {
        case SOCKET_START_PRE:
                if (f == SOCKET_SUCCESS)
                        socket_enter_start_open(s);
                else
                        socket_enter_signal(s, SOCKET_FINAL_SIGTERM, f);
                break;
        case SOCKET_START_POST:
                if (f == SOCKET_SUCCESS)
                        socket_enter_listening(s);
                else
                        socket_enter_stop_pre(s, f);
                break;
        case SOCKET_STOP_PRE:
        case SOCKET_STOP_PRE_SIGTERM:
        case SOCKET_STOP_PRE_SIGKILL:
                socket_enter_stop_post(s, f);
                break;
        case SOCKET_STOP_POST:
        case SOCKET_FINAL_SIGTERM:
        case SOCKET_FINAL_SIGKILL:
                socket_enter_dead(s, f);
                break;
        default:
                break;
        }
}

static void socket_process_exited(Unit *u, pid_t pid, int code, int status) {
        SocketUnit *s = SOCKET(u);

        if (pid != s->control_process.pid)
                return;
        unit_process_release(&s->control_process);

        SocketResult f = socket_result_from_exit(code, status);
        if (f != SOCKET_SUCCESS && s->control_command &&
            (s->control_command->flags & EXEC_COMMAND_IGNORE_FAILURE))
                f = SOCKET_SUCCESS;
        if (f != SOCKET_SUCCESS)
                log_unit_warning(u, "Control process exited, code=%s, status=%d",
                                 code == CLD_EXITED ? "exited" : "killed", status);
        socket_control_done(s, f);
}

static void socket_timer_fired(Unit *u) {
        SocketUnit *s = SOCKET(u);
        bool sigkill = socket_config_kill_context(s->config)->send_sigkill;

        log_unit_warning(u, "%s operation timed out.", socket_state_to_string(s->state));
        switch (s->state) {
        case SOCKET_DEFERRED:
                /* DeferTriggerMaxSec= passed with the conflict still there. */
                socket_enter_stop_pre(s, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_START_PRE:
                socket_enter_signal(s, SOCKET_FINAL_SIGTERM, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_START_POST:
        case SOCKET_STOP_PRE:
                socket_enter_signal(s, SOCKET_STOP_PRE_SIGTERM, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_STOP_PRE_SIGTERM:
                if (sigkill)
                        socket_enter_signal(s, SOCKET_STOP_PRE_SIGKILL, SOCKET_FAILURE_TIMEOUT);
                else
                        socket_enter_stop_post(s, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_STOP_PRE_SIGKILL:
                socket_enter_stop_post(s, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_STOP_POST:
                socket_enter_signal(s, SOCKET_FINAL_SIGTERM, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_FINAL_SIGTERM:
                if (sigkill)
                        socket_enter_signal(s, SOCKET_FINAL_SIGKILL, SOCKET_FAILURE_TIMEOUT);
                else
                        socket_enter_dead(s, SOCKET_FAILURE_TIMEOUT);
                break;
        case SOCKET_FINAL_SIGKILL:
                socket_enter_dead(s, SOCKET_FAILURE_TIMEOUT);
                break;
        default:
                break;
        }
}

static UnitActiveState socket_active_state(const Unit *u) {
        return socket_state_to_active_state(((const SocketUnit *) u)->state);
}

static const char *socket_sub_state(const Unit *u) {
        return socket_state_to_string(((const SocketUnit *) u)->state);
}

static const char *socket_result(const Unit *u) {
        return socket_result_to_string(((const SocketUnit *) u)->result);
}

static void socket_reset_failed(Unit *u) {
        SocketUnit *s = SOCKET(u);
        if (s->state == SOCKET_FAILED)
                socket_set_state(s, SOCKET_DEAD);
        s->result = SOCKET_SUCCESS;
}

static void socket_trigger_notify(Unit *u, Unit *other) {
        socket_service_changed(SOCKET(u), other);
}

static void socket_done(Unit *u) {
        SocketUnit *s = SOCKET(u);

        if (s->config)
                socket_close_fds(s);
        unit_process_release(&s->control_process);
        free(s->watches);
        free(s->peers);
        s->spawn_template = spawn_template_free(s->spawn_template);
        if (s->instance_exec) {
                exec_prepared_done(s->instance_exec);
                free(s->instance_exec);
        }
        free(s->instance_prefix);
}

const UnitVTable socket_vtable = {
        .object_size = sizeof(SocketUnit),
        .done = socket_done,
        .start = socket_start,
        .stop = socket_stop,
        .active_state = socket_active_state,
        .sub_state = socket_sub_state,
        .result = socket_result,
        .process_exited = socket_process_exited,
        .timer_fired = socket_timer_fired,
        .trigger_notify = socket_trigger_notify,
        .reset_failed = socket_reset_failed,
};
