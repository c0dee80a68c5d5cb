/* SPDX-License-Identifier: MIT */
/* porterctl is-enabled|enable|disable|reenable|mask|unmask UNIT...
 *
 * The [Install] logic is src/shared/unit-install.c, run client-side on the
 * search path porterd uses (porterctl_lookup_paths()) or, with --root=DIR,
 * on the tree below DIR without talking to porterd, as systemctl does.
 * Changes are printed on stderr in systemctl's words:
 *   Created symlink /etc/systemd/system/sockets.target.wants/foo.socket → /usr/lib/systemd/system/foo.socket.
 *   Removed "/etc/systemd/system/sockets.target.wants/foo.socket".
 * After a change porterd is asked to reload (unless --no-reload or
 * --root); --now starts (enable) or stops (disable) the units too.
 *
 * is-enabled prints one state per unit (enabled, enabled-runtime, linked,
 * linked-runtime, alias, masked, masked-runtime, static, disabled,
 * indirect, generated, transient) and exits 0 if one of them counts as
 * enabled (enabled*, static, alias, indirect, generated), else 1; an
 * unknown unit is an error (exit 1), as systemctl 252 does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-verbs.h"
#include "string-util.h"
#include "strv.h"
#include "unit-install.h"
#include "unit-name.h"
#include "unit-path.h"

/* Change messages go to stderr without porterctl's log prefix, word for
 * word as systemctl prints them. */
_printf_(1, 2) static void report(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static void print_change_error(const InstallChange *c, const char *verb) {
        switch (c->type) {
        case -EEXIST:
                if (c->source)
                        report("Failed to %s unit, file %s already exists and is a symlink to %s.", verb,
                                  c->path, c->source);
                else
                        report("Failed to %s unit, file %s already exists.", verb, c->path);
                break;
        case -ERFKILL:
                report("Failed to %s unit, unit %s is masked.", verb, c->path);
                break;
        case -EADDRNOTAVAIL:
                report("Failed to %s unit, unit %s is transient or generated.", verb, c->path);
                break;
        case -ENOENT:
                report("Failed to %s unit, unit %s does not exist.", verb, c->path);
                break;
        case -EUCLEAN:
                report("Failed to %s unit, \"%s\" is not a valid unit name.", verb, c->path);
                break;
        case -EIDRM:
                report("Failed to %s %s, destination unit %s is a non-template unit.", verb, strna(c->source),
                          c->path);
                break;
        case -EXDEV:
                report("Failed to %s unit, invalid alias \"%s\" of %s.", verb, c->path, strna(c->source));
                break;
        default:
                report("Failed to %s unit, file %s: %s.", verb, c->path, strerror(-c->type));
        }
}

static void print_no_install_info(void) {
        report("The unit files have no installation config (WantedBy=, RequiredBy=, UpheldBy=,\n"
                 "Also=, or Alias= settings in the [Install] section, and DefaultInstance= for\n"
                 "template units). This means they are not meant to be enabled or disabled using porterctl.\n"
                 " \n"
                 "Possible reasons for having these kinds of units are:\n"
                 "\u2022 A unit may be statically enabled by being symlinked from another unit's\n"
                 "  .wants/, .requires/, or .upholds/ directory.\n"
                 "\u2022 A unit's purpose may be to act as a helper for some other unit which has\n"
                 "  a requirement dependency on it.\n"
                 "\u2022 A unit may be started when needed via activation (socket, path, timer,\n"
                 "  D-Bus, udev, scripted porterctl call, ...).\n"
                 "\u2022 In case of template units, the unit is meant to be enabled with some\n"
                 "  instance name specified.");
}

/* systemd's install_changes_dump(): returns the number of failures (the
 * operation's result says whether they are fatal). */
static unsigned print_changes(const InstallChanges *changes, const char *verb, bool quiet) {
        bool no_install_info = false;
        unsigned errors = 0;

        for (size_t i = 0; i < changes->n; i++) {
                const InstallChange *c = &changes->changes[i];
                switch (c->type) {
                case INSTALL_CHANGE_SYMLINK:
                        if (!quiet)
                                report("Created symlink %s \u2192 %s.", c->path, c->source);
                        break;
                case INSTALL_CHANGE_UNLINK:
                        if (!quiet)
                                report("Removed \"%s\".", c->path);
                        break;
                case INSTALL_CHANGE_IS_MASKED:
                        if (!quiet)
                                report("Unit %s is masked, ignoring.", c->path);
                        break;
                case INSTALL_CHANGE_DESTINATION_NOT_PRESENT:
                        if (!quiet)
                                report("Unit %s is added as a dependency to a non-existent unit %s.",
                                            c->source, c->path);
                        break;
                case INSTALL_CHANGE_NO_INSTALL_INFO:
                        no_install_info = true;
                        break;
                default:
                        print_change_error(c, verb);
                        errors++;
                }
        }
        if (no_install_info && !quiet)
                print_no_install_info();
        return errors;
}

/* argv[1..] as unit names ("foo" -> "foo.service"). */
static int mangle_names(int argc, char *argv[], char ***ret) {
        _cleanup_strv_free_ char **names = NULL;

        for (int i = 1; i < argc; i++) {
                char *n = NULL;
                if (porterctl_mangle(argv[i], &n) < 0)
                        return -EINVAL;
                if (strv_consume(&names, n) < 0)
                        return log_oom();
        }
        *ret = TAKE_PTR(names);
        return 0;
}

typedef int (*InstallOp)(const InstallPaths *ip, char * const *names, bool force, InstallChanges *changes);

static int op_enable(const InstallPaths *ip, char * const *names, bool force, InstallChanges *c) {
        return unit_file_enable(ip, names, force, c);
}

static int op_disable(const InstallPaths *ip, char * const *names, bool force, InstallChanges *c) {
        return unit_file_disable(ip, names, c);
}

static int op_mask(const InstallPaths *ip, char * const *names, bool force, InstallChanges *c) {
        return unit_file_mask(ip, names, force, c);
}

static int op_unmask(const InstallPaths *ip, char * const *names, bool force, InstallChanges *c) {
        return unit_file_unmask(ip, names, c);
}

/* Ask porterd to reload, if it runs and we are not working on --root. */
static void maybe_reload(const PorterctlArgs *args, bool changed) {
        sd_bus *bus = NULL;

        if (!changed || args->root || args->no_reload || porterctl_connect_quiet(args, &bus) < 0)
                return;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                   PORTER_BUS_MANAGER_IFACE, "Reload", &e, NULL, "");
        if (r < 0)
                log_warning("Failed to reload porterd: %s", e.message ?: strerror(-r));
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
}

static int run_install(int argc, char *argv[], const PorterctlArgs *args, InstallOp op, const char *verb) {
        _cleanup_strv_free_ char **names = NULL;
        InstallChanges changes = {};
        InstallPaths ip = {};
        LookupPaths lp = {};
        bool changed = false;
        int r;

        r = mangle_names(argc, argv, &names);
        if (r < 0)
                return 1;
        r = porterctl_lookup_paths(args, &lp);
        if (r >= 0) {
                r = install_paths_init(&ip, &lp, args->runtime);
                if (r < 0)
                        log_error_errno(r, "Failed to determine the configuration directory: %m");
        }
        if (r >= 0) {
                r = op(&ip, names, args->force, &changes);
                if (r == -ENOMEM)
                        log_oom();
                (void) print_changes(&changes, verb, args->quiet);
                for (size_t i = 0; i < changes.n; i++)
                        changed = changed || changes.changes[i].type == INSTALL_CHANGE_SYMLINK ||
                                  changes.changes[i].type == INSTALL_CHANGE_UNLINK;
        }
        install_changes_done(&changes);
        install_paths_done(&ip);
        lookup_paths_done(&lp);
        /* systemctl disable: a unit that does not exist is reported, not
         * fatal (its leftover links are removed all the same). */
        if (r == -ENOENT && op == op_disable)
                r = 0;
        if (r < 0)
                return 1;
        maybe_reload(args, changed);
        return 0;
}

int verb_enable(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        int r = run_install(argc, argv, args, op_enable, "enable");

        if (r == 0 && args->now && !args->root)
                return verb_start(argc, argv, userdata);
        return r;
}

int verb_disable(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        int r = run_install(argc, argv, args, op_disable, "disable");

        if (r == 0 && args->now && !args->root)
                return verb_stop(argc, argv, userdata);
        return r;
}

int verb_reenable(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        PorterctlArgs quiet_reload = *args;
        int r;

        /* One reload at the end, as systemctl reenable does. */
        quiet_reload.no_reload = true;
        r = run_install(argc, argv, &quiet_reload, op_disable, "disable");
        if (r == 0)
                r = run_install(argc, argv, args, op_enable, "enable");
        if (r == 0 && args->now && !args->root)
                return verb_restart(argc, argv, userdata);
        return r;
}

int verb_mask(int argc, char *argv[], void *userdata) {
        return run_install(argc, argv, userdata, op_mask, "mask");
}

int verb_unmask(int argc, char *argv[], void *userdata) {
        return run_install(argc, argv, userdata, op_unmask, "unmask");
}

int verb_is_enabled(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        _cleanup_strv_free_ char **names = NULL;
        InstallPaths ip = {};
        LookupPaths lp = {};
        bool enabled = false;
        int r;

        if (mangle_names(argc, argv, &names) < 0)
                return 1;
        r = porterctl_lookup_paths(args, &lp);
        if (r >= 0 && (r = install_paths_init(&ip, &lp, args->runtime)) < 0)
                log_error_errno(r, "Failed to determine the configuration directory: %m");
        STRV_FOREACH(n, names) {
                UnitFileState state;
                if (r < 0)
                        break;
                r = unit_file_get_state(&ip, *n, &state);
                if (r < 0) {
                        report("Failed to get unit file state for %s: %s", *n, strerror(-r));
                        break;
                }
                if (!args->quiet)
                        puts(unit_file_state_to_string(state));
                enabled = enabled || unit_file_state_is_enabled(state);
        }
        install_paths_done(&ip);
        lookup_paths_done(&lp);
        return r < 0 || !enabled ? 1 : 0;
}
