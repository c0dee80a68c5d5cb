/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define new(t, n) ((t *) malloc_multiply(sizeof(t), (n)))
#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))

/* malloc(size * n) that fails instead of wrapping around. */
static inline void *malloc_multiply(size_t size, size_t n) {
        if (size > 0 && n > SIZE_MAX / size)
                return NULL;
        return malloc(size * n ?: 1);
}

/* Cleanup for any heap pointer: `_cleanup_free_ char *s = NULL;`. */
static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Replace *p with q, freeing the old value; always returns 0. */
#define free_and_replace(a, b)                  \
        ({                                      \
                free(a);                        \
                (a) = (b);                      \
                (b) = NULL;                     \
                0;                              \
        })

/* Grow *p to hold at least need elements of size sz; *allocated is the
 * current capacity in elements.  Returns the array or NULL on ENOMEM. */
void *greedy_realloc(void **p, size_t *allocated, size_t need, size_t sz);
#define GREEDY_REALLOC(array, allocated, need) \
        greedy_realloc((void **) &(array), &(allocated), (need), sizeof((array)[0]))

/* Duplicate l bytes of p, or NULL on ENOMEM. */
void *memdup(const void *p, size_t l);
