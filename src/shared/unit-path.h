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
 * entries are left out when $XDG_RUNTIME_DIR is unset):
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
 * Environment: $PORTER_UNIT_PATH is a ':'-separated list that REPLACES the
 * list above; if it ends in ':' the defaults are appended after it.  Empty
 * fields are skipped, relative entries are made absolute against the
 * current directory.  When $PORTER_UNIT_PATH is unset, $SYSTEMD_UNIT_PATH is
 * honoured the same way, so that a setup written for systemd works
 * unchanged; $PORTER_UNIT_PATH wins when both are set.
 *
 * Finally, as systemd does, each entry that exists is replaced by its
 * canonical path (symlinks resolved) and later duplicates are dropped. */

#include <stdbool.h>

typedef struct LookupPaths {
        char **search_path; /* strv, highest priority first; includes root_dir */
        bool user;
        char *root_dir;     /* NULL or the alternative root the paths live in */
} LookupPaths;

/* Fill p for the system (user=false) or per-user manager.  With root_dir
 * every default entry is prefixed with it (environment lists are taken as
 * given).  0 or -errno (-ENOMEM; -ENXIO if no home directory is known in
 * user mode). */
int lookup_paths_init(LookupPaths *p, bool user, const char *root_dir);
/* Free what p holds and leave it empty.  NULL-safe, idempotent. */
void lookup_paths_done(LookupPaths *p);

/* The default list without environment overrides, before canonicalization
 * (useful for tests and "porterctl unit-paths").  0 or -errno. */
int lookup_paths_default(bool user, char ***ret);
