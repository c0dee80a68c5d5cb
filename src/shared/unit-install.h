/* SPDX-License-Identifier: MIT */
#pragma once

/* Enabling and disabling unit files through their [Install] section, as
 * systemd's install.c does for systemctl enable/disable/reenable/mask/
 * unmask/is-enabled.  Pure filesystem work on a LookupPaths (with its
 * optional root directory); nothing is logged, every change and problem
 * is returned in an InstallChanges list for the caller to print.
 *
 * enable NAME (NAME a unit name; an instance foo@bar.service of a template
 * installs the template's [Install] rules for that instance):
 *   - the unit is looked up as the manager would (unit_file_find: aliases,
 *     templates, masking) and its fragment and drop-ins parsed for the
 *     [Install] keys (specifiers expanded);
 *   - a masked unit is refused (-ERFKILL), a generated or transient one
 *     too (-EADDRNOTAVAIL); a template without an instance
 *     uses DefaultInstance= for its WantedBy=/RequiredBy=/UpheldBy= links;
 *     with neither, a target name must itself be a template or instance
 *     (else -EIDRM for that target);
 *   - CONFIG/ALIAS -> FRAGMENT for each Alias= (same type; for a template
 *     alias of an instance the instance is carried over),
 *     CONFIG/T.wants/N, T.requires/N, T.upholds/N -> FRAGMENT for each
 *     WantedBy=, RequiredBy=, UpheldBy= target T (N = the unit's name, or
 *     its DefaultInstance= name), and the same for every Also= unit;
 *   - the link's text is the fragment's path without the root directory;
 *     an existing link with the same text is kept silently; another
 *     symlink is replaced (-EEXIST without force for Alias=); a regular
 *     file there is -EEXIST;
 *   - a target that does not exist is reported (DESTINATION_NOT_PRESENT).
 *
 * disable NAME: every symlink below CONFIG whose name is NAME (or an
 * instance of NAME if NAME is a template, or a name of an Also= unit), or
 * which resolves to such a name or to a symlink removed before, is
 * removed; emptied directories are removed too.  A NAME without a unit
 * file is recorded as -ENOENT (its leftover links still go) and returned
 * as the result, which systemctl reports without failing.
 *
 * mask NAME: CONFIG/NAME -> /dev/null.  unmask NAME: remove that link if it
 * points to /dev/null.
 *
 * CONFIG is the persistent configuration directory: /etc/systemd/system
 * (system) or $XDG_CONFIG_HOME/systemd/user (user), below the root; with
 * runtime it is /run/systemd/system or $XDG_RUNTIME_DIR/systemd/user.
 * porter's one difference: when the search path does not contain the
 * persistent directory (porterd --unit-path DIR, $PORTER_UNIT_PATH), the
 * first search directory is CONFIG, so that the manager sees the links. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "unit-path.h"

typedef enum UnitFileState {
        UNIT_FILE_ENABLED,
        UNIT_FILE_ENABLED_RUNTIME,
        UNIT_FILE_LINKED,
        UNIT_FILE_LINKED_RUNTIME,
        UNIT_FILE_ALIAS,
        UNIT_FILE_MASKED,
        UNIT_FILE_MASKED_RUNTIME,
        UNIT_FILE_STATIC,
        UNIT_FILE_DISABLED,
        UNIT_FILE_INDIRECT,
        UNIT_FILE_GENERATED,
        UNIT_FILE_TRANSIENT,
        UNIT_FILE_BAD,
        _UNIT_FILE_STATE_MAX,
        _UNIT_FILE_STATE_INVALID = -EINVAL,
} UnitFileState;

/* "enabled", "enabled-runtime", "linked", "linked-runtime", "alias",
 * "masked", "masked-runtime", "static", "disabled", "indirect",
 * "generated", "transient", "bad". */
const char *unit_file_state_to_string(UnitFileState s) _const_;
/* Whether systemctl is-enabled counts s as enabled (exit 0): enabled,
 * enabled-runtime, static, alias, indirect, generated. */
bool unit_file_state_is_enabled(UnitFileState s) _const_;

typedef enum InstallChangeType {
        INSTALL_CHANGE_SYMLINK,                  /* path -> source created */
        INSTALL_CHANGE_UNLINK,                   /* path removed */
        INSTALL_CHANGE_IS_MASKED,                /* path (a unit) is masked, ignored */
        INSTALL_CHANGE_DESTINATION_NOT_PRESENT,  /* source added to path, which does not exist */
        INSTALL_CHANGE_NO_INSTALL_INFO,          /* path has no [Install] rules */
        _INSTALL_CHANGE_TYPE_MAX,
} InstallChangeType;

/* type is an InstallChangeType, or a negative errno for a failure about
 * path (source: what the existing link points to, or a related name). */
typedef struct InstallChange {
        int type;
        char *path;
        char *source;
} InstallChange;

typedef struct InstallChanges {
        InstallChange *changes;
        size_t n;
} InstallChanges;

void install_changes_done(InstallChanges *c);
/* Append a change (path and source copied; source may be NULL).  Returns
 * type when it is negative (so that callers can return it), else 0, or
 * -ENOMEM. */
int install_changes_add(InstallChanges *c, int type, const char *path, const char *source);
/* True if c holds a failure (a negative type). */
bool install_changes_have_error(const InstallChanges *c) _pure_;

/* Where enable and friends write. */
typedef struct InstallPaths {
        const LookupPaths *lookup;  /* not owned */
        char *config;               /* persistent configuration directory, root included */
        char *runtime_config;       /* runtime configuration directory, root included */
        bool runtime;               /* write to runtime_config instead (--runtime) */
} InstallPaths;

/* Fill ip for lp (user or system scope, lp->root_dir).  0 or -errno. */
int install_paths_init(InstallPaths *ip, const LookupPaths *lp, bool runtime);
void install_paths_done(InstallPaths *ip);

/* The enablement state of unit name, as systemctl is-enabled reports it.
 * 0, -EINVAL for an invalid name, -ENOENT if there is no such unit file,
 * other -errno. */
int unit_file_get_state(const InstallPaths *ip, const char *name, UnitFileState *ret);

/* enable/disable/mask/unmask the units names (see above), recording every
 * change.  Return 0, or the first failure (also recorded); -ENOMEM stops
 * at once.  force: replace existing conflicting symlinks (enable, mask). */
int unit_file_enable(const InstallPaths *ip, char * const *names, bool force, InstallChanges *changes);
int unit_file_disable(const InstallPaths *ip, char * const *names, InstallChanges *changes);
int unit_file_mask(const InstallPaths *ip, char * const *names, bool force, InstallChanges *changes);
int unit_file_unmask(const InstallPaths *ip, char * const *names, InstallChanges *changes);
