/* SPDX-License-Identifier: MIT */
#pragma once

/* Path helpers with systemd's path-util semantics, which unit-name escaping
 * and the search-path code depend on.  A "component" is the text between
 * slashes; "." components are not counted. */

#include <stdbool.h>

#include "macro.h"

static inline bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

/* Move *p past the next component and return its length; 0 at the end of
 * the path; -EINVAL for a component longer than 255 bytes (NAME_MAX) or, if
 * !accept_dot_dot, a ".." component.  Slashes and "." components around it
 * are skipped.  *ret points at the component (NULL at the end). */
int path_find_first_component(const char **p, bool accept_dot_dot, const char **ret);

/* In place: drop duplicate and trailing slashes and "." components
 * ("//a/./b/" -> "/a/b"); a relative path that becomes empty becomes ".";
 * ".." is kept.  Returns path. */
char *path_simplify(char *path);

/* Non-empty, every component at most 255 bytes, shorter than PATH_MAX.
 * path_is_valid accepts "..", path_is_safe does not. */
bool path_is_valid_full(const char *p, bool accept_dot_dot) _pure_;
static inline bool path_is_valid(const char *p) {
        return path_is_valid_full(p, true);
}
static inline bool path_is_safe(const char *p) {
        return path_is_valid_full(p, false);
}

/* Safe (no "..") and already simplified: no "//", no "." components. */
bool path_is_normalized(const char *p) _pure_;

/* a + "/" + b with exactly one slash between them; NULL on ENOMEM. */
char *path_join(const char *a, const char *b);

/* The last component of p (trailing slashes ignored) as a new string:
 * "/a/b/" -> "b".  -EINVAL if p has none ("/", ""), -ENOMEM. */
int path_extract_filename(const char *p, char **ret);
/* Everything before the last component: "/a/b" -> "/a", "/a" -> "/",
 * "a/b" -> "a".  -EDESTADDRREQ when there is no directory part ("b"),
 * -EINVAL for "/" or "", -ENOMEM. */
int path_extract_directory(const char *p, char **ret);

/* If path is below (or equal to) prefix, component-wise, return the rest
 * of path (without leading slashes, "" when equal), else NULL. */
const char *path_startswith(const char *path, const char *prefix) _pure_;

/* Find the executable `name` (no '/') in a colon-separated search path, the
 * way execvp() does: each directory in turn ("" means "."), the first
 * regular file wins if it has an execute bit for us.  Returns 0 with the
 * joined path in *ret, -EACCES when only non-executable matches exist,
 * -ENOENT when there is none, -EINVAL for an empty name, -ENOMEM.  One loop
 * for both of porter's lookups: systemd's fixed list for Exec*= lines
 * (exec_command_find_executable) and $PATH for porter-activate. */
int path_find_executable(const char *name, const char *search_path, char **ret);
