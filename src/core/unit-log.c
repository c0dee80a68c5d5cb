/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-journal.h"
#include "unit-log.h"

#define RECORD_ALIGN _Alignof(UnitLogLine)
#define RING_MIN_ALLOC 64u

static UnitLogLine *record_at(const UnitLogRing *ring, uint32_t offset) {
        return (UnitLogLine *) (ring->buf + offset);
}

/* Make room for `need` bytes after ring->end: reuse the space of dropped
 * records at the front when that is at least half the buffer (so each byte
 * is moved a bounded number of times), else grow by doubling. */
static int ring_reserve(UnitLogRing *ring, uint32_t need) {
        if (ring->allocated - ring->end >= need)
                return 0;
        if (ring->start > 0 && ring->start >= ring->allocated / 2 &&
            ring->allocated - (ring->end - ring->start) >= need) {
                memmove(ring->buf, ring->buf + ring->start, ring->end - ring->start);
                ring->end -= ring->start;
                ring->start = 0;
                return 0;
        }
        uint64_t want = (uint64_t) ring->end + need, a = ring->allocated ? ring->allocated : RING_MIN_ALLOC;
        while (a < want)
                a *= 2;
        if (a > UINT32_MAX)
                return -ENOMEM;
        char *b = realloc(ring->buf, a);
        if (!b)
                return -ENOMEM;
        ring->buf = b;
        ring->allocated = (uint32_t) a;
        return 0;
}

void unit_log_ring_push(UnitLogRing *ring, int level, const char *text) {
        size_t len = strlen(text);
        if (len > UINT32_MAX / 2)
                return;
        uint32_t need = (uint32_t) ((sizeof(UnitLogLine) + len + 1 + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1));

        if (ring->n >= UNIT_LOG_LINES) {
                ring->start += record_at(ring, ring->start)->size;
                ring->n--;
        }
        if (ring->n == 0)
                ring->start = ring->end = 0;
        if (ring_reserve(ring, need) < 0)
                return; /* Losing one kept line is better than failing the caller. */

        UnitLogLine *l = record_at(ring, ring->end);
        l->timestamp = now(CLOCK_REALTIME);
        l->level = level;
        l->size = need;
        memcpy(l->text, text, len + 1);
        ring->end += need;
        ring->n++;
}

const UnitLogLine *unit_log_ring_get(const UnitLogRing *ring, size_t i) {
        if (i >= ring->n)
                return NULL;
        uint32_t o = ring->start;
        while (i-- > 0)
                o += record_at(ring, o)->size;
        return record_at(ring, o);
}

void unit_log_ring_clear(UnitLogRing *ring) {
        free(ring->buf);
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
