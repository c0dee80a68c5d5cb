/* SPDX-License-Identifier: MIT */
/* C escapes, grammar in escape.h.  cunescape_one() is the single decoder of
 * one sequence; extract-word.c uses it too, so quoted words and plain
 * unescaping can never disagree about what "\x41" means. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "escape.h"
#include "utf8.h"

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

/* Read exactly n hex digits; -EINVAL if fewer are there. */
static int read_hex(const char *p, size_t length, size_t n, uint32_t *ret) {
        uint32_t v = 0;

        if (length < n)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int d = hex_digit(p[i]);
                if (d < 0)
                        return -EINVAL;
                v = (v << 4) | (uint32_t) d;
        }
        *ret = v;
        return 0;
}

static int simple_escape(char c) {
        switch (c) {
        case 'a':  return '\a';
        case 'b':  return '\b';
        case 'f':  return '\f';
        case 'n':  return '\n';
        case 'r':  return '\r';
        case 't':  return '\t';
        case 'v':  return '\v';
        case '\\': return '\\';
        case '"':  return '"';
        case '\'': return '\'';
        case 's':  return ' ';
        default:   return -EINVAL;
        }
}

int cunescape_one(const char *p, size_t length, uint32_t *ret, bool *ret_eight_bit) {
        uint32_t v;
        int r;

        if (length == SIZE_MAX)
                length = strlen(p);
        if (length == 0)
                return -EINVAL;

        r = simple_escape(p[0]);
        if (r >= 0) {
                *ret = (uint32_t) r;
                *ret_eight_bit = false;
                return 1;
        }

        switch (p[0]) {
        case 'x':
                /* One raw byte: may be part of a multi-byte sequence the user
                 * spells out byte by byte, so it is not a code point. */
                if (read_hex(p + 1, length - 1, 2, &v) < 0 || v == 0)
                        return -EINVAL;
                *ret = v;
                *ret_eight_bit = true;
                return 3;

        case 'u':
        case 'U': {
                size_t n = p[0] == 'u' ? 4 : 8;

                if (read_hex(p + 1, length - 1, n, &v) < 0 || v == 0 || !unichar_is_valid(v))
                        return -EINVAL;
                *ret = v;
                *ret_eight_bit = false;
                return (int) n + 1;
        }

        case '0' ... '7':
                if (length < 3)
                        return -EINVAL;
                v = 0;
                for (size_t i = 0; i < 3; i++) {
                        if (p[i] < '0' || p[i] > '7')
                                return -EINVAL;
                        v = (v << 3) | (uint32_t) (p[i] - '0');
                }
                if (v == 0 || v > 0377)
                        return -EINVAL;
                *ret = v;
                *ret_eight_bit = true;
                return 3;

        default:
                return -EINVAL;
        }
}

ssize_t cunescape(const char *s, size_t length, unsigned flags, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;

        if (length == SIZE_MAX)
                length = strlen(s);

        /* Every escape is at least as long as what it decodes to, so the
         * result never needs more room than the input. */
        buf = malloc(length + 1);
        if (!buf)
                return -ENOMEM;

        for (size_t i = 0; i < length; i++) {
                uint32_t u;
                bool eight_bit;
                int r;

                if (s[i] == '\0')
                        return -EINVAL;
                if (s[i] != '\\') {
                        buf[n++] = s[i];
                        continue;
                }

                r = i + 1 < length ? cunescape_one(s + i + 1, length - i - 1, &u, &eight_bit) : -EINVAL;
                if (r < 0) {
                        if (!(flags & UNESCAPE_RELAX))
                                return -EINVAL;
                        buf[n++] = '\\';       /* keep it, the next char is taken as is */
                        continue;
                }

                if (eight_bit)
                        buf[n++] = (char) u;
                else
                        n += utf8_encode_unichar(buf + n, u);
                i += (size_t) r;
        }

        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        return (ssize_t) n;
}

static char *cescape_char(char *out, unsigned char c) {
        static const char hex[] = "0123456789abcdef";

        switch (c) {
        case '\a': *out++ = '\\'; *out++ = 'a'; break;
        case '\b': *out++ = '\\'; *out++ = 'b'; break;
        case '\f': *out++ = '\\'; *out++ = 'f'; break;
        case '\n': *out++ = '\\'; *out++ = 'n'; break;
        case '\r': *out++ = '\\'; *out++ = 'r'; break;
        case '\t': *out++ = '\\'; *out++ = 't'; break;
        case '\v': *out++ = '\\'; *out++ = 'v'; break;
        case '\\': *out++ = '\\'; *out++ = '\\'; break;
        case '"':  *out++ = '\\'; *out++ = '"'; break;
        case '\'': *out++ = '\\'; *out++ = '\''; break;
        default:
                *out++ = '\\';
                *out++ = 'x';
                *out++ = hex[c >> 4];
                *out++ = hex[c & 0xF];
        }
        return out;
}

char *cescape_length(const char *s, size_t n) {
        char *buf, *out;

        /* Worst case every byte becomes \xHH. */
        if (n > (SIZE_MAX - 1) / 4)
                return NULL;
        buf = malloc(n * 4 + 1);
        if (!buf)
                return NULL;

        out = buf;
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) s[i];
                uint32_t u;
                int r;

                if (c >= 0x80) {
                        r = utf8_decode_one(s + i, n - i, &u);
                        if (r > 0) {    /* valid UTF-8 is shown as it is */
                                memcpy(out, s + i, (size_t) r);
                                out += r;
                                i += (size_t) r;
                                continue;
                        }
                        out = cescape_char(out, c);
                } else if (c < ' ' || c == 0x7F || c == '\\' || c == '"' || c == '\'')
                        out = cescape_char(out, c);
                else
                        *out++ = (char) c;
                i++;
        }
        *out = '\0';
        return buf;
}

char *cescape(const char *s) {
        return cescape_length(s, strlen(s));
}
