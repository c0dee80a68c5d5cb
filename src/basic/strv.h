/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A strv is a NULL-terminated array of heap strings, owned as a whole. */

char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char * const *l) _pure_;
bool strv_contains(char * const *l, const char *s) _pure_;

/* Append a copy of s / take ownership of s.  On failure *l is unchanged
 * (and strv_consume frees s).  Return 0 or -ENOMEM. */
int strv_extend(char ***l, const char *s);
int strv_consume(char ***l, char *s);

/* Deep copy; NULL on ENOMEM.  strv_copy(NULL) is an empty list. */
char **strv_copy(char * const *l);

/* Join with separator; NULL on ENOMEM.  An empty list gives "". */
char *strv_join(char * const *l, const char *separator);

/* Split s at every occurrence of any character of sep.  With keep_empty,
 * empty fields are kept ("a::b" gives 3 fields).  Return 0 or -ENOMEM. */
int strv_split_full(char ***ret, const char *s, const char *sep, bool keep_empty);

#define STRV_FOREACH(s, l) for (char * const *s = (l); s && *s; s++)

/* True if l is NULL or has no entries. */
static inline bool strv_isempty(char * const *l) {
        return !l || !*l;
}

/* A NULL-terminated string array literal: STRV_MAKE("a", "b"). */
#define STRV_MAKE(...) ((char **) ((const char *[]) { __VA_ARGS__, NULL }))
