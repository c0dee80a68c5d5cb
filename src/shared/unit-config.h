/* SPDX-License-Identifier: MIT */
#pragma once

/* The typed unit model: what the loader (unit-load.h) makes of a unit file
 * plus its drop-ins, and what the manager in src/core runs.
 *
 * A UnitConfig holds the [Unit] and [Install] settings of every unit type and
 * exactly one type-specific part: `socket` for .socket units, `service` for
 * .service units (the other pointer is NULL).  Every field starts at
 * systemd v258's default (unit_config_new()); the directive parsers in
 * load-fragment.c overwrite them in file order.  "Unset" sentinels are
 * documented per field; unit_load() replaces the load-time ones (trigger and
 * poll limits, FileDescriptorName=) once all files are parsed.
 *
 * Ownership: a UnitConfig owns everything it points to; unit_config_free()
 * releases all of it, including open fds in socket ports (there are none
 * after loading: SocketPort.fd is -EBADF until the manager opens it). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "exec-command.h"
#include "socket-listen.h"
#include "socket-options.h"
#include "time-util.h"
#include "unit-name.h"

typedef enum UnitLoadState {
        UNIT_STUB,          /* not loaded yet */
        UNIT_LOADED,
        UNIT_NOT_FOUND,     /* no fragment in any search directory */
        UNIT_BAD_SETTING,   /* a fatal setting error or a failed load-time check */
        UNIT_ERROR,         /* the file could not be read or lexed (-EBADMSG, -ENOBUFS, ...) */
        UNIT_MASKED,        /* empty file or symlink to /dev/null */
        _UNIT_LOAD_STATE_MAX,
        _UNIT_LOAD_STATE_INVALID = -EINVAL,
} UnitLoadState;

/* "stub", "loaded", "not-found", "bad-setting", "error", "masked";
 * NULL for out-of-range values. */
const char *unit_load_state_to_string(UnitLoadState s) _const_;
/* The inverse; _UNIT_LOAD_STATE_INVALID for unknown strings. */
UnitLoadState unit_load_state_from_string(const char *s) _pure_;

/* The dependency kinds of [Unit] that porter keeps (names in the
 * unit_dependency_to_string table: "Requires", "Wants", ...). */
typedef enum UnitDependency {
        UNIT_REQUIRES,
        UNIT_REQUISITE,
        UNIT_WANTS,
        UNIT_BINDS_TO,
        UNIT_PART_OF,
        UNIT_UPHOLDS,
        UNIT_CONFLICTS,
        UNIT_BEFORE,
        UNIT_AFTER,
        UNIT_ON_SUCCESS,
        UNIT_ON_FAILURE,
        UNIT_PROPAGATES_RELOAD_TO,
        UNIT_RELOAD_PROPAGATED_FROM,
        UNIT_PROPAGATES_STOP_TO,
        UNIT_STOP_PROPAGATED_FROM,
        UNIT_JOINS_NAMESPACE_OF,
        _UNIT_DEPENDENCY_MAX,
        _UNIT_DEPENDENCY_INVALID = -EINVAL,
} UnitDependency;

const char *unit_dependency_to_string(UnitDependency d) _const_;

/* StartLimitAction=, FailureAction=, SuccessAction= (systemd's
 * EmergencyAction).  porter only records them. */
typedef enum EmergencyAction {
        EMERGENCY_ACTION_NONE,
        EMERGENCY_ACTION_EXIT,
        EMERGENCY_ACTION_EXIT_FORCE,
        EMERGENCY_ACTION_REBOOT,
        EMERGENCY_ACTION_REBOOT_FORCE,
        EMERGENCY_ACTION_REBOOT_IMMEDIATE,
        EMERGENCY_ACTION_POWEROFF,
        EMERGENCY_ACTION_POWEROFF_FORCE,
        EMERGENCY_ACTION_POWEROFF_IMMEDIATE,
        EMERGENCY_ACTION_SOFT_REBOOT,
        EMERGENCY_ACTION_SOFT_REBOOT_FORCE,
        EMERGENCY_ACTION_KEXEC,
        EMERGENCY_ACTION_KEXEC_FORCE,
        EMERGENCY_ACTION_HALT,
        EMERGENCY_ACTION_HALT_FORCE,
        EMERGENCY_ACTION_HALT_IMMEDIATE,
        _EMERGENCY_ACTION_MAX,
        _EMERGENCY_ACTION_INVALID = -EINVAL,
} EmergencyAction;

const char *emergency_action_to_string(EmergencyAction a) _const_;
EmergencyAction emergency_action_from_string(const char *s) _pure_;

/* One Condition*= or Assert*= line.  `type` is the directive name without
 * its "Condition"/"Assert" prefix ("PathExists", "Virtualization", ...), so
 * every condition systemd knows is representable; porter evaluates the ones
 * listed in docs/COMPATIBILITY.md. */
typedef struct Condition {
        char *type;
        bool trigger;   /* '|' prefix: any triggering condition suffices */
        bool negate;    /* '!' prefix */
        char *parameter;
} Condition;

/* A list of condition lines; an empty assignment of any Condition*=
 * (Assert*=) clears the whole list, as in systemd. */
typedef struct ConditionList {
        Condition *items;
        size_t n;
} ConditionList;

/* A setting porter does not implement, kept verbatim so that tools can show
 * it and so that nothing silently disappears. */
typedef struct UnsupportedSetting {
        char *section;
        char *key;
        char *value;
        char *path;
        unsigned line;
} UnsupportedSetting;

typedef enum ExecInput {
        EXEC_INPUT_NULL,
        EXEC_INPUT_TTY,
        EXEC_INPUT_TTY_FORCE,
        EXEC_INPUT_TTY_FAIL,
        EXEC_INPUT_SOCKET,
        EXEC_INPUT_NAMED_FD,
        EXEC_INPUT_DATA,
        EXEC_INPUT_FILE,
        _EXEC_INPUT_MAX,
        _EXEC_INPUT_INVALID = -EINVAL,
} ExecInput;

typedef enum ExecOutput {
        EXEC_OUTPUT_INHERIT,
        EXEC_OUTPUT_NULL,
        EXEC_OUTPUT_TTY,
        EXEC_OUTPUT_KMSG,
        EXEC_OUTPUT_KMSG_AND_CONSOLE,
        EXEC_OUTPUT_JOURNAL,
        EXEC_OUTPUT_JOURNAL_AND_CONSOLE,
        EXEC_OUTPUT_SOCKET,
        EXEC_OUTPUT_NAMED_FD,
        EXEC_OUTPUT_FILE,
        EXEC_OUTPUT_FILE_APPEND,
        EXEC_OUTPUT_FILE_TRUNCATE,
        _EXEC_OUTPUT_MAX,
        _EXEC_OUTPUT_INVALID = -EINVAL,
} ExecOutput;

const char *exec_input_to_string(ExecInput i) _const_;
ExecInput exec_input_from_string(const char *s) _pure_;
/* Note: "syslog" and "syslog+console" parse to the journal variants, as in
 * systemd (they are legacy aliases). */
const char *exec_output_to_string(ExecOutput o) _const_;
ExecOutput exec_output_from_string(const char *s) _pure_;

typedef enum ExecPreserveMode {
        EXEC_PRESERVE_NO,
        EXEC_PRESERVE_YES,
        EXEC_PRESERVE_RESTART,
        _EXEC_PRESERVE_MODE_MAX,
        _EXEC_PRESERVE_MODE_INVALID = -EINVAL,
} ExecPreserveMode;

const char *exec_preserve_mode_to_string(ExecPreserveMode m) _const_;

/* The process environment of a unit's commands (systemd.exec(5)): shared by
 * [Socket] (for its Exec*= helpers) and [Service].  Fields are ordered by
 * size so that the struct has no padding: every unit has one. */
typedef struct ExecContext {
        char *user;                     /* User=; NULL = the manager's user */
        char *group;                    /* Group=; NULL = User='s primary group */
        char **supplementary_groups;
        char *working_directory;        /* WorkingDirectory=; NULL = default */
        char *root_directory;           /* RootDirectory= (not supported at run time) */
        char **environment;             /* Environment=, VAR=VALUE */
        char **environment_files;       /* EnvironmentFile=, '-' prefix kept */
        char **pass_environment;
        char **unset_environment;
        struct rlimit **rlimit;         /* Limit*=: NULL until the first one, then RLIM_NLIMITS
                                         * entries, NULL = inherit (exec_context_rlimit()) */
        char *stdio_fdname[3];          /* fd:NAME */
        char *stdio_file[3];            /* file:/append:/truncate: path */
        char **runtime_directory;       /* RuntimeDirectory=, relative names */
        mode_t umask;                   /* default 0022 */
        mode_t runtime_directory_mode;  /* default 0755 */
        int nice;
        ExecInput std_input;            /* default null */
        ExecOutput std_output;          /* default journal (porter: inherit of the manager) */
        ExecOutput std_error;           /* default inherit */
        ExecPreserveMode runtime_directory_preserve; /* default no */
        bool nice_set;
        bool working_directory_home;    /* WorkingDirectory=~ */
        bool working_directory_missing_ok; /* leading '-' */
        bool non_blocking;              /* NonBlocking= ([Service] only) */
} ExecContext;

/* The Limit*= of resource (RLIMIT_*), or NULL: inherit. */
static inline const struct rlimit *exec_context_rlimit(const ExecContext *c, int resource) {
        return c->rlimit && resource >= 0 && resource < RLIM_NLIMITS ? c->rlimit[resource] : NULL;
}

typedef enum KillMode {
        KILL_CONTROL_GROUP,
        KILL_PROCESS,
        KILL_MIXED,
        KILL_NONE,
        _KILL_MODE_MAX,
        _KILL_MODE_INVALID = -EINVAL,
} KillMode;

const char *kill_mode_to_string(KillMode k) _const_;
KillMode kill_mode_from_string(const char *s) _pure_;

/* systemd.kill(5). */
typedef struct KillContext {
        KillMode kill_mode;             /* default control-group */
        int kill_signal;                /* default SIGTERM */
        int restart_kill_signal;        /* 0 = use kill_signal */
        int final_kill_signal;          /* default SIGKILL */
        int watchdog_signal;            /* default SIGABRT */
        bool send_sigkill;              /* default yes */
        bool send_sighup;               /* default no */
} KillContext;

/* Trigger and poll rate limits of a socket (spec §9).  interval ==
 * USEC_INFINITY or burst == UINT_MAX means "not set": unit_load() fills in
 * the defaults for the Accept= mode.  0 disables. */
typedef struct RateLimitConfig {
        usec_t interval;
        unsigned burst;
} RateLimitConfig;

typedef enum SocketExecCommand {
        SOCKET_EXEC_START_PRE,
        SOCKET_EXEC_START_POST,
        SOCKET_EXEC_STOP_PRE,
        SOCKET_EXEC_STOP_POST,
        _SOCKET_EXEC_COMMAND_MAX,
} SocketExecCommand;

typedef enum SocketDeferTrigger {
        SOCKET_DEFER_NO,
        SOCKET_DEFER_YES,
        SOCKET_DEFER_PATIENT,
        _SOCKET_DEFER_MAX,
        _SOCKET_DEFER_INVALID = -EINVAL,
} SocketDeferTrigger;

const char *socket_defer_trigger_to_string(SocketDeferTrigger d) _const_;

/* Where a Listen*= line came from, for load-time check messages. */
typedef struct SocketPortOrigin {
        char *path;
        unsigned line;
} SocketPortOrigin;

/* The commands of a socket unit (ExecStartPre= & co.) and the settings of
 * their processes.  Most sockets run none, so a SocketConfig keeps this
 * behind a pointer that the first such setting allocates (224 bytes that
 * every socket unit paid before); read it through the socket_config_*()
 * accessors below, which give the defaults while it is not allocated. */
typedef struct SocketExecConfig {
        ExecCommand *exec_command[_SOCKET_EXEC_COMMAND_MAX];
        ExecContext exec;
        KillContext kill;
} SocketExecConfig;

/* [Socket] (systemd.socket(5), spec §2). */
typedef struct SocketConfig {
        SocketPort *ports;              /* Listen*= in configuration order; fd = -EBADF */
        SocketPortOrigin *port_origins; /* parallel to ports */
        size_t n_ports;

        /* socket_options_init(): SocketProtocol=, Backlog=, SocketMode=,
         * RemoveOnStop=, Symlinks=, Writable=, the sockopts, and porter's
         * MPTCPFallback= (stored inverted as options.mptcp_strict). */
        SocketOptions options;
        char *socket_protocol_path;     /* file:line of the last SocketProtocol= */
        unsigned socket_protocol_line;

        unsigned max_connections;       /* default 64 */
        unsigned max_connections_per_source; /* default 0 = off */
        SocketDeferTrigger defer_trigger;
        bool accept;
        bool flush_pending;
        bool pass_fds_to_exec;

        char *service;                  /* Service=; NULL = same name .service */
        char *fdname;                   /* FileDescriptorName=; NULL until unit_load() sets the default */
        char *socket_user;              /* SocketUser=; NULL = manager */
        char *socket_group;

        RateLimitConfig trigger_limit;  /* sentinels until unit_load() */
        RateLimitConfig poll_limit;

        usec_t defer_trigger_max_usec;  /* default infinity; 0 = infinity */

        usec_t timeout_usec;            /* TimeoutSec=, default 90 s; 0 = infinity */
        SocketExecConfig *exec_config;  /* NULL until an Exec*=, exec or kill setting */
} SocketConfig;

/* The defaults of a SocketExecConfig (no commands). */
extern const SocketExecConfig socket_exec_config_default;

static inline const SocketExecConfig *socket_config_exec_config(const SocketConfig *s) {
        return s->exec_config ?: &socket_exec_config_default;
}
/* The commands of one kind (a list), or NULL. */
static inline ExecCommand *socket_config_exec_command(const SocketConfig *s, SocketExecCommand id) {
        return s->exec_config ? s->exec_config->exec_command[id] : NULL;
}
static inline const ExecContext *socket_config_exec_context(const SocketConfig *s) {
        return &socket_config_exec_config(s)->exec;
}
static inline const KillContext *socket_config_kill_context(const SocketConfig *s) {
        return &socket_config_exec_config(s)->kill;
}
/* The SocketExecConfig to write settings into, allocated with its defaults
 * on first use; NULL on OOM. */
SocketExecConfig *socket_config_exec_config_get(SocketConfig *s);

typedef enum ServiceType {
        SERVICE_SIMPLE,
        SERVICE_EXEC,
        SERVICE_FORKING,
        SERVICE_ONESHOT,
        SERVICE_DBUS,
        SERVICE_NOTIFY,
        SERVICE_NOTIFY_RELOAD,
        SERVICE_IDLE,
        _SERVICE_TYPE_MAX,
        _SERVICE_TYPE_INVALID = -EINVAL,
} ServiceType;

const char *service_type_to_string(ServiceType t) _const_;
ServiceType service_type_from_string(const char *s) _pure_;

typedef enum ServiceRestart {
        SERVICE_RESTART_NO,
        SERVICE_RESTART_ON_SUCCESS,
        SERVICE_RESTART_ON_FAILURE,
        SERVICE_RESTART_ON_ABNORMAL,
        SERVICE_RESTART_ON_WATCHDOG,
        SERVICE_RESTART_ON_ABORT,
        SERVICE_RESTART_ALWAYS,
        _SERVICE_RESTART_MAX,
        _SERVICE_RESTART_INVALID = -EINVAL,
} ServiceRestart;

const char *service_restart_to_string(ServiceRestart r) _const_;
ServiceRestart service_restart_from_string(const char *s) _pure_;

typedef enum NotifyAccess {
        NOTIFY_NONE,
        NOTIFY_MAIN,
        NOTIFY_EXEC,
        NOTIFY_ALL,
        _NOTIFY_ACCESS_MAX,
        _NOTIFY_ACCESS_INVALID = -EINVAL,
} NotifyAccess;

const char *notify_access_to_string(NotifyAccess n) _const_;
NotifyAccess notify_access_from_string(const char *s) _pure_;

typedef enum ServiceExecCommand {
        SERVICE_EXEC_CONDITION,
        SERVICE_EXEC_START_PRE,
        SERVICE_EXEC_START,
        SERVICE_EXEC_START_POST,
        SERVICE_EXEC_RELOAD,
        SERVICE_EXEC_STOP,
        SERVICE_EXEC_STOP_POST,
        _SERVICE_EXEC_COMMAND_MAX,
} ServiceExecCommand;

/* SuccessExitStatus= and friends: exit codes 0..255 and signal numbers. */
typedef struct ExitStatusSet {
        uint8_t status[256 / 8];        /* bitmap of exit codes */
        uint64_t signals;               /* bit n-1 set for signal n (1..64) */
} ExitStatusSet;

static inline bool exit_status_set_test_status(const ExitStatusSet *s, unsigned code) {
        return code < 256 && (s->status[code / 8] & (1u << (code % 8)));
}
static inline bool exit_status_set_test_signal(const ExitStatusSet *s, int sig) {
        return sig >= 1 && sig <= 64 && (s->signals & (UINT64_C(1) << (sig - 1)));
}

/* SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus=:
 * 120 bytes that few services set, so a ServiceConfig keeps them behind a
 * pointer allocated by the first of them (service_config_exit_status()
 * gives empty sets meanwhile). */
typedef struct ServiceExitStatusConfig {
        ExitStatusSet success_status;
        ExitStatusSet restart_prevent_status;
        ExitStatusSet restart_force_status;
} ServiceExitStatusConfig;

/* [Service] (systemd.service(5), spec §8). */
typedef struct ServiceConfig {
        ServiceType type;               /* _SERVICE_TYPE_INVALID until unit_load(): then simple
                                         * with ExecStart=, else oneshot */
        ServiceRestart restart;         /* default no */
        ExecCommand *exec_command[_SERVICE_EXEC_COMMAND_MAX];

        usec_t restart_usec;            /* default 100 ms */
        usec_t timeout_start_usec;      /* default 90 s, oneshot infinity; infinity disables */
        usec_t timeout_stop_usec;       /* default 90 s */
        bool timeout_start_set;         /* TimeoutStartSec=/TimeoutSec= was given */
        bool remain_after_exit;
        bool guess_main_pid;            /* default yes */
        NotifyAccess notify_access;     /* _NOTIFY_ACCESS_INVALID until unit_load(): then main
                                         * for notify types, else none */
        ServiceExitStatusConfig *exit_status; /* NULL until one of its settings */
        char *pid_file;
        unsigned n_fd_store_max;
        ExecPreserveMode fd_store_preserve; /* default restart */
        char **sockets;                 /* Sockets=: extra socket units; "" does not reset */
        int reload_signal;              /* default SIGHUP */

        KillContext kill;
        ExecContext exec;
} ServiceConfig;

/* Empty sets, what a service without those settings has. */
extern const ServiceExitStatusConfig service_exit_status_config_default;

static inline const ServiceExitStatusConfig *service_config_exit_status(const ServiceConfig *s) {
        return s->exit_status ?: &service_exit_status_config_default;
}
/* The ServiceExitStatusConfig to write into, allocated (empty) on first
 * use; NULL on OOM. */
ServiceExitStatusConfig *service_config_exit_status_get(ServiceConfig *s);

/* [Install] (recorded only: porter does not enable units). */
typedef struct InstallConfig {
        char **wanted_by;
        char **required_by;
        char **upheld_by;
        char **alias;
        char **also;
        char *default_instance;
} InstallConfig;

/* [Unit] settings few units have: WantsMountsFor=, Condition*=, Assert*=,
 * and the settings porter keeps without implementing them.  A UnitConfig
 * keeps them behind a pointer allocated by the first of them (56 bytes,
 * twice per socket with its service); unit_config_extra() gives empty ones
 * meanwhile. */
typedef struct UnitExtraConfig {
        char **wants_mounts_for;
        ConditionList conditions;
        ConditionList asserts;
        UnsupportedSetting *unsupported;
        size_t n_unsupported;
} UnitExtraConfig;

typedef struct UnitConfig {
        char *id;                       /* unit name, e.g. "foo@bar.socket" */
        UnitType type;
        UnitLoadState load_state;
        int load_error;                 /* negative errno behind error/bad-setting, else 0 */
        unsigned start_limit_burst;     /* default 5 */
        char *fragment_path;            /* NULL if not found */
        char **dropin_paths;            /* in the order they were applied */

        /* [Unit] */
        char *description;
        char **documentation;
        char ***dependencies;           /* NULL until the first dependency line, then
                                         * _UNIT_DEPENDENCY_MAX lists (unit_config_dependencies()) */
        char **requires_mounts_for;
        usec_t start_limit_interval;    /* default 10 s */
        usec_t job_timeout;             /* JobTimeoutSec=, default (and 0) infinity: job.h */
        EmergencyAction start_limit_action;
        EmergencyAction failure_action;
        EmergencyAction success_action;
        bool default_dependencies;      /* default yes */
        bool stop_when_unneeded;
        bool refuse_manual_start;
        bool refuse_manual_stop;
        bool allow_isolate;
        UnitExtraConfig *extra;         /* NULL until one of its settings */

        InstallConfig install;

        SocketConfig *socket;           /* type == UNIT_SOCKET */
        ServiceConfig *service;         /* type == UNIT_SERVICE */
} UnitConfig;

/* The units named by the dependency lines of kind d (a strv), or NULL. */
static inline char **unit_config_dependencies(const UnitConfig *u, UnitDependency d) {
        return u->dependencies && d >= 0 && d < _UNIT_DEPENDENCY_MAX ? u->dependencies[d] : NULL;
}

/* Empty, what a unit without those settings has. */
extern const UnitExtraConfig unit_extra_config_default;

static inline const UnitExtraConfig *unit_config_extra(const UnitConfig *u) {
        return u->extra ?: &unit_extra_config_default;
}
/* The UnitExtraConfig to write into, allocated (empty) on first use; NULL
 * on OOM. */
UnitExtraConfig *unit_config_extra_get(UnitConfig *u);

/* Defaults (systemd v258's) for each part; the *_done functions release
 * what a part owns without freeing the part itself. */
void exec_context_init(ExecContext *c);
void exec_context_done(ExecContext *c);
void kill_context_init(KillContext *c);
void socket_config_init(SocketConfig *s);
void socket_config_done(SocketConfig *s);
void service_config_init(ServiceConfig *s);
void service_config_done(ServiceConfig *s);
void install_config_done(InstallConfig *i);
void condition_list_done(ConditionList *l);

/* Remove every port (Listen*= with an empty value). */
void socket_config_clear_ports(SocketConfig *s);

/* A new UnitConfig for the unit named `id` (its type is taken from the
 * suffix; only socket and service units get a type part), load state stub.
 * Returns 0, -EINVAL for an invalid name, or -ENOMEM. */
int unit_config_new(const char *id, UnitConfig **ret);

/* Record an unsupported setting (copies everything).  0 or -ENOMEM. */
int unit_config_add_unsupported(UnitConfig *u, const char *section, const char *key,
                                const char *value, const char *path, unsigned line);

/* NULL-safe; returns NULL. */
UnitConfig *unit_config_free(UnitConfig *u);
static inline void unit_config_freep(UnitConfig **u) {
        unit_config_free(*u);
}
#define _cleanup_unit_config_free_ _cleanup_(unit_config_freep)
