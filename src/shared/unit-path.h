/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit search paths (spec §1.4), in systemd's order: the first directory
 * holding a name wins.
 *
 * System manager:
 *   /etc/systemd/system.control  /run/systemd/system.control
 *   /run/systemd/transient       /run/systemd/generator.early
 *   /etc/systemd/system          /etc/systemd/system.attached
 *   /run/systemd/system          /run/systemd/system.attached
 *   /run/systemd/generator       /usr/local/lib/systemd/system
 *   /usr/lib/systemd/system      /run/systemd/generator.late
 *
 * User manager ($XDG_* as in the XDG base directory spec; the runtime
 * entries are left out when $XDG_RUNTIME_DIR is unset; a relative
 * $XDG_CONFIG_HOME or $XDG_DATA_HOME is ignored, relative entries of
 * $XDG_CONFIG_DIRS / $XDG_DATA_DIRS are taken against the current
 * directory, and those set to "" contribute nothing, as in systemd):
 *   $XDG_CONFIG_HOME/systemd/user.control   $XDG_RUNTIME_DIR/systemd/user.control
 *   $XDG_RUNTIME_DIR/systemd/transient      $XDG_RUNTIME_DIR/systemd/generator.early
 *   $XDG_CONFIG_HOME/systemd/user           each $XDG_CONFIG_DIRS/systemd/user
 *   /etc/systemd/user                       $XDG_RUNTIME_DIR/systemd/user
 *   /run/systemd/user                       $XDG_RUNTIME_DIR/systemd/generator
 *   $XDG_DATA_HOME/systemd/user             each $XDG_DATA_DIRS/systemd/user
 *   /usr/local/lib/systemd/user             /usr/local/share/systemd/user
 *   /usr/lib/systemd/user                   /usr/share/systemd/user
 *   $XDG_RUNTIME_DIR/systemd/generator.late
 *
 * systemd 252 as built by Debian also lists /lib/systemd/system before
 * /usr/lib/systemd/system; v258 does not, and on a merged-/usr system the
 * two are the same directory, so porter keeps v258's list.
 *
 * Environment: $PORTER_UNIT_PATH is a ':'-separated list that REPLACES the
 * list above; if it ends in ':' the defaults are appended after it.  Empty
 * fields are skipped, relative entries are made absolute against the
 * current directory.  When $PORTER_UNIT_PATH is unset, $SYSTEMD_UNIT_PATH is
 * honoured the same way, so that a setup written for systemd works
 * unchanged; $PORTER_UNIT_PATH wins when both are set.
 *
 * With a root directory every entry, including those from the environment,
 * is prefixed with it.  Later duplicates are dropped.  As in systemd v258,
 * entries are not canonicalized (symlinks are not resolved). */

#include <stdbool.h>

typedef struct LookupPaths {
        char **search_path; /* strv, highest priority first; includes root_dir */
        bool user;
        char *root_dir;     /* NULL or the alternative root the paths live in */
        /* NULL, or the scan of search_path kept by unit_file_cache_build()
         * (unit-file.h); owned, freed by lookup_paths_done(). */
        struct UnitFileCache *cache;
} LookupPaths;

/* Fill p for the system (user=false) or per-user manager, optionally below
 * root_dir (system mode only, as in systemd: -EINVAL with user).  0 or
 * -errno (-ENOMEM; -ENXIO/-ESRCH if no home directory is known in user
 * mode). */
int lookup_paths_init(LookupPaths *p, bool user, const char *root_dir);
/* Free what p holds and leave it empty.  NULL-safe, idempotent. */
void lookup_paths_done(LookupPaths *p);

/* The per-user directories of the XDG base directory spec, resolved as
 * systemd's sd-path does: the variable if it holds an absolute path, else
 * the default below the home directory. */
typedef enum LookupUserDir {
        LOOKUP_USER_CONFIG,  /* $XDG_CONFIG_HOME, ~/.config */
        LOOKUP_USER_DATA,    /* $XDG_DATA_HOME, ~/.local/share */
        LOOKUP_USER_STATE,   /* $XDG_STATE_HOME, ~/.local/state */
        LOOKUP_USER_CACHE,   /* $XDG_CACHE_HOME, ~/.cache */
        LOOKUP_USER_RUNTIME, /* $XDG_RUNTIME_DIR; -ENXIO when unset or relative */
} LookupUserDir;
int lookup_user_dir(LookupUserDir which, char **ret);

/* The home directory of the calling user as systemd's get_home_dir(): an
 * absolute $HOME, else "/root" for uid 0, else the user database.  -ESRCH
 * if there is no entry, -EINVAL for a bad one, -ENOMEM. */
int lookup_home_dir(char **ret);
