/* SPDX-License-Identifier: MIT */
/* Word splitting with quotes and escapes; the grammar and flags are described
 * in extract-word.h.  The scanner keeps two bits of state, "inside a quote"
 * and "after a backslash", and appends to a growing buffer; it never looks
 * back, so a word costs time linear in its length. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "escape.h"
#include "extract-word.h"
#include "string-util.h"
#include "strv.h"
#include "utf8.h"

typedef struct WordBuffer {
        char *s;
        size_t n, allocated;
} WordBuffer;

/* Make room for `extra` more bytes plus the NUL. */
static int word_reserve(WordBuffer *w, size_t extra) {
        if (!GREEDY_REALLOC(w->s, w->allocated, w->n + extra + 1))
                return -ENOMEM;
        return 0;
}

static int word_append(WordBuffer *w, char c) {
        if (word_reserve(w, 1) < 0)
                return -ENOMEM;
        w->s[w->n++] = c;
        return 0;
}

/* Handle the character after a backslash at **p (not NUL).  Advances *p to
 * the last byte consumed. */
static int word_append_escape(WordBuffer *w, const char **p, const char *separators, ExtractFlags flags) {
        char c = **p;
        uint32_t u;
        bool eight_bit;
        int r;

        if (word_reserve(w, 4) < 0)
                return -ENOMEM;

        if (!(flags & (EXTRACT_CUNESCAPE | EXTRACT_UNESCAPE_SEPARATORS))) {
                w->s[w->n++] = c;       /* plain backslash: the next char is literal */
                return 0;
        }

        if (flags & EXTRACT_CUNESCAPE) {
                r = cunescape_one(*p, SIZE_MAX, &u, &eight_bit);
                if (r >= 0) {
                        if (eight_bit)
                                w->s[w->n++] = (char) u;
                        else
                                w->n += utf8_encode_unichar(w->s + w->n, u);
                        *p += r - 1;
                        return 0;
                }
        }
        if ((flags & EXTRACT_UNESCAPE_SEPARATORS) && (strchr(separators, c) || c == '\\')) {
                w->s[w->n++] = c;
                return 0;
        }
        if (flags & EXTRACT_CUNESCAPE_RELAX) {
                w->s[w->n++] = '\\';
                w->s[w->n++] = c;
                return 0;
        }
        if (!(flags & EXTRACT_CUNESCAPE)) {
                w->s[w->n++] = c;
                return 0;
        }
        return -EINVAL;
}

static void word_buffer_done(WordBuffer *w) {
        free(w->s);
}

/* Deliver the word in w: *ret gets it, return 1. */
static int word_finish(WordBuffer *w, char **ret) {
        if (word_reserve(w, 0) < 0)
                return -ENOMEM;
        w->s[w->n] = '\0';
        *ret = TAKE_PTR(w->s);
        return 1;
}

/* Skip leading separators.  The same as p + strspn(p, separators), but it
 * reads only as far as it skips: ASan's strict_string_checks makes strspn()
 * scan all of p, which turns a 1 MiB line of words quadratic under test. */
static const char *skip_separators(const char *p, const char *separators) {
        while (*p && strchr(separators, *p))
                p++;
        return p;
}

int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags) {
        _cleanup_(word_buffer_done) WordBuffer w = {};
        char quote = 0;
        bool backslash = false;
        int r;

        if (!separators)
                separators = WHITESPACE;

        if (!*p) {
                *ret = NULL;
                return 0;
        }

        /* Leading separators: skipped, or with DONT_COALESCE one of them
         * ends an empty word. */
        if (flags & EXTRACT_DONT_COALESCE_SEPARATORS) {
                if (word_reserve(&w, 0) < 0)
                        return -ENOMEM;
        } else
                *p = skip_separators(*p, separators);
        if (**p == '\0' && !w.s) {
                *p = NULL;
                *ret = NULL;
                return 0;
        }

        for (;; (*p)++) {
                char c = **p;

                if (backslash) {
                        backslash = false;
                        if (c == '\0') {
                                if ((flags & EXTRACT_CUNESCAPE_RELAX) && (!quote || (flags & EXTRACT_RELAX))) {
                                        if (word_append(&w, '\\') < 0)
                                                return -ENOMEM;
                                        break;
                                }
                                if (flags & EXTRACT_RELAX)
                                        break;
                                return -EINVAL;
                        }
                        r = word_append_escape(&w, p, separators, flags);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (c == '\0') {
                        if (quote && !(flags & EXTRACT_RELAX))
                                return -EINVAL;
                        break;
                }

                if (c == '\\' && !(flags & EXTRACT_RETAIN_ESCAPE)) {
                        backslash = true;
                        if (word_reserve(&w, 0) < 0)    /* "\\" alone is a word too */
                                return -ENOMEM;
                        continue;
                }

                if (quote) {
                        if (c == quote)
                                quote = 0;
                        else if (word_append(&w, c) < 0)
                                return -ENOMEM;
                        continue;
                }

                if ((c == '"' || c == '\'') && (flags & EXTRACT_UNQUOTE)) {
                        quote = c;
                        if (word_reserve(&w, 0) < 0)    /* "" is an empty word */
                                return -ENOMEM;
                        continue;
                }

                if (strchr(separators, c)) {
                        if (flags & EXTRACT_DONT_COALESCE_SEPARATORS) {
                                if (!(flags & EXTRACT_RETAIN_SEPARATORS))
                                        (*p)++;
                        } else if (!(flags & EXTRACT_RETAIN_SEPARATORS))
                                *p = skip_separators(*p, separators);
                        if (**p == '\0' && !(flags & EXTRACT_DONT_COALESCE_SEPARATORS))
                                *p = NULL;
                        return word_finish(&w, ret);
                }

                if (word_append(&w, c) < 0)
                        return -ENOMEM;
        }

        /* End of input. */
        *p = NULL;
        return word_finish(&w, ret);
}

int strv_split_extract(char ***ret, const char *s, const char *separators, ExtractFlags flags) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0, allocated = 0;
        const char *p = s;

        for (;;) {
                char *word;
                int r;

                r = extract_first_word(&p, &word, separators, flags);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!GREEDY_REALLOC(l, allocated, n + 2)) {
                        free(word);
                        return -ENOMEM;
                }
                l[n++] = word;
                l[n] = NULL;
        }

        if (!l) {
                l = new0(char *, 1);
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return n > INT32_MAX ? INT32_MAX : (int) n;
}

int strv_split_quoted(char ***ret, const char *s) {
        return strv_split_extract(ret, s, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
}
