/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit names (spec §1.3), following systemd's unit-name.c.
 *
 * Grammar of a unit name (at most UNIT_NAME_MAX - 1 = 255 characters):
 *
 *   name      = plain | template | instance
 *   plain     = prefix "." type                     foo.socket
 *   template  = prefix "@" "." type                 foo@.service
 *   instance  = prefix "@" inst "." type            foo@bar.service
 *   prefix    = 1*( ALNUM / ":" / "-" / "_" / "." / "\" )
 *   inst      = 1*( ALNUM / ":" / "-" / "_" / "." / "\" / "@" )
 *   type      = "service" / "socket" / "target" / "device" / "mount" /
 *               "automount" / "swap" / "timer" / "path" / "slice" / "scope"
 *
 * The type is the text after the LAST '.', the instance starts after the
 * FIRST '@'.
 *
 * Escaping follows systemd-escape exactly: '/' becomes '-'; every byte
 * outside [A-Za-z0-9:_.], and '-' and '\' themselves, becomes "\xNN" with
 * lower-case hex; a leading '.' is escaped too.  All functions return
 * negative errno values (-EINVAL for an invalid name) and write their ret_
 * argument only on success. */

#include <errno.h>
#include <stdbool.h>

#define UNIT_NAME_MAX 256 /* counting the terminating NUL, as systemd does */

typedef enum UnitType {
        UNIT_SERVICE,
        UNIT_SOCKET,
        UNIT_TARGET,
        UNIT_DEVICE,
        UNIT_MOUNT,
        UNIT_AUTOMOUNT,
        UNIT_SWAP,
        UNIT_TIMER,
        UNIT_PATH,
        UNIT_SLICE,
        UNIT_SCOPE,
        _UNIT_TYPE_MAX,
        _UNIT_TYPE_INVALID = -EINVAL,
} UnitType;

typedef enum UnitNameFlags {
        UNIT_NAME_PLAIN = 1,    /* foo.service */
        UNIT_NAME_TEMPLATE = 2, /* foo@.service */
        UNIT_NAME_INSTANCE = 4, /* foo@bar.service */
        UNIT_NAME_ANY = UNIT_NAME_PLAIN | UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE,
} UnitNameFlags;

/* "service" for UNIT_SERVICE, ...; NULL for an out-of-range value. */
const char *unit_type_to_string(UnitType t);
/* The type named s ("socket"), or _UNIT_TYPE_INVALID (-EINVAL). */
UnitType unit_type_from_string(const char *s);

/* Whether systemd allows alias symlinks / template instances for units of
 * this type (service, socket, target, device, timer, path may be aliased;
 * the same minus device may be templated). */
bool unit_type_may_alias(UnitType t);
bool unit_type_may_template(UnitType t);

/* True if n is a valid name of one of the forms in flags. */
bool unit_name_is_valid(const char *n, UnitNameFlags flags);
/* True if p is a valid prefix (no '@'), i is a valid instance, or s is a
 * valid suffix (".socket"). */
bool unit_prefix_is_valid(const char *p);
bool unit_instance_is_valid(const char *i);
bool unit_suffix_is_valid(const char *s);

/* The type of a valid unit name, or _UNIT_TYPE_INVALID. */
UnitType unit_name_to_type(const char *n);

/* "foo" for foo@bar.socket, foo@.socket and foo.socket. */
int unit_name_to_prefix(const char *n, char **ret);
/* "foo@bar" for foo@bar.socket; "foo" for foo.socket (%N). */
int unit_name_to_prefix_and_instance(const char *n, char **ret);
/* Returns which form n has (UNIT_NAME_PLAIN/TEMPLATE/INSTANCE) or -EINVAL.
 * *ret (may be NULL) gets the instance: NULL for a plain name, "" for a
 * template, "bar" for foo@bar.socket. */
int unit_name_to_instance(const char *n, char **ret);
/* The part of the prefix after its last '-' (%j): "c" for a-b-c@x.service,
 * the whole prefix when there is no dash. */
int unit_name_prefix_last_dash(const char *n, char **ret);

/* foo@bar.socket (or foo@.socket) -> foo@.socket; -EINVAL for plain names. */
int unit_name_template(const char *n, char **ret);
/* foo@.socket or foo@old.socket + "new" -> foo@new.socket. */
int unit_name_replace_instance(const char *n, const char *instance, char **ret);
/* prefix + optional instance + suffix (".socket") -> a plain or instance
 * name; -EINVAL if a part or the result is invalid. */
int unit_name_build(const char *prefix, const char *instance, const char *suffix, char **ret);
/* foo.socket + ".service" -> foo.service (instances keep their instance). */
int unit_name_change_suffix(const char *n, const char *suffix, char **ret);

/* systemd-escape STRING.  Returns NULL only on ENOMEM. */
char *unit_name_escape(const char *f);
/* systemd-escape --unescape: '-' -> '/', "\xNN" (either case) -> byte.
 * -EINVAL for a '\' not followed by 'x' and two hex digits. */
int unit_name_unescape(const char *f, char **ret);
/* systemd-escape --path: simplify the path (duplicate, leading and trailing
 * '/' and "." components dropped), then escape; "/" and "" give "-".
 * -EINVAL if the simplified path is not normalized (has "..", a component
 * over 255 bytes, or is 4096 bytes or longer). */
int unit_name_path_escape(const char *path, char **ret);
/* systemd-escape --unescape --path: "-" -> "/", otherwise unescape and
 * prefix '/'; -EINVAL if the result is not a normalized absolute path. */
int unit_name_path_unescape(const char *f, char **ret);
/* Escape a path and append the suffix (".mount"): /tmp/x -> tmp-x.mount. */
int unit_name_from_path(const char *path, const char *suffix, char **ret);

/* systemd-escape --mangle (systemctl's name mangling without globs): a
 * valid name of any form is returned unchanged (returns 0); an absolute
 * path becomes a .device unit under /dev/ or /sys/, else a .mount unit;
 * anything else has '/' turned into '-' and every byte outside
 * [A-Za-z0-9:-_.\@] escaped as "\xNN", and gets suffix (".service")
 * appended unless it already ends in a unit type (returns 1).  -EINVAL for
 * an empty name, an invalid suffix or a result that is no valid name. */
int unit_name_mangle(const char *name, const char *suffix, char **ret);
