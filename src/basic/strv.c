/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "string-util.h"
#include "strv.h"

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char * const *l) {
        size_t n = 0;
        STRV_FOREACH(s, l)
                n++;
        return n;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

int strv_consume(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **c;

        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(s);
                return -ENOMEM;
        }
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        return strv_consume(l, c);
}

char **strv_copy(char * const *l) {
        size_t n = strv_length(l);
        char **r = new0(char *, n + 1);

        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                r[i] = strdup(l[i]);
                if (!r[i])
                        return strv_free(r);
        }
        return r;
}

char *strv_join(char * const *l, const char *separator) {
        size_t sl = strlen(separator), n = 0;
        char *r, *p;

        STRV_FOREACH(s, l)
                n += strlen(*s) + sl;
        r = malloc(n + 1);
        if (!r)
                return NULL;
        p = r;
        STRV_FOREACH(s, l) {
                if (p != r) {
                        memcpy(p, separator, sl);
                        p += sl;
                }
                size_t k = strlen(*s);
                memcpy(p, *s, k);
                p += k;
        }
        *p = '\0';
        return r;
}

int strv_split_full(char ***ret, const char *s, const char *sep, bool keep_empty) {
        _cleanup_strv_free_ char **l = new0(char *, 1);

        if (!l)
                return -ENOMEM;
        for (const char *p = s;;) {
                size_t k = strcspn(p, sep);
                if (k > 0 || keep_empty) {
                        char *w = strndup(p, k);
                        if (!w || strv_consume(&l, w) < 0)
                                return -ENOMEM;
                }
                if (p[k] == '\0')
                        break;
                p += k + 1;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
