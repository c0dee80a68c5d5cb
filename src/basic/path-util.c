/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "path-util.h"
#include "string-util.h"

#define NAME_MAX_BYTES 255

/* Skip slashes and "./" pairs. */
static const char *skip_slash_or_dot(const char *p) {
        for (; *p; p++) {
                if (*p == '/')
                        continue;
                if (p[0] == '.' && p[1] == '/') {
                        p++;
                        continue;
                }
                break;
        }
        return p;
}

int path_find_first_component(const char **p, bool accept_dot_dot, const char **ret) {
        const char *first, *end, *next;
        size_t len;

        first = skip_slash_or_dot(*p);
        if (*first == '\0') {
                *p = first;
                *ret = NULL;
                return 0;
        }
        if (streq(first, ".")) {
                *p = first + 1;
                *ret = NULL;
                return 0;
        }

        end = strchrnul(first, '/');
        len = (size_t) (end - first);
        if (len > NAME_MAX_BYTES)
                return -EINVAL;
        if (!accept_dot_dot && len == 2 && first[0] == '.' && first[1] == '.')
                return -EINVAL;

        next = skip_slash_or_dot(end);
        *p = next + streq(next, ".");
        *ret = first;
        return (int) len;
}

char *path_simplify(char *path) {
        char *f = path;
        bool add_slash = false;

        if (isempty(path))
                return path;
        if (path[0] == '/')
                f++;

        for (const char *p = f;;) {
                const char *e;
                int r = path_find_first_component(&p, true, &e);

                if (r == 0)
                        break;
                if (add_slash)
                        *f++ = '/';
                if (r < 0) {
                        /* An invalid component: leave the rest untouched. */
                        memmove(f, p, strlen(p) + 1);
                        return path;
                }
                memmove(f, e, (size_t) r);
                f += r;
                add_slash = true;
        }

        /* Everything was stripped from a relative path: it meant ".". */
        if (f == path)
                *f++ = '.';
        *f = '\0';
        return path;
}

bool path_is_valid_full(const char *p, bool accept_dot_dot) {
        if (isempty(p))
                return false;

        for (const char *e = p;;) {
                const char *c;
                int r = path_find_first_component(&e, accept_dot_dot, &c);

                if (r < 0)
                        return false;
                /* PATH_MAX counts the terminating NUL. */
                if (e - p >= PATH_MAX)
                        return false;
                if (r == 0)
                        return true;
        }
}

bool path_is_normalized(const char *p) {
        if (!path_is_safe(p))
                return false;
        if (streq(p, ".") || startswith(p, "./") || endswith(p, "/."))
                return false;
        return !strstr(p, "//") && !strstr(p, "/./");
}

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);

        while (la > 0 && a[la - 1] == '/')
                la--;
        b += strspn(b, "/");

        char *r = malloc(la + 1 + strlen(b) + 1);
        if (!r)
                return NULL;
        memcpy(r, a, la);
        r[la] = '/';
        strcpy(r + la + 1, b);
        return r;
}

/* Find the last component of p: its start and length (0 if none). */
static size_t last_component(const char *p, const char **ret_start) {
        size_t l = strlen(p);

        while (l > 0 && p[l - 1] == '/')
                l--;
        size_t end = l;
        while (l > 0 && p[l - 1] != '/')
                l--;
        *ret_start = p + l;
        return end - l;
}

int path_extract_filename(const char *p, char **ret) {
        const char *start;
        size_t n;
        char *s;

        if (isempty(p))
                return -EINVAL;
        n = last_component(p, &start);
        if (n == 0)
                return -EINVAL;
        s = strndup(start, n);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int path_extract_directory(const char *p, char **ret) {
        const char *start;
        size_t n, l;
        char *s;

        if (isempty(p))
                return -EINVAL;
        n = last_component(p, &start);
        if (n == 0)
                return -EINVAL;
        l = (size_t) (start - p);
        if (l == 0)
                return -EDESTADDRREQ;
        while (l > 1 && p[l - 1] == '/')
                l--;
        s = strndup(p, l);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

const char *path_startswith(const char *path, const char *prefix) {
        /* Both absolute or both relative. */
        if ((path[0] == '/') != (prefix[0] == '/'))
                return NULL;

        for (;;) {
                size_t a, b;

                path += strspn(path, "/");
                prefix += strspn(prefix, "/");
                if (*prefix == '\0')
                        return path;
                if (*path == '\0')
                        return NULL;
                a = strcspn(path, "/");
                b = strcspn(prefix, "/");
                if (a != b || memcmp(path, prefix, a) != 0)
                        return NULL;
                path += a;
                prefix += b;
        }
}

int path_find_executable(const char *name, const char *search_path, char **ret) {
        int last_error = -ENOENT;

        if (isempty(name) || strchr(name, '/'))
                return -EINVAL;

        for (const char *p = search_path;;) {
                size_t l = strcspn(p, ":");
                _cleanup_free_ char *j = NULL;
                struct stat st;

                if (asprintf(&j, "%.*s/%s", (int) l, l > 0 ? p : ".", name) < 0)
                        return -ENOMEM;
                if (stat(j, &st) >= 0 && S_ISREG(st.st_mode)) {
                        if (access(j, X_OK) >= 0) {
                                *ret = TAKE_PTR(j);
                                return 0;
                        }
                        last_error = -EACCES;
                }
                if (p[l] == '\0')
                        break;
                p += l + 1;
        }
        return last_error;
}
