/* SPDX-License-Identifier: MIT */
#pragma once

/* Per-unit logging.  Every message about a unit goes to porterd's log
 * (stderr) with the unit name as prefix ("foo.socket: Failed to ...") and is
 * also kept in the unit's ring of its last UNIT_LOG_LINES lines, which
 * `porterctl status` shows and a failed `porterctl start` prints. */

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "log.h"
#include "macro.h"
#include "time-util.h"

#define UNIT_LOG_LINES 100

/* One kept line: a record in the ring's buffer, text stored inline. */
typedef struct UnitLogLine {
        usec_t timestamp;       /* CLOCK_REALTIME */
        int level;
        uint32_t size;          /* of the whole record, a multiple of its alignment */
        char text[];            /* without the unit prefix, NUL-terminated */
} UnitLogLine;

/* The last UNIT_LOG_LINES lines, packed oldest first in one buffer that
 * grows with what is kept: most units log a line or two ("Listening on
 * ..."), so a fixed table of 100 slots per unit would cost 2.4 KB each for
 * nothing.  Records live in buf[start, end); the buffer is compacted or
 * grown when a new record does not fit behind `end`. */
typedef struct UnitLogRing {
        char *buf;              /* NULL until the first line */
        uint32_t start;         /* offset of the oldest record */
        uint32_t end;           /* offset after the newest record */
        uint32_t allocated;     /* size of buf */
        uint32_t n;             /* lines held, at most UNIT_LOG_LINES */
} UnitLogRing;

/* Store a line (copied) in the ring, dropping the oldest when it holds
 * UNIT_LOG_LINES.  On OOM the line is not kept (the ring stays valid). */
void unit_log_ring_push(UnitLogRing *ring, int level, const char *text);

/* The i-th line held, oldest first (i < ring->n), or NULL.  Valid until the
 * next push or clear.  O(i): walks the records from the oldest. */
const UnitLogLine *unit_log_ring_get(const UnitLogRing *ring, size_t i);

/* Free every line; the ring is empty afterwards. */
void unit_log_ring_clear(UnitLogRing *ring);

/* Log a line for the unit named `id` and store it in `ring` (which may be
 * NULL).  Lines above the current log level are neither written nor kept.
 * `%m` prints strerror(error).  Returns -abs(error), or 0 for error 0. */
int unit_log_internal(const char *id, UnitLogRing *ring, int level, int error,
                      const char *file, int line, const char *func,
                      const char *format, ...) _printf_(8, 9);

/* These take any object with `const char *id` and `UnitLogRing log_ring`
 * members: a Unit. */
#define log_unit_full_errno(u, level, error, ...)                               \
        unit_log_internal((u)->id, &(u)->log_ring, (level), (error),            \
                          __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_unit_debug(u, ...)   log_unit_full_errno(u, LOG_DEBUG, 0, __VA_ARGS__)
#define log_unit_info(u, ...)    log_unit_full_errno(u, LOG_INFO, 0, __VA_ARGS__)
#define log_unit_notice(u, ...)  log_unit_full_errno(u, LOG_NOTICE, 0, __VA_ARGS__)
#define log_unit_warning(u, ...) log_unit_full_errno(u, LOG_WARNING, 0, __VA_ARGS__)
#define log_unit_error(u, ...)   log_unit_full_errno(u, LOG_ERR, 0, __VA_ARGS__)

#define log_unit_debug_errno(u, error, ...)   log_unit_full_errno(u, LOG_DEBUG, (error), __VA_ARGS__)
#define log_unit_info_errno(u, error, ...)    log_unit_full_errno(u, LOG_INFO, (error), __VA_ARGS__)
#define log_unit_warning_errno(u, error, ...) log_unit_full_errno(u, LOG_WARNING, (error), __VA_ARGS__)
#define log_unit_error_errno(u, error, ...)   log_unit_full_errno(u, LOG_ERR, (error), __VA_ARGS__)
