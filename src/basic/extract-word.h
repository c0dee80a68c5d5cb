/* SPDX-License-Identifier: MIT */
#pragma once

/* Splitting a value into words, with the quoting of systemd.syntax(7).
 *
 * A word is a run of non-separator characters.  With EXTRACT_UNQUOTE a
 * double or single quote opens a quoted stretch in which separators are part
 * of the word; the matching quote closes it and the quotes are removed.
 * Like systemd's implementation (and more lenient than its man page, which
 * promises only quotes around whole words) a quote may also open inside a
 * word and the word continues after the closing quote: --name="a b" gives
 * `--name=a b`.  Real unit files rely on this.  An unterminated quote is
 * -EINVAL unless EXTRACT_RELAX.
 *
 * A backslash escapes the next character: without EXTRACT_CUNESCAPE the
 * character is taken literally (so "\ " is a space inside the word), with it
 * the escape table of escape.h applies.  A trailing backslash is -EINVAL
 * unless EXTRACT_RELAX (dropped) or EXTRACT_CUNESCAPE_RELAX (kept).  Inside
 * single and double quotes escapes work the same way, as in systemd. */

#include <stdbool.h>

#include "macro.h"

typedef enum ExtractFlags {
        EXTRACT_RELAX                    = 1 << 0, /* unbalanced quotes/trailing backslash are OK */
        EXTRACT_CUNESCAPE                = 1 << 1, /* decode C escapes (escape.h) */
        EXTRACT_CUNESCAPE_RELAX          = 1 << 2, /* keep unknown escapes verbatim instead of -EINVAL */
        EXTRACT_UNESCAPE_SEPARATORS      = 1 << 3, /* with CUNESCAPE: "\<sep>" gives the separator */
        EXTRACT_UNQUOTE                  = 1 << 4, /* remove quotes, keep quoted separators */
        EXTRACT_DONT_COALESCE_SEPARATORS = 1 << 5, /* "a::b" gives "a", "", "b" */
        EXTRACT_RETAIN_ESCAPE            = 1 << 6, /* keep backslashes, do not escape */
        EXTRACT_RETAIN_SEPARATORS        = 1 << 7, /* leave *p on the separator that ended the word */
} ExtractFlags;

/* Extract the next word of *p into *ret (a new string) and advance *p past
 * it and its trailing separators (separators NULL means whitespace).
 * Returns 1 with a word, 0 at the end of the input (*ret = NULL, *p = NULL),
 * -EINVAL on bad quoting or escaping (*p then points into the input), or
 * -ENOMEM. */
int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags);

/* Split s into a strv of words with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE: the
 * form list settings use (Environment=, Symlinks=, ...).  Returns the number
 * of words or -EINVAL/-ENOMEM. */
int strv_split_quoted(char ***ret, const char *s);

/* Split s into words with the given flags.  Returns the number of words. */
int strv_split_extract(char ***ret, const char *s, const char *separators, ExtractFlags flags);
