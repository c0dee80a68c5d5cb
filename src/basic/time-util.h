/* SPDX-License-Identifier: MIT */
#pragma once

/* Time spans in microseconds (usec_t), as unit files write them.
 *
 * Grammar of parse_time() (systemd.time(7), "Parsing Time Spans"):
 *
 *   span    := ws* ( "infinity" | term ( ws* term )* ) ws*
 *   term    := digits [ "." digits ] ws* [ unit ]
 *   unit    := us usec µs μs | ms msec | s sec second seconds
 *            | m min minute minutes | h hr hour hours | d day days
 *            | w week weeks | M month months | y year years
 *
 * Units are case-sensitive ("M" is a month, "m" a minute).  A term without a
 * unit uses default_unit, wherever it stands: "5 3s" is 8 s and "5s5" 10 s,
 * like systemd 252 (checked with systemd-analyze timespan).  A fraction may
 * lack its integer part (".5s"); its digits below one microsecond are
 * dropped, not rounded; "5.s" and "5." are errors.  The integer part must fit
 * in int64_t (systemd uses strtoll).
 * A month is 30.44 days (2 629 800 s), a year 365.25 days (31 557 600 s).
 * "infinity" must stand alone.  A leading '-' → -ERANGE; empty or garbage →
 * -EINVAL; a sum or product that does not fit below USEC_INFINITY → -ERANGE. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "macro.h"

typedef uint64_t usec_t;
typedef uint64_t nsec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)

#define NSEC_PER_USEC ((nsec_t) 1000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define NSEC_PER_SEC ((nsec_t) 1000000000ULL)
#define USEC_PER_MINUTE ((usec_t) (60ULL * USEC_PER_SEC))
#define USEC_PER_HOUR ((usec_t) (60ULL * USEC_PER_MINUTE))
#define USEC_PER_DAY ((usec_t) (24ULL * USEC_PER_HOUR))
#define USEC_PER_WEEK ((usec_t) (7ULL * USEC_PER_DAY))
#define USEC_PER_MONTH ((usec_t) (2629800ULL * USEC_PER_SEC))
#define USEC_PER_YEAR ((usec_t) (31557600ULL * USEC_PER_SEC))

/* Enough for any format_timespan() output, NUL included. */
#define FORMAT_TIMESPAN_MAX 64U

/* Parse a time span (grammar above) into *ret.  default_unit is the value of
 * one unit-less number (USEC_PER_SEC for *Sec= settings).  Returns 0,
 * -EINVAL or -ERANGE; *ret is written only on success. */
int parse_time(const char *s, usec_t *ret, usec_t default_unit);

/* parse_time() with seconds as the default unit. */
int parse_sec(const char *s, usec_t *ret);

/* parse_sec(), but 0 means infinity: the "sec_fix_0" settings such as
 * [Socket] TimeoutSec= and DeferTriggerMaxSec=. */
int parse_sec_fix_0(const char *s, usec_t *ret);

/* Format t like systemd's format_timespan(): units y month w d h min s ms us,
 * largest first, separated by spaces ("1min 30s"), stopping once the rest is
 * below accuracy (0 means 1 us); "infinity" for USEC_INFINITY, "0" for 0.
 * Writes at most l bytes into buf (FORMAT_TIMESPAN_MAX is always enough) and
 * returns buf, or NULL if l is too small. */
char *format_timespan(char *buf, size_t l, usec_t t, usec_t accuracy);

/* The current time of the given clock, e.g. CLOCK_MONOTONIC. */
usec_t now(clockid_t clock);

/* Conversions that map USEC_INFINITY to/from the largest timespec. */
usec_t timespec_load(const struct timespec *ts) _pure_;
struct timespec *timespec_store(struct timespec *ts, usec_t u);

/* Saturating addition: never wraps, infinity stays infinity. */
static inline usec_t usec_add(usec_t a, usec_t b) {
        return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}
