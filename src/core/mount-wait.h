/* SPDX-License-Identifier: MIT */
#pragma once

/* Waiting for mounts before a unit starts: RequiresMountsFor= and the
 * implicit one of socket units for the paths of their unix sockets and
 * FIFOs (systemd's path-based dependencies).
 *
 * systemd orders such a unit after the mount units of every prefix of the
 * path.  porter has no mount units; it takes the mounts systemd would have
 * made units of from the fstab (/etc/fstab or $LIBMOUNT_FSTAB, through
 * libmount): a path must wait while a prefix of it (not "/") is listed there
 * and not in the mount table (/proc/self/mountinfo) yet.  A path nobody
 * mounts anything on does not wait, as in systemd.
 *
 * While a unit waits, it stays inactive with its start pending
 * (Unit.waiting_for_mount, shown by `porterctl status` as "Waiting for
 * mount /x"); the manager watches libmount's monitor of the kernel mount
 * table in its event loop and starts the unit once the mount is there.
 * A stop request ends the wait. */

#include <stdbool.h>

typedef struct Manager Manager;
typedef struct Unit Unit;

/* The first mount path needs that is not mounted yet: 1 and *ret (heap)
 * when there is one, 0 when none, -errno.  fstab and mountinfo as above,
 * read at most once per event-loop iteration of m. */
int mount_path_pending(Manager *m, const char *path, char **ret);

/* Check every path u needs.  Returns 1 when u must wait (waiting_for_mount
 * set, the monitor on, logged once), 0 when it may start, -errno. */
int unit_wait_for_mounts(Unit *u);

/* Stop waiting (a stop request). */
void unit_cancel_mount_wait(Unit *u);

/* Release the manager's mount monitor and its parsed mount tables. */
void manager_mount_monitor_free(Manager *m);
