/* SPDX-License-Identifier: MIT */
#pragma once

/* User and group names and IDs as unit files write them (User=, Group=,
 * SocketUser=, SocketGroup=, SupplementaryGroups=).
 *
 * Strict names (flags 0): [A-Za-z_][A-Za-z0-9_-]*, at most 31 bytes (utmp
 * field), not empty.
 *
 * Relaxed names (VALID_USER_RELAX, what systemd uses for unit files): any
 * valid UTF-8 without control characters, ':' or '/', not "." or "..", not
 * all digits, not empty; no length limit.  So "0day", "a.b", "Domain User",
 * "-x" and "+1" pass (systemd logs that they do not match the strict rules),
 * "010", "a:b", "a/b", "." and "a<TAB>b" do not: checked one by one with
 * systemd-analyze verify (252) on User=.
 *
 * VALID_USER_ALLOW_NUMERIC also accepts a numeric ID that parse_uid()
 * accepts ("0", "1000"), which is how User=1000 works. */

#include <stdbool.h>
#include <sys/types.h>

#include "macro.h"

typedef enum ValidUserFlags {
        VALID_USER_RELAX         = 1 << 0,
        VALID_USER_ALLOW_NUMERIC = 1 << 1,
} ValidUserFlags;

/* The flags unit files use for User=/Group= and friends. */
#define VALID_USER_UNIT_FILE (VALID_USER_RELAX | VALID_USER_ALLOW_NUMERIC)

bool valid_user_group_name(const char *u, unsigned flags) _pure_;

/* A numeric UID: decimal digits only (no sign, no whitespace, no leading
 * zeros except "0"), fitting in 32 bits.  (uid_t) -1 and the 16-bit -1 65535
 * are refused with -ENXIO, as systemd does; too large → -ERANGE; garbage →
 * -EINVAL.  ret may be NULL. */
int parse_uid(const char *s, uid_t *ret);

/* The same for GIDs. */
int parse_gid(const char *s, gid_t *ret);

/* True if u is a valid UID (not -1 and not 65535). */
static inline bool uid_is_valid(uid_t u) {
        return u != (uid_t) -1 && u != (uid_t) 0xFFFF;
}
