/* SPDX-License-Identifier: MIT */
/* UTF-8 per RFC 3629 (see utf8.h for what is valid).  Written as a decoder
 * that checks each sequence's second byte against the lead byte's range: that
 * single check rejects overlongs (E0 80..9F, F0 80..8F), surrogates
 * (ED A0..BF) and code points above U+10FFFF (F4 90..BF) without decoding
 * first. */

#include <errno.h>
#include <string.h>

#include "utf8.h"

int utf8_decode_one(const char *str, size_t n, uint32_t *ret) {
        const unsigned char *s = (const unsigned char *) str;
        unsigned char lo = 0x80, hi = 0xBF;
        uint32_t c;
        size_t len;

        if (n == 0)
                return -EINVAL;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if (s[0] >= 0xC2 && s[0] <= 0xDF) {
                len = 2;
                c = s[0] & 0x1F;
        } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                len = 3;
                c = s[0] & 0x0F;
                if (s[0] == 0xE0)
                        lo = 0xA0;      /* overlong below U+0800 */
                else if (s[0] == 0xED)
                        hi = 0x9F;      /* surrogates U+D800..DFFF */
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                len = 4;
                c = s[0] & 0x07;
                if (s[0] == 0xF0)
                        lo = 0x90;      /* overlong below U+10000 */
                else if (s[0] == 0xF4)
                        hi = 0x8F;      /* above U+10FFFF */
        } else
                return -EINVAL;         /* continuation byte, C0/C1 overlongs, F5..FF */

        if (n < len)
                return -EINVAL;
        if (s[1] < lo || s[1] > hi)
                return -EINVAL;
        c = (c << 6) | (s[1] & 0x3F);
        for (size_t i = 2; i < len; i++) {
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return -EINVAL;
                c = (c << 6) | (s[i] & 0x3F);
        }

        *ret = c;
        return (int) len;
}

bool utf8_is_valid_n(const char *s, size_t n) {
        size_t i = 0;

        while (i < n) {
                uint32_t c;
                int r;

                r = utf8_decode_one(s + i, n - i, &c);
                if (r < 0)
                        return false;
                i += (size_t) r;
        }
        return true;
}

bool utf8_is_valid(const char *s) {
        if (!s)
                return false;
        return utf8_is_valid_n(s, strlen(s));
}

size_t utf8_encode_unichar(char *out, uint32_t c) {
        if (c < 0x80) {
                out[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = (char) (0xC0 | (c >> 6));
                out[1] = (char) (0x80 | (c & 0x3F));
                return 2;
        }
        if (c < 0x10000) {
                out[0] = (char) (0xE0 | (c >> 12));
                out[1] = (char) (0x80 | ((c >> 6) & 0x3F));
                out[2] = (char) (0x80 | (c & 0x3F));
                return 3;
        }
        out[0] = (char) (0xF0 | (c >> 18));
        out[1] = (char) (0x80 | ((c >> 12) & 0x3F));
        out[2] = (char) (0x80 | ((c >> 6) & 0x3F));
        out[3] = (char) (0x80 | (c & 0x3F));
        return 4;
}
