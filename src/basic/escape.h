/* SPDX-License-Identifier: MIT */
#pragma once

/* C-style escapes of unit files (systemd.syntax(7), "Quoting"):
 *
 *   \a \b \f \n \r \t \v   the control characters
 *   \\ \" \' \s            backslash, quotes, space
 *   \xHH                   one byte, two hex digits (may give non-UTF-8)
 *   \nnn                   one byte, three octal digits, ≤ \377
 *   \uNNNN \UNNNNNNNN      a Unicode code point, encoded as UTF-8
 *
 * A sequence that would produce a NUL byte, an invalid code point (surrogate,
 * above U+10FFFF) or a truncated/unknown escape is an error (-EINVAL), unless
 * UNESCAPE_RELAX keeps unknown sequences verbatim, backslash included. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

typedef enum UnescapeFlags {
        UNESCAPE_RELAX = 1 << 0, /* keep unknown or malformed escapes verbatim */
} UnescapeFlags;

/* Decode the escape sequence that starts right AFTER a backslash at p (at
 * most length bytes available).  Returns the number of bytes consumed (≥ 1)
 * and stores the result in *ret: a code point when *ret_eight_bit is false,
 * a raw byte value when it is true (\x and octal).  -EINVAL on a bad or
 * truncated sequence or one that would give NUL. */
int cunescape_one(const char *p, size_t length, uint32_t *ret, bool *ret_eight_bit);

/* Unescape the first `length` bytes of s into a new NUL-terminated string.
 * Returns the length of the result (≥ 0) or -EINVAL/-ENOMEM; *ret only on
 * success.  A trailing lone backslash is -EINVAL (kept with UNESCAPE_RELAX). */
ssize_t cunescape(const char *s, size_t length, unsigned flags, char **ret);

/* Escape s for display and for writing back into a unit file: backslash,
 * quotes and non-printable bytes become \\ \" \' \n \t ... or \xHH.  Valid
 * UTF-8 above ASCII is kept as is.  NULL on ENOMEM. */
char *cescape(const char *s);

/* Same for the first n bytes of s. */
char *cescape_length(const char *s, size_t n);
