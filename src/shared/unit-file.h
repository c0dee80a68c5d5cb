/* SPDX-License-Identifier: MIT */
#pragma once

/* Finding what to load for a unit name: the fragment, aliases, masking,
 * drop-ins (spec §1.3-1.5, §1.1 item 14), following systemd's
 * unit-file.c (unit_file_build_name_map, unit_file_find_fragment) and
 * dropin.c (unit_file_find_dropin_paths).
 *
 * Fragment lookup:
 *   - Every search directory is scanned in order; the first directory that
 *     holds an entry (regular file or symlink) of a given name wins.
 *   - A regular file is the fragment.
 *   - A symlink whose target lies inside a search directory is an ALIAS:
 *     the name resolves to the target's file name, looked up again (at most
 *     32 hops).  Alias symlinks must keep the unit type and template-ness
 *     (systemd's unit_validate_alias_symlink_or_warn); a symlink to the same
 *     name is ignored, so the name is looked up in later directories.
 *   - A symlink pointing elsewhere (a "linked" unit file, or /dev/null) is
 *     the fragment itself: fragment_path is the symlink's path.
 *   - An instance (foo@bar.socket) first tries its literal name, then its
 *     template (foo@.socket).
 *   - A fragment that is empty or resolves to /dev/null masks the unit.
 *
 * Drop-ins, directories in this order (each used only if it exists):
 *   for the unit's name, then for each alias, then for the type:
 *     for each search directory D:
 *       D/name.d, then for instances D/template.d, then the dash-prefix
 *       truncations D/a-b-.socket.d, D/a-.socket.d (each again with its
 *       template for instances)
 *   and last D/socket.d for each D (the type's top-level drop-in dir).
 *   All *.conf files (hidden and backup files skipped) are collected; the
 *   first directory in that order that holds a file name wins, so a file
 *   in a higher-priority search directory hides a same-named lower one.
 *   The winners are applied in strcmp order of their file names.  An entry
 *   may be empty or /dev/null (a masked drop-in): parsing it is a no-op.
 *
 * Dependencies: the same directory walk with ".wants", ".requires",
 * ".upholds"; entries must be symlinks (not masked) with a valid unit name;
 * a template entry gets the unit's instance (skipped for non-instances).
 *
 * A unit given as a file path (anything containing '/', as for
 * "porterctl verify FILE", like systemd-analyze verify): the fragment is
 * that file; its directory (made absolute) is put in front of the search
 * path, and aliases, drop-ins and dependencies are looked up in that
 * extended path under the file's name. */

#include <stdbool.h>

#include "unit-path.h"

typedef struct UnitFileInfo {
        char *name;          /* requested name (file name for a path) */
        char *id;            /* primary name: the fragment's file name with the
                              * instance filled in; == name when not found */
        char *fragment_path; /* NULL if not found */
        bool masked;         /* fragment is empty or a symlink to /dev/null */
        /* The fragment, open for reading at offset 0, when fragment_fd_open:
         * the masking check opens and fstat()s it (as systemd's loader does),
         * and unit_load() parses from that fd rather than resolving the path
         * a second time.  Not open for a masked or unreadable fragment.
         * unit_file_info_done() closes it. */
        int fragment_fd;
        bool fragment_fd_open;
        bool fragment_regular; /* fragment_fd is a regular file */
        char **aliases;      /* other names that resolve to the same fragment */
        char **dropin_paths; /* *.conf files to apply, in the order to apply them */
        char **wants, **requires, **upholds; /* unit names from .wants/ etc. */
        /* Alias symlinks anywhere in the search path that were rejected, in
         * systemd's words ("b.socket: symlink target \"a.service\" has
         * incompatible suffix, rejecting."); systemd logs them at notice
         * level whenever it scans the search path. */
        char **notices;
} UnitFileInfo;

/* A scan of the search path kept between lookups: every unit name and what
 * it stands for, the alias index, the drop-in directories that exist and
 * the rejected aliases.  Without it each unit_file_find() reads every
 * search directory again, which is fine for one lookup and quadratic for
 * a manager loading thousands of units.  The cache reflects the search
 * path when it was built: the caller rebuilds it when the files may have
 * changed (porterd at start and on daemon-reload; porterctl verify once per
 * run).  Content is not cached: fragments and drop-ins are still read, and
 * masking (empty or /dev/null files) is still checked, at each lookup. */
typedef struct UnitFileCache UnitFileCache;

/* Scan lp's search path and keep the result in lp->cache (replacing any
 * earlier one).  unit_file_find() with lp, or with a copy of lp with the
 * same search path, then uses it; lookups whose search path differs (a
 * unit given as a file path puts its directory first) still scan.
 * 0 or -errno; on failure lp->cache is NULL. */
int unit_file_cache_build(LookupPaths *lp);
/* True if lp has a cache and a search directory has been modified since
 * it was built (a unit file added, removed or renamed), judged by the
 * directories' mtimes as systemd does before it retries loading a unit it
 * did not find.  Changes inside subdirectories (.d, .wants) do not count.
 * A directory modified within 10 ms before the scan counts as changed too:
 * file times advance once per kernel tick, so a file added in the same
 * tick just after the scan would leave no trace in them. */
bool unit_file_cache_is_stale(const LookupPaths *lp);
/* Drop lp->cache, so that the next lookups scan again.  Idempotent. */
void unit_file_cache_flush(LookupPaths *lp);
/* Free c.  NULL-safe; returns NULL.  lookup_paths_done() calls it. */
UnitFileCache *unit_file_cache_free(UnitFileCache *c);

/* Look up name (a unit name, or a path to a unit file) in lp and fill ret.
 * -ENOENT if there is no fragment and the unit is not masked (ret is then
 * still filled, with the drop-ins found, so that callers can report them),
 * -EINVAL for an invalid name, -ELOOP for an alias loop, other -errno.
 * A masked unit has no aliases, but its drop-ins and dependencies are
 * collected, since systemd parses them too.  On any other error *ret is
 * left zeroed. */
int unit_file_find(const LookupPaths *lp, const char *name, UnitFileInfo *ret);

/* Free what i holds and zero it.  NULL-safe. */
void unit_file_info_done(UnitFileInfo *i);

/* True if the file at path is empty or is (a symlink chain to) /dev/null.
 * Returns 1/0 or -errno. */
int null_or_empty_path(const char *path);
