/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "log-journal.h"
#include "log.h"
#include "string-util.h"

/* Process-wide, like log.c's level: there is one journald per process. */
static bool journal_active;

LogTarget log_target_from_string(const char *s) {
        if (streq_ptr(s, "auto"))
                return LOG_TARGET_AUTO;
        if (streq_ptr(s, "journal"))
                return LOG_TARGET_JOURNAL;
        if (streq_ptr(s, "console"))
                return LOG_TARGET_CONSOLE;
        return _LOG_TARGET_INVALID;
}

static void journal_writer(int level, const char *text) {
        log_journal_send(level, NULL, text);
}

LogTarget log_journal_setup(LogTarget target) {
        if (target == LOG_TARGET_AUTO)
                target = access(LOG_JOURNAL_SOCKET, W_OK) >= 0 ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;
        journal_active = target == LOG_TARGET_JOURNAL;
        log_set_writer(journal_active ? journal_writer : NULL);
        return target;
}

bool log_journal_active(void) {
        return journal_active;
}

void log_journal_send(int level, const char *unit, const char *text) {
        int r;

        if (unit)
                r = sd_journal_send("MESSAGE=%s", text, "PRIORITY=%i", level, "SYSLOG_IDENTIFIER=porterd",
                                    "UNIT=%s", unit, "PORTER_UNIT=%s", unit, NULL);
        else
                r = sd_journal_send("MESSAGE=%s", text, "PRIORITY=%i", level, "SYSLOG_IDENTIFIER=porterd",
                                    NULL);
        /* journald went away: keep the line on stderr rather than lose it. */
        if (r < 0)
                fprintf(stderr, "porterd: %s%s%s\n", strempty(unit), unit ? ": " : "", text);
}

void log_journal_send_output(const char *unit, const char *identifier, pid_t pid, const char *text) {
        int r = sd_journal_send("MESSAGE=%s", text, "PRIORITY=%i", LOG_INFO, "SYSLOG_IDENTIFIER=%s", identifier,
                                "SYSLOG_PID=%i", (int) pid, "UNIT=%s", unit, "PORTER_UNIT=%s", unit, NULL);
        if (r < 0)
                fprintf(stderr, "%s[%i]: %s\n", identifier, (int) pid, text);
}
