/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>

#include <arpa/inet.h>

#include "alloc-util.h"
#include "env-util.h"
#include "execute.h"
#include "fd-util.h"
#include "job.h"
#include "manager.h"
#include "service-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-dependency.h"

static const char * const service_state_table[_SERVICE_STATE_MAX] = {
        [SERVICE_DEAD] = "dead",
        [SERVICE_START_PRE] = "start-pre",
        [SERVICE_START] = "start",
        [SERVICE_START_POST] = "start-post",
        [SERVICE_RUNNING] = "running",
        [SERVICE_EXITED] = "exited",
        [SERVICE_STOP] = "stop",
        [SERVICE_STOP_SIGTERM] = "stop-sigterm",
        [SERVICE_STOP_SIGKILL] = "stop-sigkill",
        [SERVICE_STOP_POST] = "stop-post",
        [SERVICE_FINAL_SIGTERM] = "final-sigterm",
        [SERVICE_FINAL_SIGKILL] = "final-sigkill",
        [SERVICE_FAILED] = "failed",
        [SERVICE_AUTO_RESTART] = "auto-restart",
        [SERVICE_RELOAD] = "reload",
        [SERVICE_CONDITION] = "condition",
};

static const char * const service_result_table[_SERVICE_RESULT_MAX] = {
        [SERVICE_SUCCESS] = "success",
        [SERVICE_FAILURE_RESOURCES] = "resources",
        [SERVICE_FAILURE_PROTOCOL] = "protocol",
        [SERVICE_FAILURE_TIMEOUT] = "timeout",
        [SERVICE_FAILURE_EXIT_CODE] = "exit-code",
        [SERVICE_FAILURE_SIGNAL] = "signal",
        [SERVICE_FAILURE_CORE_DUMP] = "core-dump",
        [SERVICE_FAILURE_WATCHDOG] = "watchdog",
        [SERVICE_FAILURE_START_LIMIT_HIT] = "start-limit-hit",
};

static const UnitActiveState service_active_state_table[_SERVICE_STATE_MAX] = {
        [SERVICE_DEAD] = UNIT_INACTIVE,
        [SERVICE_START_PRE] = UNIT_ACTIVATING,
        [SERVICE_START] = UNIT_ACTIVATING,
        [SERVICE_START_POST] = UNIT_ACTIVATING,
        [SERVICE_RUNNING] = UNIT_ACTIVE,
        [SERVICE_EXITED] = UNIT_ACTIVE,
        [SERVICE_STOP] = UNIT_DEACTIVATING,
        [SERVICE_STOP_SIGTERM] = UNIT_DEACTIVATING,
        [SERVICE_STOP_SIGKILL] = UNIT_DEACTIVATING,
        [SERVICE_STOP_POST] = UNIT_DEACTIVATING,
        [SERVICE_FINAL_SIGTERM] = UNIT_DEACTIVATING,
        [SERVICE_FINAL_SIGKILL] = UNIT_DEACTIVATING,
        [SERVICE_FAILED] = UNIT_FAILED,
        [SERVICE_AUTO_RESTART] = UNIT_ACTIVATING,
        [SERVICE_RELOAD] = UNIT_RELOADING,
        [SERVICE_CONDITION] = UNIT_ACTIVATING,
};

const char *service_state_to_string(ServiceState s) {
        return s >= 0 && s < _SERVICE_STATE_MAX ? service_state_table[s] : NULL;
}

ServiceState service_state_from_string(const char *s) {
        for (ServiceState i = 0; i < _SERVICE_STATE_MAX; i++)
                if (streq_ptr(service_state_table[i], s))
                        return i;
        return _SERVICE_STATE_INVALID;
}

const char *service_result_to_string(ServiceResult r) {
        return r >= 0 && r < _SERVICE_RESULT_MAX ? service_result_table[r] : NULL;
}

ServiceResult service_result_from_string(const char *s) {
        for (ServiceResult i = 0; i < _SERVICE_RESULT_MAX; i++)
                if (streq_ptr(service_result_table[i], s))
                        return i;
        return _SERVICE_RESULT_INVALID;
}

UnitActiveState service_state_to_active_state(ServiceState s) {
        return s >= 0 && s < _SERVICE_STATE_MAX ? service_active_state_table[s] : _UNIT_ACTIVE_STATE_INVALID;
}

static bool service_state_is_stopping(ServiceState s) {
        return s >= SERVICE_STOP && s <= SERVICE_FINAL_SIGKILL;
}

static bool service_state_is_starting(ServiceState s) {
        return (s >= SERVICE_START_PRE && s <= SERVICE_START_POST) || s == SERVICE_CONDITION;
}

/* States that keep a timer: the start/stop timeouts and the restart delay. */
static bool service_state_has_timer(ServiceState s) {
        return service_state_is_starting(s) || service_state_is_stopping(s) || s == SERVICE_AUTO_RESTART ||
               s == SERVICE_RELOAD;
}

static void service_fd_store_release(ServiceUnit *s);
static void service_enter_dead(ServiceUnit *s, ServiceResult f, bool allow_restart);
static void service_enter_stop(ServiceUnit *s, ServiceResult f);
static void service_enter_stop_post(ServiceUnit *s, ServiceResult f);
static void service_enter_signal(ServiceUnit *s, ServiceState state, ServiceResult f);
static void service_enter_start(ServiceUnit *s);
static void service_enter_start_post(ServiceUnit *s);
static void service_enter_running(ServiceUnit *s, ServiceResult f);
static void service_reload_abandon(ServiceUnit *s);

NotifyAccess service_config_notify_access(const ServiceConfig *c) {
        if (c->notify_access >= 0)
                return c->notify_access;
        /* As systemd's service_add_extras(): a service that may keep fds
         * in the store must be able to send them. */
        if (c->type == SERVICE_NOTIFY || c->type == SERVICE_NOTIFY_RELOAD || c->n_fd_store_max > 0)
                return NOTIFY_MAIN;
        return NOTIFY_NONE;
}

/* The loader already made a oneshot's default start timeout infinite. */
static usec_t service_timeout_start(const ServiceUnit *s) {
        return s->config->timeout_start_usec == 0 ? USEC_INFINITY : s->config->timeout_start_usec;
}

static usec_t service_timeout_stop(const ServiceUnit *s) {
        return s->config->timeout_stop_usec == 0 ? USEC_INFINITY : s->config->timeout_stop_usec;
}

/* Accept=yes instance: give the connection back to the socket's counts. */
static void service_release_connection(ServiceUnit *s) {
        s->connection_fd = safe_close(s->connection_fd);
        if (s->accept_socket) {
                socket_connection_released(s->accept_socket, &s->peer);
                s->accept_socket = NULL;
        }
}

static void service_set_state(ServiceUnit *s, ServiceState state) {
        ServiceState old = s->state;

        s->state = state;
        if (!service_state_has_timer(state))
                unit_disarm_timer(&s->meta);
        if (state == SERVICE_DEAD || state == SERVICE_FAILED || state == SERVICE_AUTO_RESTART) {
                unit_process_release(&s->main_process);
                unit_process_release(&s->control_process);
        }
        if (state == SERVICE_DEAD || state == SERVICE_FAILED) {
                /* FileDescriptorStorePreserve=: no and restart (the default)
                 * drop the store once the service is really down; yes keeps
                 * it as long as porterd runs. */
                if (s->config->fd_store_preserve != EXEC_PRESERVE_YES)
                        service_fd_store_release(s);
                service_release_connection(s);
                /* RuntimeDirectoryPreserve=yes keeps the directories; restart
                 * keeps them only across automatic restarts, which do not
                 * pass through here. */
                if (s->config->exec.runtime_directory_preserve != EXEC_PRESERVE_YES)
                        exec_runtime_dirs_remove(s->runtime_dirs);
                s->runtime_dirs = strv_free(s->runtime_dirs);
        }

        if (old != state)
                log_unit_debug(&s->meta, "Changed %s -> %s", service_state_to_string(old),
                               service_state_to_string(state));
        /* Timestamps, and a pending job (job.h) takes its verdict from the new state. */
        unit_notify_state(&s->meta);
        /* An Accept=yes instance is no socket's service (its socket ignores
         * it in socket_service_changed()), and the walk over every unit
         * would cost O(units) per state change and connection. */
        if (old != state && !s->meta.in_gc && !s->instance)
                unit_notify_triggering(&s->meta);
        if (UNIT_IS_INACTIVE_OR_FAILED(service_state_to_active_state(state))) {
                /* Nothing can depend on a per-connection instance. */
                if (!s->instance && !s->meta.in_gc &&
                    !UNIT_IS_INACTIVE_OR_FAILED(service_state_to_active_state(old)))
                        unit_propagate_stop(&s->meta);
                manager_unit_inactive(s->meta.manager, &s->meta);
        }
}

/* ---- processes ---- */

/* The fds of every socket unit that triggers this service (spec §6.1):
 * its Accept=no sockets and those named in Sockets=, ports in order. */
static int service_collect_fds(ServiceUnit *s, int **ret_fds, char ***ret_names, size_t *ret_n) {
        _cleanup_free_ int *fds = NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;

        for (Unit *u = s->meta.manager->units; u; u = u->next) {
                SocketUnit *sock = SOCKET(u);
                if (!sock || sock->config->accept)
                        continue;
                if (sock->service != &s->meta && !strv_contains(s->config->sockets, u->id))
                        continue;
                for (size_t i = 0; i < sock->config->n_ports; i++) {
                        if (sock->config->ports[i].fd < 0)
                                continue;
                        int *nf = realloc(fds, (n + 1) * sizeof(int));
                        if (!nf)
                                return -ENOMEM;
                        fds = nf;
                        fds[n++] = sock->config->ports[i].fd;
                        if (strv_extend(&names, sock->config->fdname ?: u->id) < 0)
                                return -ENOMEM;
                }
        }
        *ret_fds = TAKE_PTR(fds);
        *ret_names = TAKE_PTR(names);
        *ret_n = n;
        return 0;
}

/* An Accept=yes instance on the general path (no shared template): its
 * connection is its one fd, named FileDescriptorName= or "connection". */
static int service_instance_fds(ServiceUnit *s, int **ret_fds, char ***ret_names, size_t *ret_n) {
        if (s->connection_fd < 0)
                return -EBADF;
        _cleanup_free_ int *fds = new(int, 1);
        char **names = NULL;
        const char *name = s->accept_socket && s->accept_socket->config->fdname ?
                           s->accept_socket->config->fdname : "connection";
        if (!fds || strv_extend(&names, name) < 0)
                return -ENOMEM;
        fds[0] = s->connection_fd;
        *ret_fds = TAKE_PTR(fds);
        *ret_names = names;
        *ret_n = 1;
        return 0;
}

/* REMOTE_ADDR= and REMOTE_PORT= for the general path (the template path
 * has spawn.c fill them in). */
static int service_remote_env(ServiceUnit *s, char ***env) {
        char addr[INET6_ADDRSTRLEN], port[8];
        unsigned p;

        /* AF_UNIX peers are unnamed here: nothing to set. */
        if (s->peer_salen == 0 || sockaddr_ip_string(&s->peer_sa.sa, s->peer_salen, addr, sizeof addr, &p) < 0)
                return 0;
        snprintf(port, sizeof port, "%u", p);
        if (strv_env_assign(env, "REMOTE_ADDR", addr) < 0 || strv_env_assign(env, "REMOTE_PORT", port) < 0)
                return -ENOMEM;
        return 0;
}

char **service_notify_env(Manager *m, const ServiceConfig *c) {
        char **env = strv_copy(NULL);

        if (env && service_config_notify_access(c) != NOTIFY_NONE && m->notify_socket_path) {
                char *e = strjoin("NOTIFY_SOCKET=", m->notify_socket_path);
                if (!e || strv_consume(&env, e) < 0)
                        return strv_free(env);
        }
        /* $FDSTORE (systemd v254+): how many fds the store takes. */
        if (env && c->n_fd_store_max > 0) {
                char v[16];
                snprintf(v, sizeof v, "%u", c->n_fd_store_max);
                if (strv_env_assign(&env, "FDSTORE", v) < 0)
                        return strv_free(env);
        }
        return env;
}

static bool service_socket_stdio(const ServiceUnit *s) {
        const ExecContext *ec = &s->config->exec;
        return ec->std_input == EXEC_INPUT_SOCKET || ec->std_output == EXEC_OUTPUT_SOCKET ||
               ec->std_error == EXEC_OUTPUT_SOCKET;
}

/* StandardInput=socket (or output): as in systemd's service_spawn(), a
 * control process gets the same socket on its stdio as the main process
 * (an Accept=yes instance's connection), and no LISTEN_FDS. */
static int service_spawn_control_socket(ServiceUnit *s, ExecCommand *c, char * const *env) {
        _cleanup_free_ int *fds = NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        int r;

        if (s->instance)
                r = service_instance_fds(s, &fds, &names, &n);
        else
                r = service_collect_fds(s, &fds, &names, &n);
        if (r < 0)
                return log_unit_error_errno(&s->meta, r, "Got no socket for '%s': %m", c->argv[0]);
        ExecExtra x = { .fds = fds, .n_fds = n, .fd_names = names, .extra_env = env, .capture_output = true };
        ExecPrepared p;
        r = exec_prepare(s->meta.manager, c, &s->config->exec, &x, &p);
        if (r < 0)
                return log_unit_error_errno(&s->meta, r, "Failed to prepare '%s': %m", c->argv[0]);
        r = unit_spawn_prepared(&s->meta, &p, &s->control_process);
        exec_prepared_done(&p);
        if (r < 0)
                return log_unit_error_errno(&s->meta, r, "Failed to spawn '%s': %m", c->argv[0]);
        return 0;
}

/* A fresh $INVOCATION_ID for a run, as systemd makes one per start: 128
 * random bits in lowercase hex.  Not for an Accept=yes instance spawned
 * from its socket's prepared template: that environment is fixed per
 * socket, so none of its processes could see the id, and the
 * per-connection path spends nothing on it. */
static void service_new_invocation_id(ServiceUnit *s) {
        static const char hex[] = "0123456789abcdef";
        uint8_t b[16];

        s->invocation_id[0] = '\0';
        if (s->instance && s->accept_socket && s->accept_socket->spawn_template)
                return;
        if (getrandom(b, sizeof b, 0) != (ssize_t) sizeof b)
                return;
        for (size_t i = 0; i < sizeof b; i++) {
                s->invocation_id[2 * i] = hex[b[i] >> 4];
                s->invocation_id[2 * i + 1] = hex[b[i] & 15];
        }
        s->invocation_id[2 * sizeof b] = '\0';
}

/* ExecStop= and ExecStopPost= learn how the service went, as in systemd:
 * $SERVICE_RESULT, and once the main process exited $EXIT_CODE (exited,
 * killed, dumped) and $EXIT_STATUS (the number, or the signal name without
 * "SIG"). */
static int service_result_env(const ServiceUnit *s, char ***env) {
        char status[16];
        const char *code;

        if (strv_env_assign(env, "SERVICE_RESULT", service_result_to_string(s->result)) < 0)
                return -ENOMEM;
        if (s->main_exit_code == 0)
                return 0; /* no main process exited in this run */
        code = s->main_exit_code == CLD_EXITED ? "exited" : s->main_exit_code == CLD_DUMPED ? "dumped" : "killed";
        const char *sig = s->main_exit_code == CLD_EXITED ? NULL : sigabbrev_np(s->main_exit_status);
        if (sig)
                snprintf(status, sizeof status, "%s", sig);
        else
                snprintf(status, sizeof status, "%d", s->main_exit_status);
        if (strv_env_assign(env, "EXIT_CODE", code) < 0 || strv_env_assign(env, "EXIT_STATUS", status) < 0)
                return -ENOMEM;
        return 0;
}

/* What porterd sets for a control process (systemd's service_spawn()):
 * $MAINPID while there is a main process ("ExecReload=kill -HUP $MAINPID"
 * depends on it), $NOTIFY_SOCKET for NotifyAccess=exec or all, $FDSTORE,
 * $INVOCATION_ID, and for the stop commands the result. */
static char **service_control_env(ServiceUnit *s) {
        _cleanup_strv_free_ char **env = strv_copy(NULL);
        char v[32];

        if (!env)
                return NULL;
        if (s->main_process.pid > 0) {
                snprintf(v, sizeof v, "%d", (int) s->main_process.pid);
                if (strv_env_assign(&env, "MAINPID", v) < 0)
                        return NULL;
        }
        if (service_config_notify_access(s->config) >= NOTIFY_EXEC && s->meta.manager->notify_socket_path &&
            strv_env_assign(&env, "NOTIFY_SOCKET", s->meta.manager->notify_socket_path) < 0)
                return NULL;
        if (s->config->n_fd_store_max > 0) {
                snprintf(v, sizeof v, "%u", s->config->n_fd_store_max);
                if (strv_env_assign(&env, "FDSTORE", v) < 0)
                        return NULL;
        }
        if (s->invocation_id[0] && strv_env_assign(&env, "INVOCATION_ID", s->invocation_id) < 0)
                return NULL;
        if ((s->control_command_id == SERVICE_EXEC_STOP || s->control_command_id == SERVICE_EXEC_STOP_POST) &&
            service_result_env(s, &env) < 0)
                return NULL;
        return TAKE_PTR(env);
}

static int service_spawn_control(ServiceUnit *s, ExecCommand *c) {
        _cleanup_strv_free_ char **env = service_control_env(s);

        if (!env)
                return -ENOMEM;
        if (service_socket_stdio(s))
                return service_spawn_control_socket(s, c, env);
        return unit_spawn_command_env(&s->meta, c, &s->config->exec, env, &s->control_process);
}

/* Run the first command for `id`: 1 if one runs, 0 if none, -errno. */
static int service_run_control(ServiceUnit *s, ServiceExecCommand id) {
        s->control_command_id = id;
        s->control_command = s->config->exec_command[id];
        if (!s->control_command)
                return 0;
        int r = service_spawn_control(s, s->control_command);
        return r < 0 ? r : 1;
}

/* Stop a running ExecReload= for good: kill it and forget it. */
static void service_reload_abandon(ServiceUnit *s) {
        if (s->control_process.pid > 0)
                (void) unit_kill_process(&s->meta, &s->control_process, SIGKILL, true);
        unit_process_release(&s->control_process);
        s->control_command = NULL;
}

/* Accept=yes: the socket's prepared template, nothing parsed or built. */
static int service_spawn_instance(ServiceUnit *s) {
        Manager *m = s->meta.manager;
        pid_t pid;
        int pidfd = -EBADF, r;

        r = m->ops->spawn_template(m, s->accept_socket->spawn_template, s->connection_fd,
                                   &s->peer_sa.sa, s->peer_salen, &pid, &pidfd);
        if (r < 0)
                return r;
        s->main_process = (UnitProcess) { .pid = pid, .pidfd = pidfd };
        r = m->ops->watch(m, &s->meta, &s->main_process);
        if (r < 0)
                log_unit_warning_errno(&s->meta, r, "Failed to watch process: %m");
        /* The child has its own copy; ours only holds the connection open.
         * Closing it now keeps porterd's fd count flat under load, unless
         * a later control process needs it on its stdio. */
        if (!service_socket_stdio(s) || (!s->config->exec_command[SERVICE_EXEC_START_POST] &&
                                         !s->config->exec_command[SERVICE_EXEC_STOP] &&
                                         !s->config->exec_command[SERVICE_EXEC_STOP_POST]))
                s->connection_fd = safe_close(s->connection_fd);
        return 0;
}

static int service_spawn_main(ServiceUnit *s, ExecCommand *c) {
        _cleanup_free_ int *fds = NULL;
        _cleanup_strv_free_ char **names = NULL, **env = NULL;
        size_t n = 0;
        int r;

        if (s->accept_socket && s->accept_socket->spawn_template && c == s->config->exec_command[SERVICE_EXEC_START])
                return service_spawn_instance(s);

        if (s->instance)
                r = service_instance_fds(s, &fds, &names, &n);
        else
                r = service_collect_fds(s, &fds, &names, &n);
        if (r < 0)
                return r;
        size_t n_sockets = n;
        /* The fd store comes after the socket fds, with its names. */
        if (s->n_fd_store > 0) {
                int *nf = realloc(fds, (n + s->n_fd_store) * sizeof(int));
                if (!nf)
                        return -ENOMEM;
                fds = nf;
                for (size_t i = 0; i < s->n_fd_store; i++) {
                        fds[n++] = s->fd_store[i];
                        if (strv_extend(&names, s->fd_store_names[i]) < 0)
                                return -ENOMEM;
                }
        }
        /* NonBlocking= (default off) applies to the socket fds, on the file
         * description we share with the service (spec §6.1). */
        for (size_t i = 0; i < n_sockets; i++) /* not the fd store's: spec §6.1 */
                (void) fd_nonblock(fds[i], s->config->exec.non_blocking);
        env = service_notify_env(s->meta.manager, s->config);
        if (!env)
                return -ENOMEM;
        if (s->instance) {
                r = service_remote_env(s, &env);
                if (r < 0)
                        return r;
        }
        if (s->invocation_id[0] && strv_env_assign(&env, "INVOCATION_ID", s->invocation_id) < 0)
                return -ENOMEM;
        if (s->runtime_dirs) {
                _cleanup_free_ char *dirs = strv_join(s->runtime_dirs, ":");
                if (!dirs || strv_env_assign(&env, "RUNTIME_DIRECTORY", dirs) < 0)
                        return -ENOMEM;
        }

        /* Instances keep their output on the connection or porterd's
         * stderr: a pipe per connection costs what Accept=yes must not. */
        ExecExtra x = { .fds = fds, .n_fds = n, .fd_names = names, .extra_env = env, .pass_fds = true,
                        .capture_output = !s->instance };
        ExecPrepared p;
        r = exec_prepare(s->meta.manager, c, &s->config->exec, &x, &p);
        if (r < 0)
                return r;
        r = unit_spawn_prepared(&s->meta, &p, &s->main_process);
        exec_prepared_done(&p);
        return r;
}

/* ---- transitions ---- */

static bool service_should_restart(const ServiceUnit *s) {
        if (s->forbid_restart || s->meta.manager->exiting)
                return false;
        if (s->result == SERVICE_FAILURE_START_LIMIT_HIT)
                return false;
        if (s->main_exit_code == CLD_EXITED &&
            exit_status_set_test_status(&service_config_exit_status(s->config)->restart_prevent_status,
                                        s->main_exit_status))
                return false;
        if (s->main_exit_code == CLD_EXITED &&
            exit_status_set_test_status(&service_config_exit_status(s->config)->restart_force_status,
                                        s->main_exit_status))
                return true;

        switch (s->config->restart) {
        case SERVICE_RESTART_ALWAYS:
                return true;
        case SERVICE_RESTART_ON_SUCCESS:
                return s->result == SERVICE_SUCCESS;
        case SERVICE_RESTART_ON_FAILURE:
                return s->result != SERVICE_SUCCESS;
        case SERVICE_RESTART_ON_ABNORMAL:
                return s->result == SERVICE_FAILURE_SIGNAL || s->result == SERVICE_FAILURE_CORE_DUMP ||
                       s->result == SERVICE_FAILURE_TIMEOUT || s->result == SERVICE_FAILURE_WATCHDOG;
        case SERVICE_RESTART_ON_WATCHDOG:
                return s->result == SERVICE_FAILURE_WATCHDOG;
        case SERVICE_RESTART_ON_ABORT:
                return s->result == SERVICE_FAILURE_SIGNAL || s->result == SERVICE_FAILURE_CORE_DUMP;
        default:
                return false;
        }
}

static void service_enter_dead(ServiceUnit *s, ServiceResult f, bool allow_restart) {
        if (s->result == SERVICE_SUCCESS)
                s->result = f;

        if (allow_restart && service_should_restart(s)) {
                service_set_state(s, SERVICE_AUTO_RESTART);
                (void) unit_arm_timer(&s->meta, s->config->restart_usec);
                log_unit_info(&s->meta, "Scheduled restart job, restart counter is at %u.", s->n_restarts + 1);
                return;
        }
        if (s->result != SERVICE_SUCCESS)
                log_unit_warning(&s->meta, "Failed with result '%s'.", service_result_to_string(s->result));
        else if (!s->instance)
                log_unit_info(&s->meta, "Deactivated successfully.");
        service_set_state(s, s->result == SERVICE_SUCCESS ? SERVICE_DEAD : SERVICE_FAILED);
        manager_gc_unit(s->meta.manager, &s->meta);
}

static void service_enter_signal(ServiceUnit *s, ServiceState state, ServiceResult f) {
        if (s->result == SERVICE_SUCCESS)
                s->result = f;

        bool sigkill = state == SERVICE_STOP_SIGKILL || state == SERVICE_FINAL_SIGKILL;
        const KillContext *k = &s->config->kill;
        int sig = sigkill ? k->final_kill_signal : k->kill_signal;
        bool killed = false;

        /* RestartKillSignal=: a stop that is the first half of a restart
         * job, as systemd's KILL_RESTART. */
        if (state == SERVICE_STOP_SIGTERM && k->restart_kill_signal > 0 && s->meta.job &&
            s->meta.job->type == JOB_RESTART)
                sig = k->restart_kill_signal;

        /* KillMode=: control-group signals the whole process group, mixed
         * only the main process with the first signal and the group with
         * SIGKILL, process only the main process, none nothing at all: as
         * systemd's unit_kill_context(), the processes are left alone and
         * the stop goes on at once. */
        bool group = k->kill_mode == KILL_CONTROL_GROUP || (k->kill_mode == KILL_MIXED && sigkill);
        if (k->kill_mode == KILL_NONE && state == SERVICE_STOP_SIGTERM &&
            (s->main_process.pid > 0 || s->control_process.pid > 0))
                log_unit_warning(&s->meta, "KillMode=none: leaving the service's processes alone. KillMode=none "
                                 "is deprecated, use KillMode=mixed or control-group.");
        if (k->kill_mode != KILL_NONE) {
                if (s->main_process.pid > 0 && unit_kill_process(&s->meta, &s->main_process, sig, group) >= 0) {
                        killed = true;
                        /* SendSIGHUP=: right after the kill signal, so that
                         * shells notice their terminal is gone. */
                        if (k->send_sighup && !sigkill)
                                (void) s->meta.manager->ops->kill(s->meta.manager, &s->main_process, SIGHUP,
                                                                  group);
                }
                if (s->control_process.pid > 0 &&
                    unit_kill_process(&s->meta, &s->control_process, sig, group) >= 0)
                        killed = true;
                /* A forking daemon we could not identify: its session's
                 * process group, once; nothing to wait for. */
                if (!killed && s->config->type == SERVICE_FORKING && s->session_pid > 0 && !sigkill)
                        (void) kill(-s->session_pid, sig);
        }
        if (killed) {
                service_set_state(s, state);
                (void) unit_arm_timer(&s->meta, service_timeout_stop(s));
                return;
        }
        if (state == SERVICE_STOP_SIGTERM || state == SERVICE_STOP_SIGKILL)
                service_enter_stop_post(s, SERVICE_SUCCESS);
        else
                service_enter_dead(s, SERVICE_SUCCESS, true);
}

static void service_enter_stop_post(ServiceUnit *s, ServiceResult f) {
        if (s->result == SERVICE_SUCCESS)
                s->result = f;

        int r = service_run_control(s, SERVICE_EXEC_STOP_POST);
        if (r > 0) {
                service_set_state(s, SERVICE_STOP_POST);
                (void) unit_arm_timer(&s->meta, service_timeout_stop(s));
                return;
        }
        service_enter_signal(s, SERVICE_FINAL_SIGTERM, r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

static void service_enter_stop(ServiceUnit *s, ServiceResult f) {
        if (s->result == SERVICE_SUCCESS)
                s->result = f;

        int r = service_run_control(s, SERVICE_EXEC_STOP);
        if (r > 0) {
                service_set_state(s, SERVICE_STOP);
                (void) unit_arm_timer(&s->meta, service_timeout_stop(s));
                return;
        }
        service_enter_signal(s, SERVICE_STOP_SIGTERM, r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

static void service_enter_running(ServiceUnit *s, ServiceResult f) {
        if (s->result == SERVICE_SUCCESS)
                s->result = f;

        if (s->result != SERVICE_SUCCESS) {
                service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                return;
        }
        if (s->main_process.pid > 0)
                service_set_state(s, SERVICE_RUNNING);
        else if (s->config->remain_after_exit)
                service_set_state(s, SERVICE_EXITED);
        else if (s->config->type == SERVICE_FORKING && s->state != SERVICE_RUNNING)
                /* No main PID from PIDFile= or the session (see
                 * service_guess_main_pid()): it counts as running until
                 * stopped (its process group gets the stop signals). */
                service_set_state(s, SERVICE_RUNNING);
        else
                service_enter_stop(s, SERVICE_SUCCESS);
}

static void service_enter_start_post(ServiceUnit *s) {
        int r = service_run_control(s, SERVICE_EXEC_START_POST);
        if (r > 0) {
                service_set_state(s, SERVICE_START_POST);
                (void) unit_arm_timer(&s->meta, service_timeout_start(s));
                return;
        }
        if (r < 0) {
                service_enter_stop(s, SERVICE_FAILURE_RESOURCES);
                return;
        }
        service_enter_running(s, SERVICE_SUCCESS);
}

static void service_enter_start(ServiceUnit *s) {
        ExecCommand *c = s->config->exec_command[SERVICE_EXEC_START];
        int r;

        s->main_command = c;
        if (!c) {
                /* Type=oneshot without ExecStart= (RemainAfterExit=yes). */
                service_enter_start_post(s);
                return;
        }

        r = service_spawn_main(s, c);
        if (r < 0) {
                log_unit_error_errno(&s->meta, r, "Failed to start main process '%s': %m", c->argv[0]);
                /* As systemd v258: leftovers get the stop signals, then ExecStopPost= runs. */
                service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_RESOURCES);
                return;
        }
        /* Per-connection instances log at debug only: one line each would
         * flood the log under load. */
        log_unit_full_errno(&s->meta, s->instance ? LOG_DEBUG : LOG_INFO, 0,
                            "Started main process %d.", (int) s->main_process.pid);
        s->session_pid = s->main_process.pid;

        switch (s->config->type) {
        case SERVICE_ONESHOT:
        case SERVICE_FORKING:
        case SERVICE_NOTIFY:
        case SERVICE_NOTIFY_RELOAD:
        case SERVICE_DBUS:
                /* Started once it exits (oneshot, forking) or says READY=1. */
                service_set_state(s, SERVICE_START);
                (void) unit_arm_timer(&s->meta, service_timeout_start(s));
                break;
        default:
                /* simple, exec, idle: spawn() returned after execve(). */
                service_set_state(s, SERVICE_START);
                service_enter_start_post(s);
        }
}

static void service_enter_start_pre(ServiceUnit *s) {
        int r = service_run_control(s, SERVICE_EXEC_START_PRE);
        if (r > 0) {
                service_set_state(s, SERVICE_START_PRE);
                (void) unit_arm_timer(&s->meta, service_timeout_start(s));
                return;
        }
        if (r < 0) {
                service_enter_dead(s, SERVICE_FAILURE_RESOURCES, true);
                return;
        }
        service_enter_start(s);
}

/* ExecCondition= (systemd v243+), before ExecStartPre=: its exit decides
 * whether the service starts at all (service_control_exited()). */
static void service_enter_condition(ServiceUnit *s) {
        int r = service_run_control(s, SERVICE_EXEC_CONDITION);
        if (r > 0) {
                service_set_state(s, SERVICE_CONDITION);
                (void) unit_arm_timer(&s->meta, service_timeout_start(s));
                return;
        }
        if (r < 0) {
                service_enter_dead(s, SERVICE_FAILURE_RESOURCES, true);
                return;
        }
        service_enter_start_pre(s);
}

/* ---- requests ---- */

static int service_start_now(ServiceUnit *s);

/* The RestartSec= timer fired. */
static void service_restart(ServiceUnit *s) {
        s->n_restarts++;
        if (service_start_now(s) < 0)
                log_unit_warning(&s->meta, "Failed to restart.");
}

static int service_start(Unit *u) {
        ServiceUnit *s = SERVICE(u);

        if (service_state_is_stopping(s->state))
                return -EAGAIN;
        if (service_state_is_starting(s->state) || s->state == SERVICE_RUNNING || s->state == SERVICE_EXITED)
                return 0;
        /* As systemd: a start request does not cut RestartSec= short; the
         * restart timer starts the service (the caller treats -EAGAIN as
         * "start pending"). */
        if (s->state == SERVICE_AUTO_RESTART)
                return -EAGAIN;

        s->n_restarts = 0;
        return service_start_now(s);
}

/* Sockets= implies Wants= and After=: start the listed socket units that
 * are not active yet, so that their fds are there for the service. */
static void service_start_sockets(ServiceUnit *s) {
        STRV_FOREACH(name, s->config->sockets) {
                Unit *sock = manager_get_unit(s->meta.manager, *name);
                if (!sock || !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(sock)))
                        continue;
                int r = unit_start(sock);
                if (r < 0)
                        log_unit_warning_errno(&s->meta, r, "Failed to start socket %s: %m", *name);
        }
}

static int service_start_now(ServiceUnit *s) {
        Unit *u = &s->meta;

        if (unit_test_start_limit(u) < 0) {
                s->start_limit_hit = true;
                s->result = SERVICE_FAILURE_START_LIMIT_HIT;
                log_unit_warning(u, "Failed with result 'start-limit-hit'.");
                service_set_state(s, SERVICE_FAILED);
                return -ECANCELED;
        }

        s->start_limit_hit = false;
        s->result = SERVICE_SUCCESS;
        s->forbid_restart = false;
        s->main_exit_code = s->main_exit_status = 0;
        service_new_invocation_id(s);
        free(s->status_text);
        s->status_text = NULL;
        service_start_sockets(s);
        s->meta.start_seq = ++s->meta.manager->start_seq;
        /* Every instance makes its RuntimeDirectory= too (it costs nothing
         * when there is none): Accept=yes instances such as Debian's
         * ssh@.service share one directory and keep it with
         * RuntimeDirectoryPreserve=yes.  The list of an earlier run (after
         * an automatic restart) names the same directories. */
        s->runtime_dirs = strv_free(s->runtime_dirs);
        int r = exec_runtime_dirs_create(s->meta.manager, &s->config->exec, &s->runtime_dirs);
        if (r < 0) {
                log_unit_error_errno(u, r, "Failed to set up RuntimeDirectory=: %m");
                service_enter_dead(s, SERVICE_FAILURE_RESOURCES, false);
                return 0;
        }
        service_enter_condition(s);
        return 0;
}

static int service_stop(Unit *u) {
        ServiceUnit *s = SERVICE(u);

        s->forbid_restart = true;
        if (service_state_is_stopping(s->state))
                return 0;
        if (s->state == SERVICE_AUTO_RESTART) {
                service_set_state(s, SERVICE_DEAD);
                manager_gc_unit(u->manager, u);
                return 0;
        }
        if (service_state_is_starting(s->state) || s->state == SERVICE_RELOAD) {
                service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_SUCCESS);
                return 0;
        }
        if (s->state == SERVICE_RUNNING || s->state == SERVICE_EXITED)
                service_enter_stop(s, SERVICE_SUCCESS);
        return 0;
}

/* ---- events ---- */

/* cmd: the command that exited (its "-" prefix makes any exit a success). */
static ServiceResult service_result_from_exit(const ServiceUnit *s, const ExecCommand *cmd, int code, int status) {
        bool clean_signals = s->config->type != SERVICE_ONESHOT;
        if (unit_exit_is_clean(code, status, clean_signals, &service_config_exit_status(s->config)->success_status))
                return SERVICE_SUCCESS;
        /* ExecStart=-/bin/foo: a failure of the main process counts as
         * success, as in systemd (sshd -i instances exit 255 routinely).
         * Only its own: a control process's exit does not inherit it. */
        if (cmd && (cmd->flags & EXEC_COMMAND_IGNORE_FAILURE))
                return SERVICE_SUCCESS;
        if (code == CLD_EXITED)
                return SERVICE_FAILURE_EXIT_CODE;
        if (code == CLD_DUMPED)
                return SERVICE_FAILURE_CORE_DUMP;
        return SERVICE_FAILURE_SIGNAL;
}

/* Type=forking: the daemon's pid from PIDFile=.  Returns the pid, 0 when
 * there is no PIDFile= or no live process in it. */
static pid_t service_read_pid_file(ServiceUnit *s) {
        if (!s->config->pid_file)
                return 0;
        _cleanup_fclose_ FILE *f = fopen(s->config->pid_file, "re");
        unsigned long v = 0;
        if (!f || fscanf(f, "%lu", &v) != 1 || v <= 1 || v > INT32_MAX) {
                log_unit_warning(&s->meta, "PID file %s not readable (yet?) after start.", s->config->pid_file);
                return 0;
        }
        pid_t pid = (pid_t) v;
        if (kill(pid, 0) < 0 && errno == ESRCH) {
                log_unit_warning(&s->meta, "PID %d read from file %s does not exist.", (int) pid,
                                 s->config->pid_file);
                return 0;
        }
        return pid;
}

/* Of /proc/PID/stat: state, parent and session (the fields after the
 * command name, which may itself hold spaces and parentheses).  Returns 0
 * or -errno (-ESRCH once the process is gone). */
static int service_proc_stat(pid_t pid, char *ret_state, pid_t *ret_ppid, pid_t *ret_session) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        int ppid, pgrp, session;
        if (!p || sscanf(p + 1, " %c %d %d %d", ret_state, &ppid, &pgrp, &session) != 4)
                return -EBADMSG;
        *ret_ppid = ppid;
        *ret_session = session;
        return 0;
}

/* Type=forking without PIDFile=: systemd takes the one process left in the
 * service's cgroup.  Without cgroups the session stands in for it: every
 * service starts in a session of its own (setsid), and porterd is a child
 * subreaper, so a daemon the initial process left behind is now our child
 * and still in that session, unless it called setsid() itself.  Returns
 * the pid of the only such live process, or 0 with the number found
 * (0, or 2 for "several") in *ret_found. */
static pid_t service_guess_main_pid(ServiceUnit *s, unsigned *ret_found) {
        pid_t self = getpid(), found = 0;
        unsigned n = 0;

        *ret_found = 0;
        if (s->session_pid <= 0)
                return 0;
        DIR *d = opendir("/proc");
        if (!d)
                return 0;
        for (struct dirent *de; n < 2 && (de = readdir(d)); ) {
                char state, *end;
                pid_t ppid, session;
                long v = strtol(de->d_name, &end, 10);

                if (*end || v <= 1 || v > INT32_MAX)
                        continue;
                if (service_proc_stat((pid_t) v, &state, &ppid, &session) < 0)
                        continue; /* gone meanwhile */
                if (ppid != self || session != s->session_pid || state == 'Z')
                        continue;
                found = (pid_t) v;
                n++;
        }
        closedir(d);
        *ret_found = n;
        return n == 1 ? found : 0;
}

/* Type=forking: the initial process exited cleanly.  porterd is a child
 * subreaper, so the daemon it left behind is now our child and can be
 * watched like any other: named by PIDFile=, or guessed without it. */
static void service_forking_started(ServiceUnit *s) {
        pid_t pid = service_read_pid_file(s);
        const char *source = s->config->pid_file;

        if (!s->config->pid_file && !s->config->guess_main_pid)
                log_unit_debug(&s->meta, "GuessMainPID=no: running without a main PID until stopped.");
        else if (!s->config->pid_file) {
                unsigned found;
                pid = service_guess_main_pid(s, &found);
                source = "its session (the only process left there)";
                if (found == 0)
                        log_unit_info(&s->meta, "No process of session %d is left to be the main PID (a daemon "
                                      "that calls setsid() leaves it; set PIDFile=): the service counts as "
                                      "running until stopped.", (int) s->session_pid);
                else if (found > 1)
                        log_unit_info(&s->meta, "Several processes are left in session %d, cannot tell which is "
                                      "the main PID (set PIDFile=): the service counts as running until "
                                      "stopped.", (int) s->session_pid);
        }

        if (pid > 0) {
                s->main_process = (UnitProcess) { .pid = pid, .pidfd = -EBADF };
                int r = s->meta.manager->ops->watch(s->meta.manager, &s->meta, &s->main_process);
                if (r < 0) {
                        log_unit_warning_errno(&s->meta, r, "Cannot watch main PID %d: %m", (int) pid);
                        s->main_process = UNIT_PROCESS_NULL;
                } else
                        log_unit_info(&s->meta, "Main PID %d from %s.", (int) pid, source);
        }
        service_enter_start_post(s);
}

/* A guessed main PID (Type=forking without PIDFile=) exited cleanly.  It
 * may have been the middle process of a daemon that forks twice, guessed
 * before it forked: look again.  Without a successor the service counts as
 * running until stopped, as without a guess: the daemon may live on outside
 * the session, where porterd cannot see it (systemd keeps a service whose
 * main PID is unknown while its cgroup has processes).  Returns true if it
 * handled the exit. */
static bool service_forking_reguess(ServiceUnit *s) {
        if (s->config->type != SERVICE_FORKING || s->config->pid_file || !s->config->guess_main_pid)
                return false;

        unsigned found;
        pid_t pid = service_guess_main_pid(s, &found);
        if (pid > 0) {
                s->main_process = (UnitProcess) { .pid = pid, .pidfd = -EBADF };
                if (s->meta.manager->ops->watch(s->meta.manager, &s->meta, &s->main_process) >= 0) {
                        log_unit_info(&s->meta, "Main PID %d from its session, after the previous one exited.",
                                      (int) pid);
                        return true;
                }
                s->main_process = UNIT_PROCESS_NULL;
        }
        log_unit_info(&s->meta, "Main PID exited and %s left in session %d: the service counts as running until "
                      "stopped.", found > 1 ? "several processes are" : "no process is", (int) s->session_pid);
        if (s->state == SERVICE_RUNNING)
                return true;
        service_enter_running(s, SERVICE_SUCCESS); /* START_POST: on to running, with no main PID */
        return true;
}

static void service_main_exited(ServiceUnit *s, int code, int status) {
        ServiceResult f = service_result_from_exit(s, s->main_command, code, status);

        s->main_exit_code = code;
        s->main_exit_status = status;
        unit_process_release(&s->main_process);
        if (f != SERVICE_SUCCESS)
                log_unit_warning(&s->meta, "Main process exited, code=%s, status=%d",
                                 code == CLD_EXITED ? "exited" : code == CLD_DUMPED ? "dumped" : "killed", status);
        else
                log_unit_debug(&s->meta, "Main process exited, status=%d", status);

        switch (s->state) {
        case SERVICE_START:
                if (f == SERVICE_SUCCESS &&
                    (s->config->type == SERVICE_ONESHOT || s->config->type == SERVICE_FORKING)) {
                        if (s->config->type == SERVICE_ONESHOT && s->main_command && s->main_command->next) {
                                s->main_command = s->main_command->next;
                                if (service_spawn_main(s, s->main_command) >= 0)
                                        return;
                                f = SERVICE_FAILURE_RESOURCES;
                        } else if (s->config->type == SERVICE_FORKING) {
                                service_forking_started(s);
                                return;
                        } else {
                                service_enter_start_post(s);
                                return;
                        }
                }
                if (f == SERVICE_SUCCESS && s->config->type != SERVICE_SIMPLE && s->config->type != SERVICE_EXEC &&
                    s->config->type != SERVICE_IDLE) {
                        log_unit_warning(&s->meta, "Main process exited before signalling readiness.");
                        f = SERVICE_FAILURE_PROTOCOL;
                }
                service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                break;
        case SERVICE_RELOAD:
                /* The service is gone: so is the point of reloading it. */
                service_reload_abandon(s);
                service_enter_running(s, f);
                break;
        case SERVICE_START_POST:
        case SERVICE_RUNNING:
                if (f == SERVICE_SUCCESS && service_forking_reguess(s))
                        break;
                service_enter_running(s, f);
                break;
        case SERVICE_STOP:
                if (s->result == SERVICE_SUCCESS)
                        s->result = f;
                break; /* ExecStop= still runs; its exit moves on */
        case SERVICE_STOP_SIGTERM:
        case SERVICE_STOP_SIGKILL:
                if (s->control_process.pid <= 0)
                        service_enter_stop_post(s, f);
                break;
        case SERVICE_FINAL_SIGTERM:
        case SERVICE_FINAL_SIGKILL:
                if (s->control_process.pid <= 0)
                        service_enter_dead(s, f, true);
                break;
        default:
                break;
        }
}

static void service_control_exited(ServiceUnit *s, int code, int status) {
        ServiceResult f = service_result_from_exit(s, s->control_command, code, status);

        unit_process_release(&s->control_process);
        /* ExecCondition= exiting 1-254 skips the start; 255 or a signal fails it. */
        bool skip = s->state == SERVICE_CONDITION && f == SERVICE_FAILURE_EXIT_CODE && code == CLD_EXITED &&
                    status < 255;
        if (f == SERVICE_SUCCESS && s->control_command && s->control_command->next) {
                s->control_command = s->control_command->next;
                if (service_spawn_control(s, s->control_command) >= 0)
                        return;
                f = SERVICE_FAILURE_RESOURCES;
        }
        if (f != SERVICE_SUCCESS && !skip)
                log_unit_warning(&s->meta, "%s process exited, code=%s, status=%d",
                                 s->state == SERVICE_CONDITION ? "Condition check" : "Control",
                                 code == CLD_EXITED ? "exited" : "killed", status);
        s->control_command = NULL;

        switch (s->state) {
        case SERVICE_CONDITION:
                if (f == SERVICE_SUCCESS)
                        service_enter_start_pre(s);
                else if (skip) {
                        /* As systemd, through stop-sigterm and ExecStopPost=, to
                         * inactive: a skip is no failure and no reason to restart. */
                        log_unit_info(&s->meta, "Skipped due to 'exec-condition' (status=%d).", status);
                        s->forbid_restart = true;
                        service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_SUCCESS);
                } else
                        service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                break;
        /* A failed ExecStartPre= or ExecStartPost= goes to stop-sigterm, so
         * that ExecStopPost= runs but ExecStop= does not (systemd v258). */
        case SERVICE_START_PRE:
                if (f == SERVICE_SUCCESS)
                        service_enter_start(s);
                else
                        service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                break;
        case SERVICE_START_POST:
                if (f == SERVICE_SUCCESS)
                        service_enter_running(s, SERVICE_SUCCESS);
                else
                        service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                break;
        case SERVICE_STOP:
                service_enter_signal(s, SERVICE_STOP_SIGTERM, f);
                break;
        case SERVICE_RELOAD:
                /* As systemd: a failed reload leaves the service running. */
                if (f != SERVICE_SUCCESS) {
                        log_unit_warning(&s->meta, "Reload failed with result '%s'.", service_result_to_string(f));
                        s->meta.reload_failed = true;
                }
                service_enter_running(s, SERVICE_SUCCESS);
                break;
        case SERVICE_STOP_SIGTERM:
        case SERVICE_STOP_SIGKILL:
                if (s->main_process.pid <= 0)
                        service_enter_stop_post(s, f);
                break;
        case SERVICE_STOP_POST:
                service_enter_signal(s, SERVICE_FINAL_SIGTERM, f);
                break;
        case SERVICE_FINAL_SIGTERM:
        case SERVICE_FINAL_SIGKILL:
                if (s->main_process.pid <= 0)
                        service_enter_dead(s, f, true);
                break;
        default:
                break;
        }
}

static bool service_can_reload(Unit *u) {
        return SERVICE(u)->config->exec_command[SERVICE_EXEC_RELOAD];
}

/* ExecReload= (spec: systemd's service_enter_reload), run as a control
 * process with TimeoutStartSec=; the unit is "reloading" meanwhile. */
static int service_reload(Unit *u) {
        ServiceUnit *s = SERVICE(u);

        if (s->state != SERVICE_RUNNING && s->state != SERVICE_EXITED)
                return -ENOEXEC;
        u->reload_failed = false;
        int r = service_run_control(s, SERVICE_EXEC_RELOAD);
        if (r <= 0) {
                u->reload_failed = r < 0;
                return r;
        }
        service_set_state(s, SERVICE_RELOAD);
        (void) unit_arm_timer(u, service_timeout_start(s));
        return 0;
}

static void service_process_exited(Unit *u, pid_t pid, int code, int status) {
        ServiceUnit *s = SERVICE(u);

        if (pid == s->main_process.pid)
                service_main_exited(s, code, status);
        else if (pid == s->control_process.pid)
                service_control_exited(s, code, status);
}

static void service_timer_fired(Unit *u) {
        ServiceUnit *s = SERVICE(u);
        bool sigkill = s->config->kill.send_sigkill;

        switch (s->state) {
        case SERVICE_CONDITION:
        case SERVICE_START_PRE:
        case SERVICE_START:
        case SERVICE_START_POST:
                /* systemd v258 (TimeoutStartFailureMode=terminate): every
                 * start phase goes to stop-sigterm, then ExecStopPost=. */
                log_unit_warning(u, "%s operation timed out. Terminating.", service_state_to_string(s->state));
                service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_TIMEOUT);
                break;
        case SERVICE_RELOAD:
                log_unit_warning(u, "Reload operation timed out. Killing reload process.");
                service_reload_abandon(s);
                u->reload_failed = true;
                service_enter_running(s, SERVICE_SUCCESS);
                break;
        case SERVICE_STOP:
                log_unit_warning(u, "Stopping timed out. Terminating.");
                service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_TIMEOUT);
                break;
        case SERVICE_STOP_SIGTERM:
                if (sigkill) {
                        log_unit_warning(u, "State 'stop-sigterm' timed out. Killing.");
                        service_enter_signal(s, SERVICE_STOP_SIGKILL, SERVICE_FAILURE_TIMEOUT);
                } else
                        service_enter_stop_post(s, SERVICE_FAILURE_TIMEOUT);
                break;
        case SERVICE_STOP_SIGKILL:
                log_unit_warning(u, "Processes still around after SIGKILL. Ignoring.");
                service_enter_stop_post(s, SERVICE_FAILURE_TIMEOUT);
                break;
        case SERVICE_STOP_POST:
                log_unit_warning(u, "State 'stop-post' timed out. Terminating.");
                service_enter_signal(s, SERVICE_FINAL_SIGTERM, SERVICE_FAILURE_TIMEOUT);
                break;
        case SERVICE_FINAL_SIGTERM:
                if (sigkill) {
                        log_unit_warning(u, "State 'final-sigterm' timed out. Killing.");
                        service_enter_signal(s, SERVICE_FINAL_SIGKILL, SERVICE_FAILURE_TIMEOUT);
                } else
                        service_enter_dead(s, SERVICE_FAILURE_TIMEOUT, false);
                break;
        case SERVICE_FINAL_SIGKILL:
                log_unit_warning(u, "Processes still around after final SIGKILL. Entering failed mode.");
                service_enter_dead(s, SERVICE_FAILURE_TIMEOUT, false);
                break;
        case SERVICE_AUTO_RESTART:
                service_restart(s);
                break;
        default:
                break;
        }
}

static void service_fd_store_release(ServiceUnit *s) {
        close_many(s->fd_store, s->n_fd_store);
        free(s->fd_store);
        s->fd_store = NULL;
        s->fd_store_names = strv_free(s->fd_store_names);
        s->n_fd_store = 0;
}

static bool same_file(int a, int b) {
        struct stat sa, sb;
        return fstat(a, &sa) >= 0 && fstat(b, &sb) >= 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* FDSTORE=1: keep the fds (duplicates of stored files are dropped), up to
 * FileDescriptorStoreMax=. */
static void service_fd_store_add(ServiceUnit *s, int *fds, size_t n_fds, const char *name) {
        if (s->config->n_fd_store_max == 0) {
                log_unit_warning(&s->meta, "Got FDSTORE=1 but FileDescriptorStoreMax= is 0, closing the fds.");
                return;
        }
        for (size_t i = 0; i < n_fds; i++) {
                bool dup = false;
                for (size_t k = 0; k < s->n_fd_store && !dup; k++)
                        dup = same_file(s->fd_store[k], fds[i]);
                if (dup)
                        continue;
                if (s->n_fd_store >= s->config->n_fd_store_max) {
                        log_unit_warning(&s->meta, "Too many fds in the fd store (%u), closing the rest.",
                                         s->config->n_fd_store_max);
                        return;
                }
                int *nf = realloc(s->fd_store, (s->n_fd_store + 1) * sizeof(int));
                if (!nf)
                        return;
                s->fd_store = nf;
                if (strv_extend(&s->fd_store_names, name) < 0)
                        return;
                s->fd_store[s->n_fd_store++] = fds[i];
                fds[i] = -EBADF;
        }
        log_unit_debug(&s->meta, "Fd store holds %zu fds.", s->n_fd_store);
}

/* FDSTOREREMOVE=1 with FDNAME=: close every stored fd of that name. */
static void service_fd_store_remove(ServiceUnit *s, const char *name) {
        size_t w = 0;
        for (size_t i = 0; i < s->n_fd_store; i++) {
                if (streq(s->fd_store_names[i], name)) {
                        safe_close(s->fd_store[i]);
                        free(s->fd_store_names[i]);
                        continue;
                }
                s->fd_store[w] = s->fd_store[i];
                s->fd_store_names[w++] = s->fd_store_names[i];
        }
        s->n_fd_store = w;
        if (s->fd_store_names)
                s->fd_store_names[w] = NULL;
}

/* FDNAME= must be a valid name: at most 255 characters, no ':' and no
 * control characters; otherwise the default is used. */
static const char *fd_name_or_default(char * const *tags) {
        STRV_FOREACH(t, tags) {
                const char *v = startswith(*t, "FDNAME=");
                if (!v)
                        continue;
                bool ok = strlen(v) <= 255;
                for (const char *c = v; ok && *c; c++)
                        ok = *c != ':' && (unsigned char) *c >= 32 && *c != 127;
                return ok ? v : "stored";
        }
        return "stored";
}

/* Is pid a descendant of porterd (its child, or a child of one of those)?
 * porterd is a child subreaper while a service may send MAINPID= (see
 * manager_load_unit()), so an orphaned descendant is still our child.
 * Without cgroups this stands in for systemd's "belongs to the service". */
static bool pid_is_our_descendant(pid_t pid) {
        pid_t self = getpid();
        for (unsigned depth = 0; pid > 1 && depth < 64; depth++) {
                char state;
                pid_t ppid, session;
                if (service_proc_stat(pid, &state, &ppid, &session) < 0 || state == 'Z')
                        return false;
                if (ppid == self)
                        return true;
                pid = ppid;
        }
        return false;
}

/* MAINPID=: the service names a new main process (spec §6.4), honoured in
 * the states systemd honours it in.  It must be a live descendant of
 * porterd, so that we can watch it; its exit is then the main process
 * exit. */
static void service_notify_main_pid(ServiceUnit *s, const char *value) {
        char *end;
        long v;

        switch (s->state) {
        case SERVICE_START: case SERVICE_START_POST: case SERVICE_RUNNING:
        case SERVICE_STOP: case SERVICE_STOP_SIGTERM: case SERVICE_STOP_SIGKILL:
                break;
        default:
                return;
        }
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end || v <= 0 || v > INT32_MAX) {
                log_unit_warning(&s->meta, "Failed to parse MAINPID=%s field in notification message, ignoring.",
                                 value);
                return;
        }
        pid_t pid = (pid_t) v;
        if (pid == s->main_process.pid)
                return;
        if (pid == getpid() || pid == s->control_process.pid || !pid_is_our_descendant(pid)) {
                log_unit_warning(&s->meta, "New main PID %d does not belong to service, refusing.", (int) pid);
                return;
        }
        unit_process_release(&s->main_process);
        s->main_process = (UnitProcess) { .pid = pid, .pidfd = -EBADF };
        int r = s->meta.manager->ops->watch(s->meta.manager, &s->meta, &s->main_process);
        if (r < 0) {
                log_unit_warning_errno(&s->meta, r, "Failed to watch new main PID %d for service: %m", (int) pid);
                s->main_process = UNIT_PROCESS_NULL;
                return;
        }
        log_unit_info(&s->meta, "Main PID changed to %d.", (int) pid);
}

void service_notify_message(ServiceUnit *s, pid_t sender, char * const *tags, int *fds, size_t n_fds) {
        if (strv_contains(tags, "FDSTORE=1") && n_fds > 0)
                service_fd_store_add(s, fds, n_fds, fd_name_or_default(tags));
        if (strv_contains(tags, "FDSTOREREMOVE=1")) {
                const char *name = fd_name_or_default(tags);
                if (!streq(name, "stored") || strv_contains(tags, "FDNAME=stored"))
                        service_fd_store_remove(s, name);
        }
        STRV_FOREACH(t, tags) {
                const char *v;
                if (streq(*t, "READY=1")) {
                        if (s->state == SERVICE_START &&
                            (s->config->type == SERVICE_NOTIFY || s->config->type == SERVICE_NOTIFY_RELOAD))
                                service_enter_start_post(s);
                } else if (streq(*t, "STOPPING=1")) {
                        if (s->state == SERVICE_RUNNING) {
                                s->forbid_restart = true;
                                service_set_state(s, SERVICE_STOP_SIGTERM);
                                (void) unit_arm_timer(&s->meta, service_timeout_stop(s));
                        }
                } else if ((v = startswith(*t, "MAINPID="))) {
                        service_notify_main_pid(s, v);
                } else if ((v = startswith(*t, "STATUS="))) {
                        (void) free_and_strdup(&s->status_text, v);
                } else if ((v = startswith(*t, "ERRNO="))) {
                        log_unit_debug(&s->meta, "Service reported errno %s.", v);
                }
        }
}

/* ---- the rest of the vtable ---- */

static UnitActiveState service_active_state(const Unit *u) {
        return service_state_to_active_state(((const ServiceUnit *) u)->state);
}

static const char *service_sub_state(const Unit *u) {
        return service_state_to_string(((const ServiceUnit *) u)->state);
}

static const char *service_result(const Unit *u) {
        return service_result_to_string(((const ServiceUnit *) u)->result);
}

static void service_reset_failed(Unit *u) {
        ServiceUnit *s = SERVICE(u);
        if (s->state == SERVICE_FAILED)
                service_set_state(s, SERVICE_DEAD);
        s->result = SERVICE_SUCCESS;
        s->start_limit_hit = false;
}

static void service_done(Unit *u) {
        ServiceUnit *s = SERVICE(u);

        unit_process_release(&s->main_process);
        unit_process_release(&s->control_process);
        service_release_connection(s);
        exec_runtime_dirs_remove(s->runtime_dirs);
        strv_free(s->runtime_dirs);
        service_fd_store_release(s);
        free(s->status_text);
        /* An instance only borrows its template's config. */
        if (s->borrowed_config)
                u->config = NULL;
}

const UnitVTable service_vtable = {
        .object_size = sizeof(ServiceUnit),
        .done = service_done,
        .start = service_start,
        .stop = service_stop,
        .active_state = service_active_state,
        .sub_state = service_sub_state,
        .result = service_result,
        .process_exited = service_process_exited,
        .timer_fired = service_timer_fired,
        .reset_failed = service_reset_failed,
        .reload = service_reload,
        .can_reload = service_can_reload,
};

int service_new_instance(Manager *m, const char *id, UnitConfig *config, bool owned,
                         SocketUnit *sock, int cfd, const SocketPeerKey *peer, ServiceUnit **ret) {
        Unit *u;
        int r;

        r = unit_new(m, &service_vtable, id, NULL, &u);
        if (r < 0) {
                safe_close(cfd);
                socket_connection_released(sock, peer);
                if (owned)
                        unit_config_free(config);
                return r;
        }
        ServiceUnit *s = (ServiceUnit *) u;
        u->config = config;
        u->start_limit = (RateLimit) {}; /* each instance starts once */
        s->instance = true;
        s->borrowed_config = owned ? NULL : config;
        s->config = config->service;
        s->main_process = s->control_process = UNIT_PROCESS_NULL;
        s->accept_socket = sock;
        s->connection_fd = cfd;
        s->peer = *peer;
        if (sock->last_peer_len > 0 && sock->last_peer_len <= sizeof s->peer_sa) {
                memcpy(&s->peer_sa, &sock->last_peer, sock->last_peer_len);
                s->peer_salen = sock->last_peer_len;
        } else {
                s->peer_salen = sizeof s->peer_sa;
                if (getpeername(cfd, &s->peer_sa.sa, &s->peer_salen) < 0)
                        s->peer_salen = 0;
        }
        *ret = s;
        return 0;
}

/* Set up a ServiceUnit loaded by the manager (called from manager.c). */
void service_init_loaded(ServiceUnit *s) {
        s->config = s->meta.config->service;
        s->main_process = s->control_process = UNIT_PROCESS_NULL;
        s->connection_fd = -EBADF;
}
