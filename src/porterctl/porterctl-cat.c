/* SPDX-License-Identifier: MIT */
/* porterctl cat UNIT...: the unit's fragment and drop-ins, each after a
 * "# /path/to/file" line, as systemctl cat prints them:
 *
 *   # /etc/systemd/system/foo.socket
 *   [Socket]
 *   ...
 *
 *   # /etc/systemd/system/foo.socket.d/override.conf
 *   ...
 *
 * Units are separated by an empty line.  The files are those porterd
 * loaded (Unit FragmentPath/DropInPaths) when it has the unit, else those
 * a lookup in porterd's search path (Manager.UnitPath) finds, else -- when
 * porterd is not running, or with --root=DIR -- the default search path.
 * A masked unit prints "# Unit foo.service is masked."; a unit with no
 * files gets "No files found for foo.service." on stderr and exit 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-output.h"
#include "porterctl-verbs.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-path.h"

static const char *ansi_blue(void) {
        return porterctl_colors() ? "\x1b[0;1;34m" : "";
}

static const char *ansi_normal(void) {
        return porterctl_colors() ? "\x1b[0m" : "";
}

static int cat_file(const char *path, bool newline) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char buf[8192];
        ssize_t n;

        if (fd < 0)
                return log_warning_errno(errno, "Failed to cat %s: %m", path);
        printf("%s%s# %s%s\n", newline ? "\n" : "", ansi_blue(), path, ansi_normal());
        fflush(stdout);
        while ((n = read(fd, buf, sizeof buf)) > 0)
                if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
                        return -EIO;
        fflush(stdout);
        return n < 0 ? log_warning_errno(errno, "Failed to cat %s: %m", path) : 0;
}

/* The files porterd loaded for id.  1 if porterd has the unit (*masked
 * set for a masked one), 0 if not, -errno. */
static int files_from_daemon(sd_bus *bus, const char *id, char **ret_fragment, char ***ret_dropins, bool *masked) {
        _cleanup_free_ char *path = porterctl_unit_path(id), *load = NULL, *fragment = NULL;
        char **dropins = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "LoadState", &load);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (streq(load, "not-found"))
                return 0;
        *masked = streq(load, "masked");
        r = porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "FragmentPath", &fragment);
        if (r >= 0)
                r = sd_bus_get_property_strv(bus, "org.freedesktop.systemd1", path, PORTER_BUS_UNIT_IFACE,
                                             "DropInPaths", NULL, &dropins);
        if (r < 0)
                return r;
        *ret_fragment = isempty(fragment) ? NULL : TAKE_PTR(fragment);
        *ret_dropins = dropins;
        return 1;
}

/* The same found client-side in lp. */
static int files_from_lookup(const LookupPaths *lp, const char *id, char **ret_fragment, char ***ret_dropins,
                             bool *masked) {
        UnitFileInfo info = {};
        int r = unit_file_find(lp, id, &info);

        if (r < 0 && r != -ENOENT)
                return r;
        *masked = info.masked;
        *ret_fragment = TAKE_PTR(info.fragment_path);
        *ret_dropins = TAKE_PTR(info.dropin_paths);
        unit_file_info_done(&info);
        return 0;
}

int verb_cat(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        LookupPaths lp = {};
        sd_bus *bus = NULL;
        bool first = true, failed = false;
        int r;

        if (porterctl_lookup_paths(args, &lp) < 0)
                return 1;
        if (!args->root)
                (void) porterctl_connect_quiet(args, &bus);
        porterctl_pager_open(args);
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *id = NULL, *fragment = NULL;
                _cleanup_strv_free_ char **dropins = NULL;
                bool masked = false;

                if (porterctl_mangle(argv[i], &id) < 0) {
                        failed = true;
                        continue;
                }
                r = bus ? files_from_daemon(bus, id, &fragment, &dropins, &masked) : 0;
                if (r == 0)
                        r = files_from_lookup(&lp, id, &fragment, &dropins, &masked);
                if (r < 0) {
                        log_error_errno(r, "Failed to look up %s: %m", id);
                        failed = true;
                        continue;
                }
                if (masked) {
                        printf("%s# Unit %s is masked.%s\n", porterctl_colors() ? "\x1b[0;1;35m" : "", id,
                               ansi_normal());
                        continue;
                }
                if (!fragment && strv_isempty(dropins)) {
                        fflush(stdout);
                        fprintf(stderr, "No files found for %s.\n", id);
                        failed = true;
                        continue;
                }
                if (!first)
                        putchar('\n');
                first = false;
                if (fragment && cat_file(fragment, false) < 0)
                        failed = true;
                STRV_FOREACH(d, dropins)
                        if (cat_file(*d, fragment || d != dropins) < 0)
                                failed = true;
        }
        sd_bus_flush_close_unref(bus);
        lookup_paths_done(&lp);
        return failed ? 1 : 0;
}
