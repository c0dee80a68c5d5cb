/* SPDX-License-Identifier: MIT */
/* Unit names: validation, templates and instances, and the escaping rules
 * of systemd-escape.  See unit-name.h for the grammar. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "path-util.h"
#include "string-util.h"
#include "unit-name.h"

#define VALID_CHARS DIGITS LETTERS ":-_.\\"
#define VALID_CHARS_WITH_AT "@" VALID_CHARS

/* The names with their lengths: unit_type_from_string() compares lengths
 * before bytes. */
#define UNIT_TYPE_NAME(s) { s, sizeof(s) - 1 }
static const struct {
        const char *name;
        size_t len;
} unit_type_table[_UNIT_TYPE_MAX] = {
        [UNIT_SERVICE] = UNIT_TYPE_NAME("service"),
        [UNIT_SOCKET] = UNIT_TYPE_NAME("socket"),
        [UNIT_TARGET] = UNIT_TYPE_NAME("target"),
        [UNIT_DEVICE] = UNIT_TYPE_NAME("device"),
        [UNIT_MOUNT] = UNIT_TYPE_NAME("mount"),
        [UNIT_AUTOMOUNT] = UNIT_TYPE_NAME("automount"),
        [UNIT_SWAP] = UNIT_TYPE_NAME("swap"),
        [UNIT_TIMER] = UNIT_TYPE_NAME("timer"),
        [UNIT_PATH] = UNIT_TYPE_NAME("path"),
        [UNIT_SLICE] = UNIT_TYPE_NAME("slice"),
        [UNIT_SCOPE] = UNIT_TYPE_NAME("scope"),
};

const char *unit_type_to_string(UnitType t) {
        if (t < 0 || t >= _UNIT_TYPE_MAX)
                return NULL;
        return unit_type_table[t].name;
}

UnitType unit_type_from_string(const char *s) {
        size_t n;

        if (!s)
                return _UNIT_TYPE_INVALID;
        /* Compared by length first: every name validation asks.  No type
         * name is 16 bytes long, so a longer s matches none. */
        n = strnlen(s, 16);
        for (UnitType t = 0; t < _UNIT_TYPE_MAX; t++)
                if (unit_type_table[t].len == n && memcmp(unit_type_table[t].name, s, n) == 0)
                        return t;
        return _UNIT_TYPE_INVALID;
}

bool unit_type_may_alias(UnitType t) {
        return t == UNIT_SERVICE || t == UNIT_SOCKET || t == UNIT_TARGET ||
               t == UNIT_DEVICE || t == UNIT_TIMER || t == UNIT_PATH;
}

bool unit_type_may_template(UnitType t) {
        return t == UNIT_SERVICE || t == UNIT_SOCKET || t == UNIT_TARGET ||
               t == UNIT_TIMER || t == UNIT_PATH;
}

/* True if c is in VALID_CHARS_WITH_AT.  A table lookup instead of
 * strchr() over the 66-byte set: names are validated several times per unit
 * lookup, and the strchr() calls were most of the start-up cost of this
 * function (issue 6).  c is never NUL here. */
static bool unit_name_char_ok(char c) {
        static const bool ok[256] = {
                ['a' ... 'z'] = true, ['A' ... 'Z'] = true, ['0' ... '9'] = true,
                [':'] = true, ['-'] = true, ['_'] = true, ['.'] = true, ['\\'] = true, ['@'] = true,
        };

        return ok[(unsigned char) c];
}

/* True if s is non-empty and every byte is in chars. */
static bool in_charset_nonempty(const char *s, const char *chars) {
        return !isempty(s) && s[strspn(s, chars)] == '\0';
}

bool unit_name_is_valid(const char *n, UnitNameFlags flags) {
        const char *e, *at = NULL;

        if ((flags & UNIT_NAME_ANY) == 0 || isempty(n))
                return false;
        if (strlen(n) >= UNIT_NAME_MAX)
                return false;

        e = strrchr(n, '.');
        if (!e || e == n)
                return false;
        if (unit_type_from_string(e + 1) < 0)
                return false;

        for (const char *i = n; i < e; i++) {
                if (*i == '@' && !at)
                        at = i;
                if (!unit_name_char_ok(*i))
                        return false;
        }
        if (at == n)
                return false;

        if ((flags & UNIT_NAME_PLAIN) && !at)
                return true;
        if ((flags & UNIT_NAME_INSTANCE) && at && e > at + 1)
                return true;
        if ((flags & UNIT_NAME_TEMPLATE) && at && e == at + 1)
                return true;
        return false;
}

bool unit_prefix_is_valid(const char *p) {
        return in_charset_nonempty(p, VALID_CHARS);
}

bool unit_instance_is_valid(const char *i) {
        /* The instance may contain '@', the prefix may not. */
        return in_charset_nonempty(i, VALID_CHARS_WITH_AT);
}

bool unit_suffix_is_valid(const char *s) {
        if (isempty(s) || s[0] != '.')
                return false;
        return unit_type_from_string(s + 1) >= 0;
}

UnitType unit_name_to_type(const char *n) {
        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return _UNIT_TYPE_INVALID;
        return unit_type_from_string(strrchr(n, '.') + 1);
}

static int strndup_to(const char *s, size_t n, char **ret) {
        char *t = strndup(s, n);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int unit_name_to_prefix(const char *n, char **ret) {
        const char *p;

        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;
        p = strchr(n, '@') ?: strrchr(n, '.');
        return strndup_to(n, (size_t) (p - n), ret);
}

int unit_name_to_prefix_and_instance(const char *n, char **ret) {
        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;
        return strndup_to(n, (size_t) (strrchr(n, '.') - n), ret);
}

int unit_name_to_instance(const char *n, char **ret) {
        const char *p, *d;

        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;

        p = strchr(n, '@');
        if (!p) {
                if (ret)
                        *ret = NULL;
                return UNIT_NAME_PLAIN;
        }
        p++;
        d = strrchr(p, '.'); /* exists: validation found the type after it */
        if (ret) {
                int r = strndup_to(p, (size_t) (d - p), ret);
                if (r < 0)
                        return r;
        }
        return d > p ? UNIT_NAME_INSTANCE : UNIT_NAME_TEMPLATE;
}

int unit_name_prefix_last_dash(const char *n, char **ret) {
        char *prefix = NULL, *dash;
        int r;

        r = unit_name_to_prefix(n, &prefix);
        if (r < 0)
                return r;
        dash = strrchr(prefix, '-');
        if (dash)
                memmove(prefix, dash + 1, strlen(dash + 1) + 1);
        *ret = prefix;
        return 0;
}

int unit_name_template(const char *n, char **ret) {
        const char *at, *e;
        char *s;

        if (!unit_name_is_valid(n, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE))
                return -EINVAL;
        at = strchr(n, '@');
        e = strrchr(n, '.');
        s = malloc((size_t) (at - n) + 1 + strlen(e) + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, n, (size_t) (at - n) + 1);
        strcpy(s + (at - n) + 1, e);
        *ret = s;
        return 0;
}

int unit_name_replace_instance(const char *n, const char *instance, char **ret) {
        const char *at, *e;
        _cleanup_free_ char *head = NULL;
        char *s;

        if (!unit_name_is_valid(n, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE))
                return -EINVAL;
        if (!unit_instance_is_valid(instance))
                return -EINVAL;

        at = strchr(n, '@');
        e = strrchr(n, '.');
        head = strndup(n, (size_t) (at - n) + 1);
        if (!head)
                return -ENOMEM;
        s = strjoin(head, instance, e);
        if (!s)
                return -ENOMEM;
        /* The new instance may push the name over the length limit. */
        if (!unit_name_is_valid(s, UNIT_NAME_INSTANCE)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

int unit_name_build(const char *prefix, const char *instance, const char *suffix, char **ret) {
        char *s;

        if (!unit_suffix_is_valid(suffix) || !unit_prefix_is_valid(prefix))
                return -EINVAL;
        if (instance && !unit_instance_is_valid(instance))
                return -EINVAL;

        s = instance ? strjoin(prefix, "@", instance, suffix) : strjoin(prefix, suffix);
        if (!s)
                return -ENOMEM;
        if (!unit_name_is_valid(s, UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

int unit_name_change_suffix(const char *n, const char *suffix, char **ret) {
        size_t h, l;
        char *s;

        if (!unit_name_is_valid(n, UNIT_NAME_ANY) || !unit_suffix_is_valid(suffix))
                return -EINVAL;
        /* One allocation: every socket unit asks for its service's name. */
        h = (size_t) (strrchr(n, '.') - n);
        l = strlen(suffix);
        s = malloc(h + l + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, n, h);
        memcpy(s + h, suffix, l + 1);
        if (!unit_name_is_valid(s, UNIT_NAME_ANY)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

/* ---- escaping ---------------------------------------------------------- */

static char *escape_char(unsigned char c, char *t) {
        static const char hex[] = "0123456789abcdef";

        *t++ = '\\';
        *t++ = 'x';
        *t++ = hex[c >> 4];
        *t++ = hex[c & 15];
        return t;
}

char *unit_name_escape(const char *f) {
        char *r, *t;

        r = new(char, strlen(f) * 4 + 1);
        if (!r)
                return NULL;
        t = r;

        /* A leading '.' would make a hidden file ("/.dotdir" mount points). */
        if (*f == '.')
                t = escape_char((unsigned char) *f++, t);

        for (; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if (*f == '-' || *f == '\\' || !strchr(VALID_CHARS, *f))
                        t = escape_char((unsigned char) *f, t);
                else
                        *t++ = *f;
        }
        *t = '\0';
        return r;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int unit_name_unescape(const char *f, char **ret) {
        char *r, *t;

        r = strdup(f);
        if (!r)
                return -ENOMEM;

        for (t = r; *f; f++) {
                if (*f == '-')
                        *t++ = '/';
                else if (*f == '\\') {
                        int a, b;

                        /* Only "\x" escapes exist; f[2] is checked before
                         * f[3] so that a string ending early stops here. */
                        if (f[1] != 'x' || (a = unhex(f[2])) < 0 || (b = unhex(f[3])) < 0) {
                                free(r);
                                return -EINVAL;
                        }
                        /* As in systemd, "\x00" ends the result there. */
                        *t++ = (char) ((a << 4) | b);
                        f += 3;
                } else
                        *t++ = *f;
        }
        *t = '\0';
        *ret = r;
        return 0;
}

int unit_name_path_escape(const char *path, char **ret) {
        _cleanup_free_ char *p = NULL;
        char *s, *start;
        size_t l;

        p = strdup(path);
        if (!p)
                return -ENOMEM;
        path_simplify(p);

        if (isempty(p) || streq(p, "/"))
                s = strdup("-");
        else {
                if (!path_is_normalized(p))
                        return -EINVAL;
                l = strlen(p);
                while (l > 0 && p[l - 1] == '/')
                        p[--l] = '\0';
                start = p + strspn(p, "/");
                s = unit_name_escape(start);
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int unit_name_path_unescape(const char *f, char **ret) {
        _cleanup_free_ char *w = NULL;
        char *s;
        int r;

        if (isempty(f))
                return -EINVAL;

        if (streq(f, "-"))
                s = strdup("/");
        else {
                r = unit_name_unescape(f, &w);
                if (r < 0)
                        return r;
                /* Leading or trailing slashes would not round-trip. */
                if (w[0] == '/' || endswith(w, "/"))
                        return -EINVAL;
                s = strjoin("/", w);
                if (s && !path_is_normalized(s)) {
                        free(s);
                        return -EINVAL;
                }
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int unit_name_from_path(const char *path, const char *suffix, char **ret) {
        _cleanup_free_ char *p = NULL;
        char *s;
        int r;

        if (!unit_suffix_is_valid(suffix))
                return -EINVAL;
        r = unit_name_path_escape(path, &p);
        if (r < 0)
                return r;
        s = strjoin(p, suffix);
        if (!s)
                return -ENOMEM;
        /* Long paths give names over the limit. */
        if (strlen(s) >= UNIT_NAME_MAX) {
                free(s);
                return -ENAMETOOLONG;
        }
        if (!unit_name_is_valid(s, UNIT_NAME_PLAIN)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

/* ---- mangling ------------------------------------------------------------ */

static bool is_device_path(const char *p) {
        return startswith(p, "/dev/") || startswith(p, "/sys/");
}

/* Escape only what can never be part of a name: '/' and bytes outside
 * VALID_CHARS_WITH_AT ('-', '\' and '@' are kept). */
static char *escape_mangle(const char *f, char *t) {
        for (; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if (!strchr(VALID_CHARS_WITH_AT, *f))
                        t = escape_char((unsigned char) *f, t);
                else
                        *t++ = *f;
        }
        *t = '\0';
        return t;
}

int unit_name_mangle(const char *name, const char *suffix, char **ret) {
        char *s;
        int r;

        if (isempty(name) || !unit_suffix_is_valid(suffix))
                return -EINVAL;

        if (unit_name_is_valid(name, UNIT_NAME_ANY)) {
                s = strdup(name);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }

        if (name[0] == '/') {
                _cleanup_free_ char *n = strdup(name);

                if (!n)
                        return -ENOMEM;
                path_simplify(n);
                if (is_device_path(n)) {
                        r = unit_name_from_path(n, ".device", ret);
                        if (r >= 0)
                                return 1;
                        if (r != -EINVAL)
                                return r;
                }
                r = unit_name_from_path(n, ".mount", ret);
                if (r >= 0)
                        return 1;
                if (r != -EINVAL)
                        return r;
        }

        s = new(char, strlen(name) * 4 + strlen(suffix) + 1);
        if (!s)
                return -ENOMEM;
        escape_mangle(name, s);
        if (unit_name_to_type(s) < 0)
                strcat(s, suffix);
        if (!unit_name_is_valid(s, UNIT_NAME_ANY)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 1;
}
