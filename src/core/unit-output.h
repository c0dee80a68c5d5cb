/* SPDX-License-Identifier: MIT */
#pragma once

/* What a service prints, read by porterd (StandardOutput=journal/syslog/
 * kmsg, the default, and StandardError= that follows it).  exec_prepare()
 * with ExecExtra.capture_output makes a pipe per spawned process: the
 * child gets the write end as stdout/stderr, porterd reads the other end in
 * its event loop.  Every complete line (or each UNIT_OUTPUT_LINE_MAX bytes
 * of a longer one) goes into the unit's log ring (unit-log.h), which
 * `porterctl status` shows, and to porterd's log: journald with the
 * program's SYSLOG_IDENTIFIER, or stderr as "prog[pid]: text".  A reader
 * ends at EOF, i.e. once the process and everything it forked closed the
 * pipe.  Accept=yes instances do not capture: their stdout is usually
 * the connection, and the per-connection path makes no pipe. */

#include <sys/types.h>

typedef struct Unit Unit;
typedef struct UnitOutput UnitOutput;

#define UNIT_OUTPUT_LINE_MAX 2048

/* Watch read_fd (ownership moves in) for output of pid, running program
 * identifier (its basename is used).  Returns 0 or -errno (fd closed). */
int unit_output_watch(Unit *u, int read_fd, pid_t pid, const char *identifier);

/* The i-th pipe u reads (daemon-reexec passes them on, manager-serialize.h):
 * its fd (still owned by u), process and identifier.  0, or -ENOENT past
 * the last one. */
int unit_output_get(Unit *u, size_t i, int *ret_fd, pid_t *ret_pid, const char **ret_identifier);

/* Read what is left on every pipe of u, then stop watching them. */
void unit_output_free_all(Unit *u);
