/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-journal.h"
#include "unit-log.h"

void unit_log_ring_push(UnitLogRing *ring, int level, const char *text) {
        if (!ring->lines) {
                ring->lines = calloc(UNIT_LOG_LINES, sizeof(UnitLogLine));
                if (!ring->lines)
                        return; /* Losing one kept line is better than failing the caller. */
        }
        char *copy = strdup(text);
        if (!copy)
                return;

        UnitLogLine *slot = &ring->lines[ring->next];
        free(slot->text);
        *slot = (UnitLogLine) {
                .timestamp = now(CLOCK_REALTIME),
                .level = level,
                .text = copy,
        };
        ring->next = (ring->next + 1) % UNIT_LOG_LINES;
        if (ring->n < UNIT_LOG_LINES)
                ring->n++;
}

const UnitLogLine *unit_log_ring_get(const UnitLogRing *ring, size_t i) {
        if (i >= ring->n)
                return NULL;
        /* The oldest line sits at `next` once the ring has wrapped. */
        size_t oldest = ring->n < UNIT_LOG_LINES ? 0 : ring->next;
        return &ring->lines[(oldest + i) % UNIT_LOG_LINES];
}

void unit_log_ring_clear(UnitLogRing *ring) {
        for (size_t i = 0; ring->lines && i < UNIT_LOG_LINES; i++)
                free(ring->lines[i].text);
        free(ring->lines);
        *ring = (UnitLogRing) {};
}

int unit_log_internal(const char *id, UnitLogRing *ring, int level, int error,
                      const char *file, int line, const char *func,
                      const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (level > log_get_max_level())
                return -error;

        /* %m must print the error we were given. */
        errno = error;
        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);
        errno = saved_errno;

        if (ring)
                unit_log_ring_push(ring, level, buf);
        if (log_journal_active()) {
                log_journal_send(level, id, buf);
                return -error;
        }
        return log_internal(level, error, file, line, func, "%s: %s", id, buf);
}
