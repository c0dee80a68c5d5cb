/* SPDX-License-Identifier: MIT */
/* Environment blocks (see env-util.h).  The bulk operations index names in
 * a small open-addressing hash table (FNV-1a, linear probing, at most half
 * full) so that merging or unsetting m variables in an n-entry block costs
 * O(n + m), not O(n * m). */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "env-util.h"
#include "string-util.h"
#include "strv.h"
#include "utf8.h"

static bool env_name_char(char c, bool first) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
                return true;
        return !first && c >= '0' && c <= '9';
}

bool env_name_is_valid_n(const char *name, size_t n) {
        if (!name || n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!env_name_char(name[i], i == 0))
                        return false;
        return true;
}

bool env_name_is_valid(const char *name) {
        return name && env_name_is_valid_n(name, strlen(name));
}

bool env_value_is_valid(const char *value) {
        /* Only UTF-8 is checked: systemd 252 accepts Environment="FOO=\x01",
         * "\x7f" and "\r" values and refuses only "\xff" (checked with
         * systemd-analyze verify). */
        return value && utf8_is_valid(value);
}

bool env_assignment_is_valid(const char *assignment) {
        const char *eq;

        if (!assignment)
                return false;
        eq = strchr(assignment, '=');
        if (!eq)
                return false;
        return env_name_is_valid_n(assignment, (size_t) (eq - assignment)) && env_value_is_valid(eq + 1);
}

bool env_name_or_assignment_is_valid(const char *s) {
        return env_name_is_valid(s) || env_assignment_is_valid(s);
}

/* Length of the name part of an entry: up to '=' or the end. */
static size_t env_entry_name_len(const char *e) {
        return strcspn(e, "=");
}

static bool env_entry_has_name(const char *e, const char *name, size_t n) {
        return strncmp(e, name, n) == 0 && e[n] == '=';
}

char *strv_env_get_n(char * const *l, const char *name, size_t n) {
        size_t len = strv_length(l);

        for (size_t i = len; i > 0; i--)
                if (env_entry_has_name(l[i - 1], name, n))
                        return l[i - 1] + n + 1;
        return NULL;
}

char *strv_env_get(char * const *l, const char *name) {
        return strv_env_get_n(l, name, strlen(name));
}

char **strv_env_unset(char **l, const char *name) {
        size_t n = strlen(name), j = 0;

        if (!l)
                return NULL;
        for (size_t i = 0; l[i]; i++) {
                if (env_entry_has_name(l[i], name, n))
                        free(l[i]);
                else
                        l[j++] = l[i];
        }
        l[j] = NULL;
        return l;
}

int strv_env_set(char ***l, const char *assignment) {
        size_t n, j = 0;
        bool replaced = false;
        char *c;

        if (!env_assignment_is_valid(assignment))
                return -EINVAL;
        c = strdup(assignment);
        if (!c)
                return -ENOMEM;
        n = env_entry_name_len(assignment);

        /* Replace the first entry of that name, drop any later duplicates. */
        for (size_t i = 0; *l && (*l)[i]; i++) {
                char *e = (*l)[i];

                if (env_entry_has_name(e, assignment, n)) {
                        free(e);
                        if (replaced)
                                continue;
                        e = c;
                        replaced = true;
                }
                (*l)[j++] = e;
        }
        if (replaced) {
                (*l)[j] = NULL;
                return 0;
        }
        if (*l)
                (*l)[j] = NULL;
        return strv_consume(l, c);
}

int strv_env_assign(char ***l, const char *name, const char *value) {
        _cleanup_free_ char *a = NULL;

        if (!env_name_is_valid(name))
                return -EINVAL;
        if (!value) {
                strv_env_unset(*l, name);
                return 0;
        }
        a = strjoin(name, "=", value);
        if (!a)
                return -ENOMEM;
        return strv_env_set(l, a);
}

/* The name index: slots hold position+1 into an array of entries, 0 is
 * empty.  `whole` hashes and compares entire strings instead of names (for
 * exact "NAME=VALUE" pairs). */
typedef struct EnvIndex {
        size_t *slots;
        size_t mask;
        bool whole;
} EnvIndex;

static size_t env_key_len(const EnvIndex *x, const char *e) {
        return x->whole ? strlen(e) : env_entry_name_len(e);
}

static uint64_t env_key_hash(const char *s, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char) s[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

static int env_index_init(EnvIndex *x, size_t capacity, bool whole) {
        size_t size = 16;

        while (size < capacity * 2) {
                if (size > SIZE_MAX / 4)
                        return -ENOMEM;
                size *= 2;
        }
        x->slots = new0(size_t, size);
        if (!x->slots)
                return -ENOMEM;
        x->mask = size - 1;
        x->whole = whole;
        return 0;
}

static void env_index_done(EnvIndex *x) {
        free(x->slots);
}

/* The slot for key (first n bytes of key) among entries: either empty or
 * holding the position of an entry with the same key. */
static size_t *env_index_slot(EnvIndex *x, const char * const *entries, const char *key, size_t n) {
        for (size_t i = (size_t) env_key_hash(key, n) & x->mask;; i = (i + 1) & x->mask) {
                size_t *slot = &x->slots[i], pos;

                if (*slot == 0)
                        return slot;
                pos = *slot - 1;
                if (env_key_len(x, entries[pos]) == n && memcmp(entries[pos], key, n) == 0)
                        return slot;
        }
}

/* Add the entries of l to the borrowed array out (room checked by the
 * caller), replacing same-named entries in place. */
static void env_merge_into(EnvIndex *x, const char **out, size_t *n_out, char * const *l) {
        STRV_FOREACH(e, l) {
                size_t *slot;

                if (!strchr(*e, '='))
                        continue;       /* not an assignment */
                slot = env_index_slot(x, out, *e, env_entry_name_len(*e));
                if (*slot != 0)
                        out[*slot - 1] = *e;
                else {
                        out[*n_out] = *e;
                        *slot = ++*n_out;
                }
        }
}

int strv_env_merge(char ***ret, char * const *a, char * const *b) {
        _cleanup_(env_index_done) EnvIndex x = {};
        _cleanup_free_ const char **borrowed = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t na = strv_length(a), nb = strv_length(b), n = 0;
        int r;

        r = env_index_init(&x, na + nb, false);
        if (r < 0)
                return r;
        borrowed = new(const char *, na + nb + 1);
        if (!borrowed)
                return -ENOMEM;

        env_merge_into(&x, borrowed, &n, a);
        env_merge_into(&x, borrowed, &n, b);

        l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i] = strdup(borrowed[i]);
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int strv_env_unset_many(char **l, char * const *what) {
        _cleanup_(env_index_done) EnvIndex names = {}, pairs = {};
        size_t nw = strv_length(what), j = 0;
        int r, removed = 0;

        if (!l || nw == 0)
                return 0;
        r = env_index_init(&names, nw, false);
        if (r < 0)
                return r;
        r = env_index_init(&pairs, nw, true);
        if (r < 0)
                return r;

        for (size_t i = 0; i < nw; i++) {
                bool pair = strchr(what[i], '=');
                EnvIndex *x = pair ? &pairs : &names;
                size_t *slot = env_index_slot(x, (const char * const *) what, what[i], env_key_len(x, what[i]));

                if (*slot == 0)
                        *slot = i + 1;
        }

        for (size_t i = 0; l[i]; i++) {
                size_t nl = env_entry_name_len(l[i]);

                if (*env_index_slot(&names, (const char * const *) what, l[i], nl) != 0 ||
                    *env_index_slot(&pairs, (const char * const *) what, l[i], strlen(l[i])) != 0) {
                        free(l[i]);
                        removed++;
                } else
                        l[j++] = l[i];
        }
        l[j] = NULL;
        return removed;
}

int strv_env_clean(char **l) {
        _cleanup_(env_index_done) EnvIndex x = {};
        size_t j = 0;
        int r;

        if (!l)
                return 0;
        r = env_index_init(&x, strv_length(l), false);
        if (r < 0)
                return r;

        for (size_t i = 0; l[i]; i++) {
                size_t *slot;

                if (!env_assignment_is_valid(l[i])) {
                        free(l[i]);
                        continue;
                }
                slot = env_index_slot(&x, (const char * const *) l, l[i], env_entry_name_len(l[i]));
                if (*slot != 0) {
                        /* Later assignment wins, at the earlier position. */
                        free(l[*slot - 1]);
                        l[*slot - 1] = l[i];
                } else {
                        l[j] = l[i];
                        *slot = ++j;
                }
        }
        l[j] = NULL;
        return j > INT32_MAX ? INT32_MAX : (int) j;
}
