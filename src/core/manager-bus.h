/* SPDX-License-Identifier: MIT */
#pragma once

/* The control socket: D-Bus peer to peer over <runtime>/porter/private, with
 * sd-bus as the server and no bus daemon.  Object and member names follow
 * org.freedesktop.systemd1 so that busctl and systemd-minded tools can talk
 * to porterd:
 *
 *   /org/freedesktop/systemd1  org.freedesktop.systemd1.Manager
 *       StartUnit(ss) -> o, StopUnit(ss) -> o, RestartUnit(ss) -> o,
 *       ReloadUnit(ss) -> o, TryRestartUnit(ss) -> o (each returns the
 *       job's path: job.h),
 *       Subscribe(), Unsubscribe(), GetJob(u) -> o, ListJobs(),
 *       signals JobNew(uos) and JobRemoved(uoss) to subscribers,
 *       ResetFailedUnit(s),
 *       GetUnit(s) -> o, ListUnits() -> a(ssssssouso), Reload(),
 *       KillUnit(ssi)
 *   /org/freedesktop/systemd1/unit/<escaped name>
 *       org.freedesktop.systemd1.Unit      Id, Description, LoadState,
 *                                          ActiveState, SubState, Triggers,
 *                                          StateChangeTimestamp and
 *                                          {Active,Inactive}{Enter,Exit}Timestamp
 *                                          (usec, CLOCK_REALTIME, 0 = never)
 *       org.freedesktop.systemd1.Socket    Result, NAccepted, NConnections,
 *                                          NRefused, Accept b, Listen a(ss)
 *       org.freedesktop.systemd1.Service   Result, MainPID, StatusText,
 *                                          NRestarts
 *       io.porter.Unit1                    LogLines a(tis) (the last 100),
 *                                          WaitingForMount s (mount-wait.h),
 *                                          Ports a(sss) (type, address,
 *                                          protocol incl. MPTCP fallback)
 *       io.porter.Socket1                  NAcceptedMPTCP, NAcceptedFallback
 *                                          (Accept=no: open now, by sock-diag)
 *   /org/freedesktop/systemd1/job/<id>
 *       org.freedesktop.systemd1.Job       Id, Unit (so), JobType, State;
 *                                          Cancel()
 *   /org/freedesktop/DBus  org.freedesktop.DBus.Hello() -> s, answered so
 *       that clients that act as bus clients (busctl) can connect.
 *
 * SO_PEERCRED decides: root and porterd's own uid may change state; other
 * users may read.  At most MANAGER_BUS_CLIENTS_MAX connections at a time. */

#include <stdint.h>

typedef struct Manager Manager;

#define MANAGER_BUS_CLIENTS_MAX 64

/* Create, bind and watch the control socket (or only watch m->control_fd
 * when it is set: the one passed through re-execution).  Returns 0 or
 * -errno (logged). */
int manager_setup_control(Manager *m);

/* Close every client connection and the socket; removes the node. */
void manager_close_control(Manager *m);

/* The object path of a unit ("/org/freedesktop/systemd1/unit/foo_2esocket").
 * Returns 0 or -ENOMEM. */
int unit_bus_path(const char *id, char **ret);

/* The object path of job id ("/org/freedesktop/systemd1/job/7").  0 or -ENOMEM. */
int job_bus_path(uint32_t id, char **ret);

/* Send JobNew(u id, o job, s unit) / JobRemoved(u id, o job, s unit, s result)
 * to every client that called Subscribe(). */
void manager_bus_send_job_new(Manager *m, uint32_t id, const char *unit);
void manager_bus_send_job_removed(Manager *m, uint32_t id, const char *unit, const char *result);
