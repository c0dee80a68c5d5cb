/* SPDX-License-Identifier: MIT */
#pragma once

/* SocketUnit: a .socket unit at run time (spec §4, §5, §9).  The state
 * machine follows systemd's socket.c: every transition is one
 * socket_enter_<state>() function, failures carry a SocketResult, and the
 * first non-success result sticks until the next start. */

#include <stdbool.h>

#include "execute.h"
#include "socket-util.h"
#include "unit.h"

typedef struct ServiceUnit ServiceUnit;
typedef struct SocketUnit SocketUnit;

typedef enum SocketState {
        SOCKET_DEAD,
        SOCKET_START_PRE,
        SOCKET_START_OPEN,
        SOCKET_START_CHOWN,
        SOCKET_START_POST,
        SOCKET_LISTENING,
        SOCKET_DEFERRED,                /* DeferTrigger=: the service's start waits for a conflict to end */
        SOCKET_RUNNING,
        SOCKET_STOP_PRE,
        SOCKET_STOP_PRE_SIGTERM,
        SOCKET_STOP_PRE_SIGKILL,
        SOCKET_STOP_POST,
        SOCKET_FINAL_SIGTERM,
        SOCKET_FINAL_SIGKILL,
        SOCKET_FAILED,
        _SOCKET_STATE_MAX,
        _SOCKET_STATE_INVALID = -EINVAL,
} SocketState;

typedef enum SocketResult {
        SOCKET_SUCCESS,
        SOCKET_FAILURE_RESOURCES,
        SOCKET_FAILURE_TIMEOUT,
        SOCKET_FAILURE_EXIT_CODE,
        SOCKET_FAILURE_SIGNAL,
        SOCKET_FAILURE_CORE_DUMP,
        SOCKET_FAILURE_START_LIMIT_HIT,
        SOCKET_FAILURE_TRIGGER_LIMIT_HIT,
        SOCKET_FAILURE_SERVICE_START_LIMIT_HIT,
        _SOCKET_RESULT_MAX,
        _SOCKET_RESULT_INVALID = -EINVAL,
} SocketResult;

/* "dead", "start-pre", ..., "failed" (systemd's names). */
const char *socket_state_to_string(SocketState s) _const_;
SocketState socket_state_from_string(const char *s) _pure_;
/* "success", "resources", ..., "service-start-limit-hit". */
const char *socket_result_to_string(SocketResult r) _const_;
SocketResult socket_result_from_string(const char *s) _pure_;
/* The active state a socket state maps to (spec §5 table). */
UnitActiveState socket_state_to_active_state(SocketState s) _const_;

/* One listening port being watched. */
typedef struct SocketWatch {
        SocketUnit *socket;
        SocketPort *port;
        sd_event_source *io_source;
} SocketWatch;

/* Open connections of one source (IP address, or UID on AF_UNIX), for
 * MaxConnectionsPerSource=.  A fixed table of MaxConnections slots is
 * allocated at start, so counting allocates nothing per connection. */
typedef struct SocketPeerCount {
        union {
                uint8_t addr[16];
                uint32_t uid;
        } key;
        uint8_t key_family;             /* AF_INET6 (v4 mapped), AF_UNIX, 0 = free slot */
        unsigned n;
} SocketPeerCount;

/* Key of the peer of an accepted connection; see socket_peer_key(). */
typedef struct SocketPeerKey {
        uint8_t family;
        uint8_t addr[16];
        uint32_t uid;
} SocketPeerKey;

struct SocketUnit {
        Unit meta;
        SocketConfig *config;           /* meta.config->socket, or a test's */

        SocketState state;
        SocketResult result;

        SocketWatch *watches;           /* parallel to config->ports */
        unsigned n_accepted;
        unsigned n_connections;
        unsigned n_refused;
        unsigned n_accepted_mptcp;      /* Accept=yes on MPTCP listeners: connections that */
        unsigned n_accepted_fallback;   /* were really MPTCP / fell back to plain TCP */
        SocketExecCommand control_command_id; /* (here: fills what would be padding) */
        RateLimit trigger_limit;

        /* Accept=no: the service started with our fds.  Accept=yes: the
         * template whose instances get the connections. */
        Unit *service;
        char *instance_prefix;          /* Accept=yes: "foo" of foo@.service */

        SocketPeerCount *peers;         /* MaxConnectionsPerSource= table */
        size_t n_peer_slots;

        UnitProcess control_process;
        ExecCommand *control_command;

        /* Accept=yes: everything to spawn an instance's ExecStart=, prepared
         * once per start so that a connection costs one clone().  Allocated
         * by the first prepare: most sockets are Accept=no (592 bytes). */
        ExecPrepared *instance_exec;
        SpawnTemplate *spawn_template;
        union sockaddr_union last_peer; /* of the connection being dispatched */
        socklen_t last_peer_len;
        bool instances_need_load;       /* the template uses %i & co.: no shared template */
};

extern const UnitVTable socket_vtable;

static inline SocketUnit *SOCKET(Unit *u) {
        return u && u->type == UNIT_SOCKET ? (SocketUnit *) u : NULL;
}

/* The name of the service an Accept=no socket triggers: Service= or the
 * socket's own name with .service.  Returns a heap string or NULL (OOM). */
char *socket_triggered_service_name(const SocketUnit *s);

/* Attach the triggered service (Accept=no) or template (Accept=yes); the
 * manager calls this after loading both.  Prepares per-start state. */
int socket_set_service(SocketUnit *s, Unit *service);

/* EPOLLIN (or another revents) on port `w`: what the sd-event IO source
 * calls.  Public for the tests, which call it without running the loop. */
void socket_port_ready(SocketWatch *w, uint32_t revents);

/* An Accept=no socket's service changed state (socket_trigger_notify). */
void socket_service_changed(SocketUnit *s, Unit *service);

/* DeferTrigger= (spec §5.4): some unit stopped or a job ended, so the
 * lenient start of deferred sockets' services is tried again, from the
 * loop.  Cheap when no socket is deferred. */
void socket_schedule_deferred_retry(Manager *m);

/* An Accept=yes instance released its connection (reached dead/failed or
 * was freed): release the MaxConnections and per-source counts. */
void socket_connection_released(SocketUnit *s, const SocketPeerKey *peer);

/* Accept=yes: prepare (again) what instances are spawned from, from the
 * template service's current config.  Returns 0 or -errno. */
int socket_prepare_instance_template(SocketUnit *s);

/* MPTCP accounting for `status`.  Accept=yes: the accepted connections
 * since the start that were MPTCP / fell back to TCP (n_accepted_mptcp,
 * n_accepted_fallback).  Accept=no: porterd never sees the connections, so
 * the kernel is asked, when this is called, how many connections are open
 * right now on the socket's open MPTCP listeners, and which of them are
 * MPTCP (sock-diag.h).  Returns 0, -ENODATA for an Accept=no socket without
 * an open MPTCP listener, or the -errno of the query. */
int socket_mptcp_counts(SocketUnit *s, unsigned *ret_mptcp, unsigned *ret_fallback);

/* Fill key with the peer of connection fd (IP address with v4 as mapped
 * v6; UID through SO_PEERCRED on AF_UNIX).  Returns 0 or -errno. */
int socket_peer_key(int fd, SocketPeerKey *ret);
