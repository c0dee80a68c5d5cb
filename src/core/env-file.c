/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "env-file.h"
#include "env-util.h"
#include "fd-util.h"
#include "strv.h"

/* Files bigger than this are refused: an environment is not a database. */
#define ENV_FILE_MAX (4 * 1024 * 1024)

typedef struct Buf {
        char *s;
        size_t n, allocated;
} Buf;

static int buf_put(Buf *b, char c) {
        if (!GREEDY_REALLOC(b->s, b->allocated, b->n + 2))
                return -ENOMEM;
        b->s[b->n++] = c;
        b->s[b->n] = 0;
        return 0;
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

/* Parse the value starting at p; store it in *value, return the position
 * after the line. */
static const char *parse_value(const char *p, Buf *value, int *r) {
        size_t keep = 0; /* length up to the last character that must stay */

        value->n = 0;
        if (value->s)
                value->s[0] = 0;
        while (*p && *p != '\n' && *r >= 0) {
                if (*p == '\\') {
                        p++;
                        if (*p == '\n') { /* continuation */
                                p++;
                                continue;
                        }
                        if (!*p)
                                break;
                        *r = buf_put(value, *p++);
                        keep = value->n;
                } else if (*p == '\'') {
                        for (p++; *p && *p != '\'' && *r >= 0; p++)
                                *r = buf_put(value, *p);
                        if (*p)
                                p++;
                        keep = value->n;
                        while (is_ws(*p)) /* systemd goes back to skipping blanks */
                                p++;
                } else if (*p == '"') {
                        for (p++; *p && *p != '"' && *r >= 0; p++) {
                                if (*p == '\\' && p[1] == '\n') {
                                        p++;
                                        continue;
                                }
                                if (*p == '\\' && p[1] && strchr("\"\\`$", p[1]))
                                        p++;
                                *r = buf_put(value, *p);
                        }
                        if (*p)
                                p++;
                        keep = value->n;
                        while (is_ws(*p))
                                p++;
                } else {
                        *r = buf_put(value, *p);
                        if (!is_ws(*p))
                                keep = value->n;
                        p++;
                }
        }
        if (value->s)
                value->s[keep] = 0;
        value->n = keep;
        return *p ? p + 1 : p;
}

int env_file_parse(const char *text, char ***env) {
        Buf value = {};
        int r = 0, n = 0;
        const char *p = text;

        while (*p && r >= 0) {
                while (is_ws(*p))
                        p++;
                if (*p == '#' || *p == ';' || *p == '\n' || !*p) {
                        p += strcspn(p, "\n");
                        if (*p)
                                p++;
                        continue;
                }
                const char *key = p;
                p += strcspn(p, "=\n");
                size_t klen = p - key;
                while (klen > 0 && is_ws(key[klen - 1]))
                        klen--;
                if (*p != '=' || !env_name_is_valid_n(key, klen)) {
                        p += strcspn(p, "\n"); /* not an assignment: skipped */
                        if (*p)
                                p++;
                        continue;
                }
                p++;
                while (is_ws(*p))
                        p++;
                p = parse_value(p, &value, &r);
                if (r < 0)
                        break;
                _cleanup_free_ char *name = strndup(key, klen);
                if (!name || strv_env_assign(env, name, value.s ?: "") < 0)
                        r = -ENOMEM;
                else
                        n++;
        }
        free(value.s);
        return r < 0 ? r : n;
}

static int env_file_load_one(const char *path, char ***env) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *text = NULL;

        if (!f)
                return -errno;
        text = malloc(ENV_FILE_MAX + 1);
        if (!text)
                return -ENOMEM;
        size_t n = fread(text, 1, ENV_FILE_MAX + 1, f);
        if (ferror(f))
                return -EIO;
        if (n > ENV_FILE_MAX)
                return -EFBIG;
        text[n] = 0;
        int r = env_file_parse(text, env);
        return r < 0 ? r : 0;
}

int env_file_load_all(char * const *entries, char ***env) {
        STRV_FOREACH(e, entries) {
                const char *pattern = *e;
                bool missing_ok = pattern[0] == '-';
                glob_t g = {};
                int r;

                if (missing_ok)
                        pattern++;
                r = glob(pattern, 0, NULL, &g); /* sorted matches */
                if (r == GLOB_NOMATCH) {
                        globfree(&g);
                        if (missing_ok)
                                continue;
                        return -ENOENT;
                }
                if (r != 0) {
                        globfree(&g);
                        return -ENOMEM;
                }
                for (size_t i = 0; i < g.gl_pathc; i++) {
                        r = env_file_load_one(g.gl_pathv[i], env);
                        if (r < 0 && !(missing_ok && r == -ENOENT)) {
                                globfree(&g);
                                return r;
                        }
                }
                globfree(&g);
        }
        return 0;
}
