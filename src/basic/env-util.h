/* SPDX-License-Identifier: MIT */
#pragma once

/* Environment blocks: strvs of "NAME=VALUE" strings, as services receive
 * them.
 *
 * A name is [A-Za-z_][A-Za-z0-9_]* (what a POSIX shell accepts, and what
 * systemd requires for Environment=), not empty.  A value is any valid UTF-8
 * string, control characters included, as systemd 252 accepts them.  The merge and
 * unset helpers run in O(n + m) expected time with a small hash table, so
 * building a service environment stays linear however many variables it has;
 * strv_env_set/get are single O(n) scans. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

bool env_name_is_valid(const char *name) _pure_;
/* Same for the first n bytes of name. */
bool env_name_is_valid_n(const char *name, size_t n) _pure_;
bool env_value_is_valid(const char *value) _pure_;
/* "NAME=VALUE" with a valid name and value. */
bool env_assignment_is_valid(const char *assignment) _pure_;
/* A valid name, or a valid assignment: UnsetEnvironment= entries. */
bool env_name_or_assignment_is_valid(const char *s) _pure_;

/* The value of name in l ("NAME=VALUE" → pointer to VALUE inside l), or
 * NULL.  The last assignment wins if l has duplicates. */
char *strv_env_get(char * const *l, const char *name) _pure_;
/* Same, name given as the first n bytes of name. */
char *strv_env_get_n(char * const *l, const char *name, size_t n) _pure_;

/* Set "NAME=VALUE" in *l: replace the entry with that name in place, or
 * append.  -EINVAL if assignment is not valid, -ENOMEM. */
int strv_env_set(char ***l, const char *assignment);

/* Set name to value (value NULL unsets). */
int strv_env_assign(char ***l, const char *name, const char *value);

/* Remove every entry named `name` from l, in place; returns l. */
char **strv_env_unset(char **l, const char *name);

/* UnsetEnvironment= semantics, in place: for each entry of what, a bare name
 * removes every assignment of that name, a "NAME=VALUE" pair removes only an
 * exact match.  Returns the number of entries removed (≥ 0) or -ENOMEM. */
int strv_env_unset_many(char **l, char * const *what);

/* Merge b into a copy of a: entries of b replace the entry of a with the same
 * name at a's position, new names are appended in b's order; within b the
 * last assignment of a name wins.  Either list may be NULL.  Returns 0 with a
 * new list in *ret, or -ENOMEM. */
int strv_env_merge(char ***ret, char * const *a, char * const *b);

/* Drop invalid entries and earlier duplicates in place (last wins, keeping
 * the position of the first); returns the number of entries left, or
 * -ENOMEM (l is then unchanged). */
int strv_env_clean(char **l);
