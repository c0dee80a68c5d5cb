/* SPDX-License-Identifier: MIT */
/* Defaults, string tables and destructors of the typed unit model. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "string-util.h"
#include "strv.h"
#include "unit-config.h"

/* Look s up in a table of n names; -EINVAL if absent. */
static int table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

static const char *table_name(const char *const *table, size_t n, int i) {
        return i >= 0 && (size_t) i < n ? table[i] : NULL;
}

static const char *const load_state_table[_UNIT_LOAD_STATE_MAX] = {
        [UNIT_STUB] = "stub",
        [UNIT_LOADED] = "loaded",
        [UNIT_NOT_FOUND] = "not-found",
        [UNIT_BAD_SETTING] = "bad-setting",
        [UNIT_ERROR] = "error",
        [UNIT_MASKED] = "masked",
};

const char *unit_load_state_to_string(UnitLoadState s) {
        return table_name(load_state_table, ELEMENTSOF(load_state_table), s);
}

UnitLoadState unit_load_state_from_string(const char *s) {
        return table_lookup(load_state_table, ELEMENTSOF(load_state_table), s);
}

static const char *const dependency_table[_UNIT_DEPENDENCY_MAX] = {
        [UNIT_REQUIRES] = "Requires",
        [UNIT_REQUISITE] = "Requisite",
        [UNIT_WANTS] = "Wants",
        [UNIT_BINDS_TO] = "BindsTo",
        [UNIT_PART_OF] = "PartOf",
        [UNIT_UPHOLDS] = "Upholds",
        [UNIT_CONFLICTS] = "Conflicts",
        [UNIT_BEFORE] = "Before",
        [UNIT_AFTER] = "After",
        [UNIT_ON_SUCCESS] = "OnSuccess",
        [UNIT_ON_FAILURE] = "OnFailure",
        [UNIT_PROPAGATES_RELOAD_TO] = "PropagatesReloadTo",
        [UNIT_RELOAD_PROPAGATED_FROM] = "ReloadPropagatedFrom",
        [UNIT_PROPAGATES_STOP_TO] = "PropagatesStopTo",
        [UNIT_STOP_PROPAGATED_FROM] = "StopPropagatedFrom",
        [UNIT_JOINS_NAMESPACE_OF] = "JoinsNamespaceOf",
};

const char *unit_dependency_to_string(UnitDependency d) {
        return table_name(dependency_table, ELEMENTSOF(dependency_table), d);
}

static const char *const emergency_action_table[_EMERGENCY_ACTION_MAX] = {
        [EMERGENCY_ACTION_NONE] = "none",
        [EMERGENCY_ACTION_EXIT] = "exit",
        [EMERGENCY_ACTION_EXIT_FORCE] = "exit-force",
        [EMERGENCY_ACTION_REBOOT] = "reboot",
        [EMERGENCY_ACTION_REBOOT_FORCE] = "reboot-force",
        [EMERGENCY_ACTION_REBOOT_IMMEDIATE] = "reboot-immediate",
        [EMERGENCY_ACTION_POWEROFF] = "poweroff",
        [EMERGENCY_ACTION_POWEROFF_FORCE] = "poweroff-force",
        [EMERGENCY_ACTION_POWEROFF_IMMEDIATE] = "poweroff-immediate",
        [EMERGENCY_ACTION_SOFT_REBOOT] = "soft-reboot",
        [EMERGENCY_ACTION_SOFT_REBOOT_FORCE] = "soft-reboot-force",
        [EMERGENCY_ACTION_KEXEC] = "kexec",
        [EMERGENCY_ACTION_KEXEC_FORCE] = "kexec-force",
        [EMERGENCY_ACTION_HALT] = "halt",
        [EMERGENCY_ACTION_HALT_FORCE] = "halt-force",
        [EMERGENCY_ACTION_HALT_IMMEDIATE] = "halt-immediate",
};

const char *emergency_action_to_string(EmergencyAction a) {
        return table_name(emergency_action_table, ELEMENTSOF(emergency_action_table), a);
}

EmergencyAction emergency_action_from_string(const char *s) {
        return table_lookup(emergency_action_table, ELEMENTSOF(emergency_action_table), s);
}

static const char *const exec_input_table[_EXEC_INPUT_MAX] = {
        [EXEC_INPUT_NULL] = "null",
        [EXEC_INPUT_TTY] = "tty",
        [EXEC_INPUT_TTY_FORCE] = "tty-force",
        [EXEC_INPUT_TTY_FAIL] = "tty-fail",
        [EXEC_INPUT_SOCKET] = "socket",
        [EXEC_INPUT_NAMED_FD] = "fd",
        [EXEC_INPUT_DATA] = "data",
        [EXEC_INPUT_FILE] = "file",
};

const char *exec_input_to_string(ExecInput i) {
        return table_name(exec_input_table, ELEMENTSOF(exec_input_table), i);
}

ExecInput exec_input_from_string(const char *s) {
        return table_lookup(exec_input_table, ELEMENTSOF(exec_input_table), s);
}

static const char *const exec_output_table[_EXEC_OUTPUT_MAX] = {
        [EXEC_OUTPUT_INHERIT] = "inherit",
        [EXEC_OUTPUT_NULL] = "null",
        [EXEC_OUTPUT_TTY] = "tty",
        [EXEC_OUTPUT_KMSG] = "kmsg",
        [EXEC_OUTPUT_KMSG_AND_CONSOLE] = "kmsg+console",
        [EXEC_OUTPUT_JOURNAL] = "journal",
        [EXEC_OUTPUT_JOURNAL_AND_CONSOLE] = "journal+console",
        [EXEC_OUTPUT_SOCKET] = "socket",
        [EXEC_OUTPUT_NAMED_FD] = "fd",
        [EXEC_OUTPUT_FILE] = "file",
        [EXEC_OUTPUT_FILE_APPEND] = "append",
        [EXEC_OUTPUT_FILE_TRUNCATE] = "truncate",
};

const char *exec_output_to_string(ExecOutput o) {
        return table_name(exec_output_table, ELEMENTSOF(exec_output_table), o);
}

ExecOutput exec_output_from_string(const char *s) {
        /* systemd maps the legacy syslog outputs onto the journal. */
        if (s && streq(s, "syslog"))
                return EXEC_OUTPUT_JOURNAL;
        if (s && streq(s, "syslog+console"))
                return EXEC_OUTPUT_JOURNAL_AND_CONSOLE;
        return table_lookup(exec_output_table, ELEMENTSOF(exec_output_table), s);
}

static const char *const preserve_table[_EXEC_PRESERVE_MODE_MAX] = {
        [EXEC_PRESERVE_NO] = "no",
        [EXEC_PRESERVE_YES] = "yes",
        [EXEC_PRESERVE_RESTART] = "restart",
};

const char *exec_preserve_mode_to_string(ExecPreserveMode m) {
        return table_name(preserve_table, ELEMENTSOF(preserve_table), m);
}

static const char *const kill_mode_table[_KILL_MODE_MAX] = {
        [KILL_CONTROL_GROUP] = "control-group",
        [KILL_PROCESS] = "process",
        [KILL_MIXED] = "mixed",
        [KILL_NONE] = "none",
};

const char *kill_mode_to_string(KillMode k) {
        return table_name(kill_mode_table, ELEMENTSOF(kill_mode_table), k);
}

KillMode kill_mode_from_string(const char *s) {
        return table_lookup(kill_mode_table, ELEMENTSOF(kill_mode_table), s);
}

static const char *const defer_table[_SOCKET_DEFER_MAX] = {
        [SOCKET_DEFER_NO] = "no",
        [SOCKET_DEFER_YES] = "yes",
        [SOCKET_DEFER_PATIENT] = "patient",
};

const char *socket_defer_trigger_to_string(SocketDeferTrigger d) {
        return table_name(defer_table, ELEMENTSOF(defer_table), d);
}

static const char *const service_type_table[_SERVICE_TYPE_MAX] = {
        [SERVICE_SIMPLE] = "simple",
        [SERVICE_EXEC] = "exec",
        [SERVICE_FORKING] = "forking",
        [SERVICE_ONESHOT] = "oneshot",
        [SERVICE_DBUS] = "dbus",
        [SERVICE_NOTIFY] = "notify",
        [SERVICE_NOTIFY_RELOAD] = "notify-reload",
        [SERVICE_IDLE] = "idle",
};

const char *service_type_to_string(ServiceType t) {
        return table_name(service_type_table, ELEMENTSOF(service_type_table), t);
}

ServiceType service_type_from_string(const char *s) {
        return table_lookup(service_type_table, ELEMENTSOF(service_type_table), s);
}

static const char *const restart_table[_SERVICE_RESTART_MAX] = {
        [SERVICE_RESTART_NO] = "no",
        [SERVICE_RESTART_ON_SUCCESS] = "on-success",
        [SERVICE_RESTART_ON_FAILURE] = "on-failure",
        [SERVICE_RESTART_ON_ABNORMAL] = "on-abnormal",
        [SERVICE_RESTART_ON_WATCHDOG] = "on-watchdog",
        [SERVICE_RESTART_ON_ABORT] = "on-abort",
        [SERVICE_RESTART_ALWAYS] = "always",
};

const char *service_restart_to_string(ServiceRestart r) {
        return table_name(restart_table, ELEMENTSOF(restart_table), r);
}

ServiceRestart service_restart_from_string(const char *s) {
        return table_lookup(restart_table, ELEMENTSOF(restart_table), s);
}

static const char *const notify_access_table[_NOTIFY_ACCESS_MAX] = {
        [NOTIFY_NONE] = "none",
        [NOTIFY_MAIN] = "main",
        [NOTIFY_EXEC] = "exec",
        [NOTIFY_ALL] = "all",
};

const char *notify_access_to_string(NotifyAccess n) {
        return table_name(notify_access_table, ELEMENTSOF(notify_access_table), n);
}

NotifyAccess notify_access_from_string(const char *s) {
        return table_lookup(notify_access_table, ELEMENTSOF(notify_access_table), s);
}

/* The defaults, as initializers: exec_context_init(), kill_context_init()
 * and socket_exec_config_default share them. */
#define EXEC_CONTEXT_DEFAULT                                    \
        {                                                       \
                .umask = 0022,                                  \
                .std_input = EXEC_INPUT_NULL,                   \
                .std_output = EXEC_OUTPUT_INHERIT,              \
                .std_error = EXEC_OUTPUT_INHERIT,               \
                .runtime_directory_mode = 0755,                 \
        }
#define KILL_CONTEXT_DEFAULT                                    \
        {                                                       \
                .kill_mode = KILL_CONTROL_GROUP,                \
                .kill_signal = SIGTERM,                         \
                .final_kill_signal = SIGKILL,                   \
                .watchdog_signal = SIGABRT,                     \
                .send_sigkill = true,                           \
        }

const SocketExecConfig socket_exec_config_default = {
        .exec = EXEC_CONTEXT_DEFAULT,
        .kill = KILL_CONTEXT_DEFAULT,
};

const ServiceExitStatusConfig service_exit_status_config_default = {};
const UnitExtraConfig unit_extra_config_default = {};

UnitExtraConfig *unit_config_extra_get(UnitConfig *u) {
        if (!u->extra)
                u->extra = new0(UnitExtraConfig, 1);
        return u->extra;
}

ServiceExitStatusConfig *service_config_exit_status_get(ServiceConfig *s) {
        if (!s->exit_status)
                s->exit_status = new0(ServiceExitStatusConfig, 1);
        return s->exit_status;
}

void exec_context_init(ExecContext *c) {
        *c = (ExecContext) EXEC_CONTEXT_DEFAULT;
}

void exec_context_done(ExecContext *c) {
        if (!c)
                return;
        free(c->user);
        free(c->group);
        strv_free(c->supplementary_groups);
        free(c->working_directory);
        free(c->root_directory);
        strv_free(c->environment);
        strv_free(c->environment_files);
        strv_free(c->pass_environment);
        strv_free(c->unset_environment);
        for (size_t i = 0; c->rlimit && i < RLIM_NLIMITS; i++)
                free(c->rlimit[i]);
        free(c->rlimit);
        for (size_t i = 0; i < 3; i++) {
                free(c->stdio_fdname[i]);
                free(c->stdio_file[i]);
        }
        strv_free(c->runtime_directory);
        exec_context_init(c);
}

void kill_context_init(KillContext *c) {
        *c = (KillContext) KILL_CONTEXT_DEFAULT;
}

void socket_config_init(SocketConfig *s) {
        *s = (SocketConfig) {
                .max_connections = 64,
                .trigger_limit = { USEC_INFINITY, UINT_MAX },
                .poll_limit = { USEC_INFINITY, UINT_MAX },
                .defer_trigger_max_usec = USEC_INFINITY,
                .timeout_usec = 90 * USEC_PER_SEC,
        };
        socket_options_init(&s->options);
}

SocketExecConfig *socket_config_exec_config_get(SocketConfig *s) {
        if (!s->exec_config) {
                s->exec_config = new(SocketExecConfig, 1);
                if (s->exec_config)
                        *s->exec_config = socket_exec_config_default;
        }
        return s->exec_config;
}

void socket_config_clear_ports(SocketConfig *s) {
        for (size_t i = 0; i < s->n_ports; i++) {
                socket_port_done(&s->ports[i]);
                free(s->port_origins[i].path);
        }
        free(s->ports);
        free(s->port_origins);
        s->ports = NULL;
        s->port_origins = NULL;
        s->n_ports = 0;
}

void socket_config_done(SocketConfig *s) {
        if (!s)
                return;
        socket_config_clear_ports(s);
        socket_options_done(&s->options);
        free(s->socket_protocol_path);
        free(s->service);
        free(s->fdname);
        free(s->socket_user);
        free(s->socket_group);
        if (s->exec_config) {
                for (size_t i = 0; i < _SOCKET_EXEC_COMMAND_MAX; i++)
                        exec_command_free_list(s->exec_config->exec_command[i]);
                exec_context_done(&s->exec_config->exec);
                free(s->exec_config);
        }
        *s = (SocketConfig) {};
}

void service_config_init(ServiceConfig *s) {
        *s = (ServiceConfig) {
                .type = _SERVICE_TYPE_INVALID,
                .restart = SERVICE_RESTART_NO,
                .restart_usec = 100 * USEC_PER_MSEC,
                .timeout_start_usec = 90 * USEC_PER_SEC,
                .timeout_stop_usec = 90 * USEC_PER_SEC,
                .guess_main_pid = true,
                .notify_access = _NOTIFY_ACCESS_INVALID,
                .fd_store_preserve = EXEC_PRESERVE_RESTART,
                .reload_signal = SIGHUP,
        };
        exec_context_init(&s->exec);
        kill_context_init(&s->kill);
}

void service_config_done(ServiceConfig *s) {
        if (!s)
                return;
        for (size_t i = 0; i < _SERVICE_EXEC_COMMAND_MAX; i++)
                exec_command_free_list(s->exec_command[i]);
        free(s->exit_status);
        free(s->pid_file);
        strv_free(s->sockets);
        exec_context_done(&s->exec);
        *s = (ServiceConfig) {};
}

void install_config_done(InstallConfig *i) {
        if (!i)
                return;
        strv_free(i->wanted_by);
        strv_free(i->required_by);
        strv_free(i->upheld_by);
        strv_free(i->alias);
        strv_free(i->also);
        free(i->default_instance);
        *i = (InstallConfig) {};
}

void condition_list_done(ConditionList *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].type);
                free(l->items[i].parameter);
        }
        free(l->items);
        *l = (ConditionList) {};
}

int unit_config_new(const char *id, UnitConfig **ret) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        UnitType t;

        if (!unit_name_is_valid(id, UNIT_NAME_ANY))
                return -EINVAL;
        t = unit_name_to_type(id);
        if (t < 0)
                return -EINVAL;

        u = new0(UnitConfig, 1);
        if (!u)
                return -ENOMEM;
        *u = (UnitConfig) {
                .type = t,
                .load_state = UNIT_STUB,
                .default_dependencies = true,
                .start_limit_interval = 10 * USEC_PER_SEC,
                .start_limit_burst = 5,
                .job_timeout = USEC_INFINITY,
                .start_limit_action = EMERGENCY_ACTION_NONE,
        };
        u->id = strdup(id);
        if (!u->id)
                return -ENOMEM;

        if (t == UNIT_SOCKET) {
                u->socket = new0(SocketConfig, 1);
                if (!u->socket)
                        return -ENOMEM;
                socket_config_init(u->socket);
        } else if (t == UNIT_SERVICE) {
                u->service = new0(ServiceConfig, 1);
                if (!u->service)
                        return -ENOMEM;
                service_config_init(u->service);
        }
        *ret = TAKE_PTR(u);
        return 0;
}

int unit_config_add_unsupported(UnitConfig *u, const char *section, const char *key, const char *value,
                                const char *path, unsigned line) {
        UnsupportedSetting s = { .line = line };
        UnsupportedSetting *n;
        UnitExtraConfig *x = unit_config_extra_get(u);

        if (!x)
                return -ENOMEM;

        s.section = strdup(section);
        s.key = strdup(key);
        s.value = strdup(value);
        s.path = path ? strdup(path) : NULL;
        n = reallocarray(x->unsupported, x->n_unsupported + 1, sizeof(UnsupportedSetting));
        if (!s.section || !s.key || !s.value || (path && !s.path) || !n) {
                free(s.section);
                free(s.key);
                free(s.value);
                free(s.path);
                if (n)
                        x->unsupported = n;
                return -ENOMEM;
        }
        x->unsupported = n;
        x->unsupported[x->n_unsupported++] = s;
        return 0;
}

UnitConfig *unit_config_free(UnitConfig *u) {
        if (!u)
                return NULL;
        free(u->id);
        free(u->fragment_path);
        strv_free(u->dropin_paths);
        free(u->description);
        strv_free(u->documentation);
        for (size_t i = 0; u->dependencies && i < _UNIT_DEPENDENCY_MAX; i++)
                strv_free(u->dependencies[i]);
        free(u->dependencies);
        strv_free(u->requires_mounts_for);
        install_config_done(&u->install);
        if (u->extra) {
                strv_free(u->extra->wants_mounts_for);
                condition_list_done(&u->extra->conditions);
                condition_list_done(&u->extra->asserts);
                for (size_t i = 0; i < u->extra->n_unsupported; i++) {
                        free(u->extra->unsupported[i].section);
                        free(u->extra->unsupported[i].key);
                        free(u->extra->unsupported[i].value);
                        free(u->extra->unsupported[i].path);
                }
                free(u->extra->unsupported);
                free(u->extra);
        }
        if (u->socket) {
                socket_config_done(u->socket);
                free(u->socket);
        }
        if (u->service) {
                service_config_done(u->service);
                free(u->service);
        }
        free(u);
        return NULL;
}
