/* SPDX-License-Identifier: MIT */
#pragma once

/* Specifier expansion in unit settings (spec §1.6), following systemd's
 * specifier.c and unit-printf.c.
 *
 * Grammar of the text:
 *
 *   text       = *( literal / "%%" / specifier / "%" other )
 *   specifier  = "%" ALNUM              one of the letters below
 *
 * "%%" gives '%'.  '%' followed by a letter or digit that is not a known
 * specifier is an error (-EBADSLT).  As in systemd, '%' followed by any
 * other character is kept literally ("%!" stays "%!") and a '%' at the very
 * end of the text is kept too.  A specifier whose value is empty expands to
 * nothing.
 *
 * Known specifiers, system manager / user manager:
 *   %n %N         unit name / without the type suffix
 *   %p %P         prefix / unescaped             %i %I instance / unescaped
 *   %j %J         prefix after its last '-' / unescaped
 *   %f            "/" + unescaped instance (or prefix) as a path
 *   %t            /run        / $XDG_RUNTIME_DIR (-ENXIO when unset)
 *   %S            /var/lib    / $XDG_STATE_HOME or ~/.local/state
 *   %C            /var/cache  / $XDG_CACHE_HOME or ~/.cache
 *   %L            /var/log    / $XDG_STATE_HOME/log or ~/.local/state/log
 *   %E            /etc        / $XDG_CONFIG_HOME or ~/.config
 *   %D            /usr/share  / $XDG_DATA_HOME or ~/.local/share
 *   %d            credentials directory: %t/credentials/%n (what the
 *                 service sees as $CREDENTIALS_DIRECTORY)
 *   %h %s         home / shell of the manager's user ($HOME, $SHELL first;
 *                 root: /root, /bin/sh)
 *   %u %U %g %G   user name / uid / group name / gid of the manager: the
 *                 process's real ids (systemd's system manager is always
 *                 root; porterd may not be).  A user manager's %u prefers
 *                 $USER, as systemd does.
 *   %H %l %q      host name ("localhost" if unset) / up to the first '.' /
 *                 PRETTY_HOSTNAME of /etc/machine-info, else %l
 *   %m %b         machine id (/etc/machine-id) / boot id, 32 hex digits
 *   %v %a         kernel release / architecture (systemd's names: x86-64)
 *   %o %w %W %B %M %A   os-release ID VERSION_ID VARIANT_ID BUILD_ID
 *                 IMAGE_ID IMAGE_VERSION (empty when not set)
 *   %T %V         $TMPDIR (or $TEMP, $TMP) else /tmp / ... else /var/tmp
 *   %y %Y         real path of the fragment file / its directory
 *                 (-ENOENT without a fragment)
 *   %c %r %R      systemd's deprecated cgroup specifiers: -EOPNOTSUPP, since
 *                 porter puts services in no cgroup of its own
 *
 * %a maps uname's machine to systemd's names (x86_64 -> x86-64, aarch64 ->
 * arm64, ...); a machine missing from the table is given as uname says.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Host facts read on first use and kept for the context's lifetime. */
typedef struct SpecifierHostCache SpecifierHostCache;

typedef struct SpecifierContext {
        const char *unit_name;     /* foo@bar.socket; required for %n %N %p %P %i %I %j %J %f %d */
        const char *fragment_path; /* %y %Y; may be NULL */
        bool user;                 /* per-user manager: %t is $XDG_RUNTIME_DIR etc. */
        /* Where /etc/machine-id, /etc/os-release, /etc/machine-info are read
         * from; NULL means "/".  Lets tests use a fake tree. */
        const char *host_root;

        /* The manager's identity (%u %U %g %G %h %s), filled by
         * specifier_context_init_manager(); owned by the context. */
        uid_t uid;
        gid_t gid;
        char *user_name;
        char *group_name;
        char *home;
        char *shell;

        /* Owned; allocated by specifier_context_init_manager(), filled
         * lazily.  NULL means "read on every use" (still correct). */
        SpecifierHostCache *host_cache;
} SpecifierContext;

/* Fill the manager identity from getuid()/getgid(), $HOME, $SHELL and the
 * user database, set ctx->user, and allocate the host cache.  unit_name,
 * fragment_path and host_root are left as they are.  0 or -errno. */
int specifier_context_init_manager(SpecifierContext *ctx, bool user);
/* Free what the context owns; the borrowed strings stay.  NULL-safe. */
void specifier_context_done(SpecifierContext *ctx);

/* The value of one specifier character ('n', 't', ...) in ctx.
 * -EBADSLT for an unknown specifier, other -errno when it cannot be
 * determined (-ENXIO %t without $XDG_RUNTIME_DIR, -ENOENT %y without a
 * fragment, -EINVAL a unit-name specifier without a valid unit name). */
int specifier_lookup(char specifier, const SpecifierContext *ctx, char **ret);

/* Expand every specifier of text; see the grammar above.  -EBADSLT for an
 * unknown specifier, -ENAMETOOLONG if the result would exceed max_length
 * bytes, or the error of a failing specifier. */
int specifier_expand_full(const char *text, size_t max_length, const SpecifierContext *ctx,
                          char **ret);
/* Same with max_length = 1 MiB (LONG_LINE_MAX, a unit-file line). */
int specifier_expand(const char *text, const SpecifierContext *ctx, char **ret);

/* True if c is a specifier character this module knows. */
bool specifier_is_known(char c);
