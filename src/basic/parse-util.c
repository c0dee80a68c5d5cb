/* SPDX-License-Identifier: MIT */
/* Scalar value grammars (see parse-util.h).  All integer parsers go through
 * parse_integer(), a hand-written digit loop instead of strtol(): strtol()
 * accepts a second sign after "0x", depends on the locale and needs errno
 * juggling, while the rules wanted here fit in forty lines. */

#include <errno.h>
#include <limits.h>
#include <strings.h>

#include "parse-util.h"
#include "string-util.h"

/* Flags of parse_integer(). */
enum {
        PARSE_REFUSE_WHITESPACE = 1 << 0, /* no leading whitespace */
        PARSE_REFUSE_SIGN       = 1 << 1, /* no '+' or '-' */
        PARSE_BASE_8            = 1 << 2, /* always octal (modes) */
};

static int digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z')
                return c - 'A' + 10;
        return 99;
}

/* Choose the base from a prefix, like strtol(s, .., 0) plus "0o"/"0b" as
 * systemd's mangle_base() adds.  Returns the position of the first digit. */
static const char *parse_base(const char *s, unsigned flags, unsigned *ret_base) {
        /* Modes are plain octal digits: systemd 252 refuses SocketMode=0o640
         * (its mangle_base() does not see base 8 once flags are or-ed in). */
        if (flags & PARSE_BASE_8) {
                *ret_base = 8;
                return s;
        }
        if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
                *ret_base = 8;
                return s + 2;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                *ret_base = 16;
                return s + 2;
        }
        if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
                *ret_base = 2;
                return s + 2;
        }
        *ret_base = s[0] == '0' && s[1] != '\0' ? 8 : 10;
        return s;
}

/* Parse sign and magnitude.  -EINVAL for no digits or trailing garbage,
 * -ERANGE if the magnitude does not fit in 64 bits (strtoul's order: range
 * before garbage). */
static int parse_integer(const char *s, unsigned flags, uint64_t *ret_magnitude, bool *ret_negative) {
        bool negative = false, overflow = false;
        const char *p;
        uint64_t v = 0;
        unsigned base;

        if (!s)
                return -EINVAL;
        if (flags & PARSE_REFUSE_WHITESPACE) {
                if (s[0] != '\0' && strchr(WHITESPACE, s[0]))
                        return -EINVAL;
        } else
                s += strspn(s, WHITESPACE);

        if (s[0] == '+' || s[0] == '-') {
                if (flags & PARSE_REFUSE_SIGN)
                        return -EINVAL;
                negative = s[0] == '-';
                s++;
        }

        s = parse_base(s, flags, &base);
        for (p = s; digit_value(*p) < (int) base; p++) {
                unsigned d = (unsigned) digit_value(*p);

                if (v > (UINT64_MAX - d) / base)
                        overflow = true;
                else
                        v = v * base + d;
        }
        if (p == s)
                return -EINVAL;
        if (overflow)
                return -ERANGE;
        if (*p != '\0')
                return -EINVAL;

        *ret_magnitude = v;
        *ret_negative = negative;
        return 0;
}

static int parse_unsigned(const char *s, unsigned flags, uint64_t max, uint64_t *ret) {
        uint64_t v;
        bool negative;
        int r;

        r = parse_integer(s, flags, &v, &negative);
        if (r < 0)
                return r;
        if (negative && v != 0)
                return -ERANGE;
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int parse_signed(const char *s, int64_t min, int64_t max, int64_t *ret) {
        uint64_t v;
        bool negative;
        int r;

        r = parse_integer(s, 0, &v, &negative);
        if (r < 0)
                return r;
        if (negative) {
                /* -(min) computed without overflowing int64_t. */
                if (v > (uint64_t) -(min + 1) + 1)
                        return -ERANGE;
                *ret = v == 0 ? 0 : -(int64_t) (v - 1) - 1;
        } else {
                if (v > (uint64_t) max)
                        return -ERANGE;
                *ret = (int64_t) v;
        }
        return 0;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

/* The typed wrappers: parse into 64 bits with the type's range, store. */
int safe_atou(const char *s, unsigned *ret) {
        uint64_t v;
        int r = parse_unsigned(s, 0, UINT_MAX, &v);
        if (r >= 0 && ret)
                *ret = (unsigned) v;
        return r;
}

int safe_atolu(const char *s, unsigned long *ret) {
        uint64_t v;
        int r = parse_unsigned(s, 0, ULONG_MAX, &v);
        if (r >= 0 && ret)
                *ret = (unsigned long) v;
        return r;
}

int safe_atou64(const char *s, uint64_t *ret) {
        uint64_t v;
        int r = parse_unsigned(s, 0, UINT64_MAX, &v);
        if (r >= 0 && ret)
                *ret = v;
        return r;
}

int safe_atou16(const char *s, uint16_t *ret) {
        uint64_t v;
        int r = parse_unsigned(s, 0, UINT16_MAX, &v);
        if (r >= 0 && ret)
                *ret = (uint16_t) v;
        return r;
}

int safe_atou8(const char *s, uint8_t *ret) {
        uint64_t v;
        int r = parse_unsigned(s, 0, UINT8_MAX, &v);
        if (r >= 0 && ret)
                *ret = (uint8_t) v;
        return r;
}

int safe_atoi(const char *s, int *ret) {
        int64_t v;
        int r = parse_signed(s, INT_MIN, INT_MAX, &v);
        if (r >= 0 && ret)
                *ret = (int) v;
        return r;
}

int safe_atoli(const char *s, long *ret) {
        int64_t v;
        int r = parse_signed(s, LONG_MIN, LONG_MAX, &v);
        if (r >= 0 && ret)
                *ret = (long) v;
        return r;
}

int safe_atoi64(const char *s, int64_t *ret) {
        int64_t v;
        int r = parse_signed(s, INT64_MIN, INT64_MAX, &v);
        if (r >= 0 && ret)
                *ret = v;
        return r;
}

int parse_mode(const char *s, mode_t *ret) {
        uint64_t v;
        int r;

        r = parse_unsigned(s, PARSE_REFUSE_SIGN | PARSE_BASE_8, UINT64_MAX, &v);
        if (r < 0)
                return r;
        if (v > 07777)
                return -ERANGE;
        if (ret)
                *ret = (mode_t) v;
        return 0;
}

int parse_ip_port(const char *s, uint16_t *ret) {
        uint64_t v;
        int r;

        r = parse_unsigned(s, PARSE_REFUSE_WHITESPACE, UINT16_MAX, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -EINVAL;
        if (ret)
                *ret = (uint16_t) v;
        return 0;
}

int parse_nice(const char *s, int *ret) {
        int n, r;

        r = safe_atoi(s, &n);
        if (r < 0)
                return r;
        if (n < -20 || n > 19)
                return -ERANGE;
        if (ret)
                *ret = n;
        return 0;
}

int parse_pid(const char *s, pid_t *ret) {
        unsigned long v;
        int r;

        r = safe_atolu(s, &v);
        if (r < 0)
                return r;
        if (v == 0 || v > INT32_MAX)    /* pid_t is int; 0 is no process */
                return -ERANGE;
        if (ret)
                *ret = (pid_t) v;
        return 0;
}

/* One term of parse_size: decimal digits and an optional fraction.  The
 * fraction is returned as numerator and power of ten, capped at 18 digits
 * (more are ignored: they are below a byte for any suffix up to E). */
static int parse_size_number(const char **p, uint64_t *ret_int, uint64_t *ret_frac, uint64_t *ret_frac_den) {
        const char *s = *p;
        uint64_t v = 0, frac = 0, den = 1;
        unsigned ndigits = 0;

        if (!(*s >= '0' && *s <= '9'))
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        if (*s == '.') {
                s++;
                for (; *s >= '0' && *s <= '9'; s++)
                        if (ndigits++ < 18) {
                                frac = frac * 10 + (uint64_t) (*s - '0');
                                den *= 10;
                        }
        }
        *p = s;
        *ret_int = v;
        *ret_frac = frac;
        *ret_frac_den = den;
        return 0;
}

int parse_size(const char *s, uint64_t base, uint64_t *ret) {
        static const char suffixes[] = "EPTGMKB";
        uint64_t factors[sizeof(suffixes)];
        uint64_t total = 0;
        size_t start = 0;
        const char *p = s;

        if (!s || (base != 1024 && base != 1000))
                return -EINVAL;

        /* factors[i] for suffixes[i]; the last slot (no suffix) is 1. */
        factors[6] = factors[7] = 1;
        for (int i = 5; i >= 0; i--)
                factors[i] = factors[i + 1] * base;

        do {
                uint64_t v, frac, den, term, frac_bytes;
                size_t i;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '-')
                        return -ERANGE;
                r = parse_size_number(&p, &v, &frac, &den);
                if (r < 0)
                        return r;
                p += strspn(p, WHITESPACE);

                for (i = start; i < 7 && *p != suffixes[i]; i++)
                        ;
                if (i < 7)
                        p++;
                else if (start <= 7)
                        i = 7;  /* no suffix: bytes; leftovers fail in the next round */
                else
                        return -EINVAL; /* a bare number was already the last term */

                if (v > UINT64_MAX / factors[i])
                        return -ERANGE;
                term = v * factors[i];
                frac_bytes = (uint64_t) (((unsigned __int128) frac * factors[i]) / den);
                if (term > UINT64_MAX - frac_bytes)
                        return -ERANGE;
                term += frac_bytes;
                if (term > UINT64_MAX - total)
                        return -ERANGE;
                total += term;
                start = i + 1;
        } while (*p != '\0');

        if (ret)
                *ret = total;
        return 0;
}
