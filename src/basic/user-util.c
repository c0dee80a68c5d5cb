/* SPDX-License-Identifier: MIT */
/* User/group names and numeric IDs; the rules are in user-util.h.  Names are
 * only validated here, never looked up: resolving them is the spawn path's
 * business, at the time the service starts. */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "string-util.h"
#include "user-util.h"
#include "utf8.h"

/* utmp's ut_user field is 32 bytes, NUL included. */
#define USER_NAME_MAX_STRICT 31

static bool is_ascii_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool valid_user_name_strict(const char *u) {
        size_t l = 0;

        if (!is_ascii_alpha(u[0]) && u[0] != '_')
                return false;
        for (const char *i = u + 1; *i; i++)
                if (!is_ascii_alpha(*i) && !is_ascii_digit(*i) && *i != '_' && *i != '-')
                        return false;
        l = strlen(u);
        return l <= USER_NAME_MAX_STRICT;
}

static bool valid_user_name_relaxed(const char *u) {
        if (!utf8_is_valid(u))
                return false;
        for (const char *i = u; *i; i++)
                if ((unsigned char) *i < ' ' || *i == 0x7F)
                        return false;   /* control characters */
        if (strpbrk(u, ":/"))           /* passwd field separator, path separator */
                return false;
        if (u[strspn(u, DIGITS)] == '\0')
                return false;           /* would read as a UID */
        if (streq(u, ".") || streq(u, ".."))
                return false;
        return true;
}

bool valid_user_group_name(const char *u, unsigned flags) {
        if (isempty(u))
                return false;
        if ((flags & VALID_USER_ALLOW_NUMERIC) && parse_uid(u, NULL) >= 0)
                return true;
        if (flags & VALID_USER_RELAX)
                return valid_user_name_relaxed(u);
        return valid_user_name_strict(u);
}

int parse_uid(const char *s, uid_t *ret) {
        uint64_t v = 0;
        const char *p;

        if (isempty(s))
                return -EINVAL;
        if (s[0] == '0' && s[1] != '\0')
                return -EINVAL;         /* "0100" is not 100, nor octal 64 */
        for (p = s; is_ascii_digit(*p); p++) {
                v = v * 10 + (uint64_t) (*p - '0');
                if (v > UINT32_MAX) {
                        while (is_ascii_digit(*p))
                                p++;
                        return *p == '\0' ? -ERANGE : -EINVAL;
                }
        }
        if (*p != '\0')
                return -EINVAL;
        if (!uid_is_valid((uid_t) v))
                return -ENXIO;
        if (ret)
                *ret = (uid_t) v;
        return 0;
}

int parse_gid(const char *s, gid_t *ret) {
        uid_t u;
        int r;

        r = parse_uid(s, &u);
        if (r < 0)
                return r;
        if (ret)
                *ret = (gid_t) u;
        return 0;
}
