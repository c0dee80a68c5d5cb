/* SPDX-License-Identifier: MIT */
/* Time spans (grammar in time-util.h).  The unit table is ordered so that a
 * longer spelling is tried before its prefix ("msec" before "ms" before "m",
 * "months" before "M"): the first match wins. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"
#include "time-util.h"

static const struct {
        const char *suffix;
        usec_t usec;
} parse_units[] = {
        { "seconds", USEC_PER_SEC },
        { "second",  USEC_PER_SEC },
        { "sec",     USEC_PER_SEC },
        { "s",       USEC_PER_SEC },
        { "minutes", USEC_PER_MINUTE },
        { "minute",  USEC_PER_MINUTE },
        { "min",     USEC_PER_MINUTE },
        { "months",  USEC_PER_MONTH },
        { "month",   USEC_PER_MONTH },
        { "M",       USEC_PER_MONTH },
        { "msec",    USEC_PER_MSEC },
        { "ms",      USEC_PER_MSEC },
        { "m",       USEC_PER_MINUTE },
        { "hours",   USEC_PER_HOUR },
        { "hour",    USEC_PER_HOUR },
        { "hr",      USEC_PER_HOUR },
        { "h",       USEC_PER_HOUR },
        { "days",    USEC_PER_DAY },
        { "day",     USEC_PER_DAY },
        { "d",       USEC_PER_DAY },
        { "weeks",   USEC_PER_WEEK },
        { "week",    USEC_PER_WEEK },
        { "w",       USEC_PER_WEEK },
        { "years",   USEC_PER_YEAR },
        { "year",    USEC_PER_YEAR },
        { "y",       USEC_PER_YEAR },
        { "usec",    1 },
        { "us",      1 },
        { "\xc2\xb5s", 1 },     /* µs, U+00B5 MICRO SIGN */
        { "\xce\xbcs", 1 },     /* μs, U+03BC GREEK SMALL LETTER MU */
};

/* If p starts with a unit, return the text after it and set *multiplier;
 * otherwise return p unchanged. */
static const char *parse_unit(const char *p, usec_t *multiplier) {
        for (size_t i = 0; i < ELEMENTSOF(parse_units); i++) {
                const char *e = startswith(p, parse_units[i].suffix);
                if (e) {
                        *multiplier = parse_units[i].usec;
                        return e;
                }
        }
        return p;
}

/* Digits of the integer part; must fit in int64_t as with strtoll(). */
static int parse_time_integer(const char **p, usec_t *ret) {
        const char *s = *p;
        uint64_t v = 0;

        if (*s == '+')  /* strtoll() takes a plus sign, and so did systemd */
                s++;
        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > ((uint64_t) INT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        if (s == *p || (s == *p + 1 && **p == '+')) {
                if (*s != '.')
                        return -EINVAL;
        }
        *p = s;
        *ret = v;
        return 0;
}

/* Add the fraction digits at *p (after the dot) scaled to multiplier. */
static int parse_time_fraction(const char **p, usec_t multiplier, usec_t *sum) {
        const char *b = *p;
        usec_t m = multiplier / 10;

        for (; *b >= '0' && *b <= '9'; b++, m /= 10) {
                usec_t k = (usec_t) (*b - '0') * m;
                if (k >= USEC_INFINITY - *sum)
                        return -ERANGE;
                *sum += k;
        }
        if (b == *p)    /* "3.s", "3. 1", "3.-1" */
                return -EINVAL;
        *p = b;
        return 0;
}

static int parse_time_term(const char **p, usec_t default_unit, usec_t *sum) {
        const char *s = *p, *after_digits, *after_unit, *frac = NULL;
        usec_t multiplier = default_unit, l, k;
        int r;

        if (*s == '-')  /* also "-0" */
                return -ERANGE;
        r = parse_time_integer(&s, &l);
        if (r < 0)
                return r;
        if (*s == '.') {
                frac = ++s;
                s += strspn(s, DIGITS);
        }
        after_digits = s;

        after_unit = parse_unit(s + strspn(s, WHITESPACE), &multiplier);
        if (after_unit == after_digits && *after_unit != '\0')
                return -EINVAL; /* "12.34.56", "5x": no unit and no separator */

        if (multiplier == 0 || l >= USEC_INFINITY / multiplier)
                return -ERANGE;
        k = l * multiplier;
        if (k >= USEC_INFINITY - *sum)
                return -ERANGE;
        *sum += k;

        if (frac) {
                const char *f = frac;
                r = parse_time_fraction(&f, multiplier, sum);
                if (r < 0)
                        return r;
        }
        *p = after_unit;
        return 0;
}

int parse_time(const char *s, usec_t *ret, usec_t default_unit) {
        const char *p, *e;
        usec_t sum = 0;
        bool something = false;

        if (!s)
                return -EINVAL;
        p = s + strspn(s, WHITESPACE);
        e = startswith(p, "infinity");
        if (e) {
                if (e[strspn(e, WHITESPACE)] != '\0')
                        return -EINVAL;
                if (ret)
                        *ret = USEC_INFINITY;
                return 0;
        }

        for (;;) {
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        break;
                r = parse_time_term(&p, default_unit, &sum);
                if (r < 0)
                        return r;
                something = true;
        }
        if (!something)
                return -EINVAL;

        if (ret)
                *ret = sum;
        return 0;
}

int parse_sec(const char *s, usec_t *ret) {
        return parse_time(s, ret, USEC_PER_SEC);
}

int parse_sec_fix_0(const char *s, usec_t *ret) {
        usec_t u;
        int r;

        r = parse_sec(s, &u);
        if (r < 0)
                return r;
        if (ret)
                *ret = u == 0 ? USEC_INFINITY : u;
        return 0;
}

static const struct {
        const char *suffix;
        usec_t usec;
} format_units[] = {
        { "y",     USEC_PER_YEAR },
        { "month", USEC_PER_MONTH },
        { "w",     USEC_PER_WEEK },
        { "d",     USEC_PER_DAY },
        { "h",     USEC_PER_HOUR },
        { "min",   USEC_PER_MINUTE },
        { "s",     USEC_PER_SEC },
        { "ms",    USEC_PER_MSEC },
        { "us",    1 },
};

/* Below a minute a remainder is shown as a decimal fraction of the current
 * unit ("2.500s") rather than as "2s 500ms", with as many digits as the
 * accuracy allows, as systemd does.  Returns the number of fraction digits
 * and the digits' value in *ret_frac, or 0 if no dot form applies. */
static int timespan_fraction_digits(usec_t unit, usec_t rest, usec_t accuracy, usec_t *ret_frac) {
        int digits = 0;

        for (usec_t c = unit; c > 1; c /= 10)
                digits++;
        for (usec_t c = accuracy; c > 1; c /= 10) {
                rest /= 10;
                digits--;
        }
        *ret_frac = rest;
        return digits > 0 ? digits : 0;
}

char *format_timespan(char *buf, size_t l, usec_t t, usec_t accuracy) {
        size_t n = 0;

        if (!buf || l == 0)
                return NULL;
        if (t == USEC_INFINITY || t == 0) {
                const char *w = t == 0 ? "0" : "infinity";
                if (strlen(w) >= l)
                        return NULL;
                strcpy(buf, w);
                return buf;
        }
        if (accuracy == 0)
                accuracy = 1;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(format_units) && t > 0; i++) {
                usec_t unit = format_units[i].usec, a, b, frac;
                int k, digits = 0;

                if (t < accuracy && n > 0)
                        break;
                if (t < unit)
                        continue;

                a = t / unit;
                b = t % unit;
                if (t < USEC_PER_MINUTE && b > 0)
                        digits = timespan_fraction_digits(unit, b, accuracy, &frac);

                if (digits > 0) {
                        k = snprintf(buf + n, l - n, "%s%" PRIu64 ".%0*" PRIu64 "%s",
                                     n > 0 ? " " : "", a, digits, frac, format_units[i].suffix);
                        t = 0;
                } else {
                        k = snprintf(buf + n, l - n, "%s%" PRIu64 "%s",
                                     n > 0 ? " " : "", a, format_units[i].suffix);
                        t = b;
                }
                if (k < 0 || (size_t) k >= l - n)
                        return NULL;    /* truncated: the caller's buffer is too small */
                n += (size_t) k;
        }
        return buf;
}

usec_t timespec_load(const struct timespec *ts) {
        if (ts->tv_sec < 0 || ts->tv_nsec < 0)
                return USEC_INFINITY;
        if ((uint64_t) ts->tv_sec > (UINT64_MAX - (uint64_t) ts->tv_nsec / NSEC_PER_USEC) / USEC_PER_SEC)
                return USEC_INFINITY;
        return (usec_t) ts->tv_sec * USEC_PER_SEC + (usec_t) ts->tv_nsec / NSEC_PER_USEC;
}

struct timespec *timespec_store(struct timespec *ts, usec_t u) {
        if (u == USEC_INFINITY || u / USEC_PER_SEC > (usec_t) INT64_MAX) {
                ts->tv_sec = (time_t) -1;
                ts->tv_nsec = -1L;
                return ts;
        }
        ts->tv_sec = (time_t) (u / USEC_PER_SEC);
        ts->tv_nsec = (long) ((u % USEC_PER_SEC) * NSEC_PER_USEC);
        return ts;
}

usec_t now(clockid_t clock) {
        struct timespec ts;

        /* clock_gettime() fails only for an invalid clock id: a bug. */
        if (clock_gettime(clock, &ts) < 0)
                abort();
        return timespec_load(&ts);
}
