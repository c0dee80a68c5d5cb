/* SPDX-License-Identifier: MIT */
#pragma once

/* The control socket: D-Bus peer to peer over <runtime>/porter/private, with
 * sd-bus as the server and no bus daemon.  Object and member names follow
 * org.freedesktop.systemd1 so that busctl and systemd-minded tools can talk
 * to porterd:
 *
 *   /org/freedesktop/systemd1  org.freedesktop.systemd1.Manager
 *       StartUnit(ss) -> o, StopUnit(ss) -> o, ResetFailedUnit(s),
 *       GetUnit(s) -> o, ListUnits() -> a(ssssssouso), Reload(),
 *       KillUnit(ssi)
 *   /org/freedesktop/systemd1/unit/<escaped name>
 *       org.freedesktop.systemd1.Unit      Id, Description, LoadState,
 *                                          ActiveState, SubState, Triggers
 *       org.freedesktop.systemd1.Socket    Result, NAccepted, NConnections,
 *                                          NRefused, Listen a(ss)
 *       org.freedesktop.systemd1.Service   Result, MainPID, StatusText,
 *                                          NRestarts
 *       io.porter.Unit1                    LogLines a(tis) (the last 100),
 *                                          Ports a(sss) (type, address,
 *                                          protocol incl. MPTCP fallback)
 *       io.porter.Socket1                  NAcceptedMPTCP, NAcceptedFallback
 *   /org/freedesktop/DBus  org.freedesktop.DBus.Hello() -> s, answered so
 *       that clients that act as bus clients (busctl) can connect.
 *
 * SO_PEERCRED decides: root and porterd's own uid may change state; other
 * users may read.  At most MANAGER_BUS_CLIENTS_MAX connections at a time. */

typedef struct Manager Manager;

#define MANAGER_BUS_CLIENTS_MAX 64

/* Create, bind and watch the control socket.  Returns 0 or -errno (logged). */
int manager_setup_control(Manager *m);

/* Close every client connection and the socket; removes the node. */
void manager_close_control(Manager *m);

/* The object path of a unit ("/org/freedesktop/systemd1/unit/foo_2esocket").
 * Returns 0 or -ENOMEM. */
int unit_bus_path(const char *id, char **ret);
