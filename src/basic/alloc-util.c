/* SPDX-License-Identifier: MIT */
#include "alloc-util.h"

void *greedy_realloc(void **p, size_t *allocated, size_t need, size_t sz) {
        size_t n;
        void *q;

        assert(p);
        assert(allocated);

        if (*allocated >= need && *p)
                return *p;

        /* Double, so that appending n elements costs O(n) in all. */
        n = MAX(need, 4u);
        if (n <= SIZE_MAX / 2)
                n = MAX(n, *allocated * 2);
        if (sz > 0 && n > SIZE_MAX / sz)
                return NULL;

        q = realloc(*p, n * sz);
        if (!q)
                return NULL;
        *p = q;
        *allocated = n;
        return q;
}

void *memdup(const void *p, size_t l) {
        void *q = malloc(l ?: 1);
        if (!q)
                return NULL;
        if (l > 0)
                memcpy(q, p, l);
        return q;
}
