/* SPDX-License-Identifier: MIT */
#pragma once

/* The manager's seam to the operating system.  Every process the state
 * machines start, signal or wait for, and every clock reading they make,
 * goes through a ManagerOps table.  porterd uses manager_ops_real (spawn
 * through src/shared/spawn.h, kill through pidfds, child exits through
 * sd-event pidfd child sources, CLOCK_MONOTONIC); the state-machine tests
 * (test/unit/test-socket-unit.c, test-service-unit.c) install a table that
 * records what would have happened and feed exits and time back by hand, so
 * they run without real processes. */

#include <stdbool.h>
#include <sys/types.h>

#include "spawn.h"
#include "time-util.h"

typedef struct Manager Manager;
typedef struct Unit Unit;
typedef struct sd_event_source sd_event_source;

/* A process the manager started: its pid, a pidfd (-EBADF when the kernel
 * or the seam gave none) and the sd-event source watching it: an IO
 * source on the pidfd, or sd-event's child source where there is none. */
typedef struct UnitProcess {
        pid_t pid;              /* 0 when there is no process */
        int pidfd;
        bool watched_by_pidfd;  /* child_source is an IO source on pidfd */
        sd_event_source *child_source;
} UnitProcess;

#define UNIT_PROCESS_NULL ((UnitProcess) { .pid = 0, .pidfd = -EBADF })

typedef struct ManagerOps {
        /* Start the process described by p (src/shared/spawn.h).  On success store the pid and a
         * pidfd (or -EBADF) and return 0; else -errno (exec failures included
         * when the implementation can see them). */
        int (*spawn)(Manager *m, const SpawnParams *p, pid_t *ret_pid, int *ret_pidfd);
        /* The Accept=yes fast path: spawn from a prepared template with the
         * connection fd and its peer address (spawn_template_spawn()). */
        int (*spawn_template)(Manager *m, SpawnTemplate *t, int connection_fd,
                              const struct sockaddr *peer, socklen_t peer_len,
                              pid_t *ret_pid, int *ret_pidfd);
        /* Send sig to the process (and with whole_group to its process group). */
        int (*kill)(Manager *m, const UnitProcess *p, int sig, bool whole_group);
        /* Arrange for manager_child_exited(m, u, ...) to be called once p exits. */
        int (*watch)(Manager *m, Unit *u, UnitProcess *p);
        /* CLOCK_MONOTONIC now. */
        usec_t (*now)(Manager *m);
} ManagerOps;

extern const ManagerOps manager_ops_real;

/* Stop watching p, close its pidfd, forget it.  NULL-safe fields. */
void unit_process_release(UnitProcess *p);
