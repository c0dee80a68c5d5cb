/* SPDX-License-Identifier: MIT */
#pragma once

/* porterd's log target: journald when its socket exists, else stderr.
 *
 * With the journal, every line is one entry with MESSAGE=, PRIORITY=,
 * SYSLOG_IDENTIFIER=porterd, and for lines about a unit UNIT=<unit> and
 * PORTER_UNIT=<unit> (`journalctl PORTER_UNIT=foo.socket`).  A service's
 * own output (StandardOutput=journal, unit-output.h) goes with
 * SYSLOG_IDENTIFIER=<its program> and _PID-like PORTER_PID=.  On stderr the
 * unit is a prefix, as before: "porterd: foo.socket: Listening ...".
 *
 * The choice is process-wide, like the log level. */

#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>

#define LOG_JOURNAL_SOCKET "/run/systemd/journal/socket"

typedef enum LogTarget {
        LOG_TARGET_AUTO,        /* journal if LOG_JOURNAL_SOCKET exists, else console */
        LOG_TARGET_JOURNAL,
        LOG_TARGET_CONSOLE,
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} LogTarget;

/* "auto", "journal", "console". */
LogTarget log_target_from_string(const char *s);

/* Pick the target (AUTO looks for the journal socket) and route basic's
 * log through it.  Returns the target chosen (never AUTO). */
LogTarget log_journal_setup(LogTarget target);

/* Whether lines go to journald. */
bool log_journal_active(void);

/* Send one line about unit (may be NULL) to journald. */
void log_journal_send(int level, const char *unit, const char *text);

/* Send one line a service printed: identifier is its program name. */
void log_journal_send_output(const char *unit, const char *identifier, pid_t pid, const char *text);
