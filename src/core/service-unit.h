/* SPDX-License-Identifier: MIT */
#pragma once

/* ServiceUnit: a .service unit at run time (spec §6, §8).  States and
 * results follow systemd's service.c; transitions happen only in
 * service_enter_<state>().  Accept=yes instances are ServiceUnits that
 * borrow their template's UnitConfig and own one connection fd. */

#include <netinet/in.h>
#include <stdbool.h>

#include "socket-unit.h"
#include "socket-util.h"
#include "unit.h"

typedef enum ServiceState {
        SERVICE_DEAD,
        SERVICE_START_PRE,
        SERVICE_START,
        SERVICE_START_POST,
        SERVICE_RUNNING,
        SERVICE_EXITED,
        SERVICE_STOP,
        SERVICE_STOP_SIGTERM,
        SERVICE_STOP_SIGKILL,
        SERVICE_STOP_POST,
        SERVICE_FINAL_SIGTERM,
        SERVICE_FINAL_SIGKILL,
        SERVICE_FAILED,
        SERVICE_AUTO_RESTART,
        SERVICE_RELOAD,                 /* ExecReload= runs; the unit stays up */
        SERVICE_CONDITION,              /* ExecCondition= runs, before ExecStartPre= */
        _SERVICE_STATE_MAX,
        _SERVICE_STATE_INVALID = -EINVAL,
} ServiceState;

typedef enum ServiceResult {
        SERVICE_SUCCESS,
        SERVICE_FAILURE_RESOURCES,
        SERVICE_FAILURE_PROTOCOL,
        SERVICE_FAILURE_TIMEOUT,
        SERVICE_FAILURE_EXIT_CODE,
        SERVICE_FAILURE_SIGNAL,
        SERVICE_FAILURE_CORE_DUMP,
        SERVICE_FAILURE_WATCHDOG,
        SERVICE_FAILURE_START_LIMIT_HIT,
        _SERVICE_RESULT_MAX,
        _SERVICE_RESULT_INVALID = -EINVAL,
} ServiceResult;

const char *service_state_to_string(ServiceState s) _const_;
ServiceState service_state_from_string(const char *s) _pure_;
const char *service_result_to_string(ServiceResult r) _const_;
ServiceResult service_result_from_string(const char *s) _pure_;
UnitActiveState service_state_to_active_state(ServiceState s) _const_;

typedef struct ServiceUnit {
        Unit meta;
        ServiceConfig *config;          /* meta.config->service, or the template's */
        UnitConfig *borrowed_config;    /* Accept=yes instance: the template's, not owned */

        ServiceState state;
        ServiceResult result;

        UnitProcess main_process;
        pid_t session_pid;              /* first ExecStart= process: its session/group id */
        int main_exit_code;             /* si_code / si_status of the last main exit */
        int main_exit_status;
        ServiceExecCommand control_command_id;
        UnitProcess control_process;
        ExecCommand *control_command;
        ExecCommand *main_command;
        unsigned n_restarts;
        bool instance;                  /* an Accept=yes instance (collected when done) */
        bool forbid_restart;            /* stopped by request: no Restart= */
        bool start_limit_hit;           /* last start refused by the start limit */
        char *status_text;              /* STATUS= */
        char invocation_id[33];         /* $INVOCATION_ID of this run: 128 random bits in hex */
        char **runtime_dirs;            /* RuntimeDirectory= made for this run */
        int *fd_store;                  /* FDSTORE=1 fds, passed after the socket fds */
        char **fd_store_names;          /* parallel: FDNAME= or "stored" */
        size_t n_fd_store;

        /* Accept=yes instance: the connection and where it came from. */
        SocketUnit *accept_socket;
        int connection_fd;
        SocketPeerKey peer;
        socklen_t peer_salen;
        union sockaddr_union peer_sa;   /* for REMOTE_ADDR/REMOTE_PORT */
} ServiceUnit;

extern const UnitVTable service_vtable;

static inline ServiceUnit *SERVICE(Unit *u) {
        return u && u->type == UNIT_SERVICE ? (ServiceUnit *) u : NULL;
}

/* Create an Accept=yes instance named id with config (the template's,
 * borrowed, or with owned its own, loaded for this instance) that owns
 * connection fd cfd (closed, and the socket's counts released, on
 * failure too).  Returns 0 or -errno. */
int service_new_instance(Manager *m, const char *id, UnitConfig *config, bool owned,
                         SocketUnit *s, int cfd, const SocketPeerKey *peer, ServiceUnit **ret);

/* Finish setting up a service the manager loaded from a unit file. */
void service_init_loaded(ServiceUnit *s);

/* A notify message from a process of this service (already attributed and
 * access-checked by notify.c): one KEY=VALUE per line, and the fds that
 * came with it.  Fds the service keeps (FDSTORE=1) are set to -EBADF in
 * fds[]; the caller closes the rest. */
void service_notify_message(ServiceUnit *s, pid_t sender, char * const *tags, int *fds, size_t n_fds);

/* NotifyAccess= in effect (explicit, or main for notify types). */
NotifyAccess service_config_notify_access(const ServiceConfig *c) _pure_;

/* The environment a service gets from the manager besides LISTEN_*:
 * NOTIFY_SOCKET= when it may notify.  A new strv, or NULL on OOM. */
char **service_notify_env(Manager *m, const ServiceConfig *c);
