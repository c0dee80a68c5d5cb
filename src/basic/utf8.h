/* SPDX-License-Identifier: MIT */
#pragma once

/* UTF-8 validation and encoding (RFC 3629): a valid sequence is the shortest
 * encoding of a code point in U+0000..U+10FFFF that is not a surrogate
 * (U+D800..U+DFFF).  Overlong forms, surrogates, code points above U+10FFFF,
 * stray continuation bytes and truncated sequences are invalid. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* True if the NUL-terminated s is valid UTF-8. */
bool utf8_is_valid(const char *s) _pure_;

/* True if the n bytes at s are valid UTF-8 (an embedded NUL is U+0000 and
 * allowed here). */
bool utf8_is_valid_n(const char *s, size_t n) _pure_;

/* Decode one character at s (at most n bytes).  Returns its length 1..4 and
 * stores the code point in *ret, or -EINVAL for an invalid sequence. */
int utf8_decode_one(const char *s, size_t n, uint32_t *ret);

/* True if c is a valid Unicode scalar value (≤ U+10FFFF, not a surrogate). */
static inline bool unichar_is_valid(uint32_t c) {
        return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

/* Encode the valid code point c into out (room for 4 bytes); returns the
 * number of bytes written, 1..4. */
size_t utf8_encode_unichar(char *out, uint32_t c);
