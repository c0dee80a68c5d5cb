/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc-util.h"
#include "log.h"
#include "porterctl-bus.h"
#include "string-util.h"
#include "strv.h"
#include "unit-name.h"
#include "unit-path.h"

static int control_address(const PorterctlArgs *args, char **ret) {
        if (args->user) {
                const char *rt = getenv("XDG_RUNTIME_DIR");
                if (!rt)
                        return -ENXIO;
                *ret = strjoin("unix:path=", rt, "/porter/private");
        } else
                *ret = strdup("unix:path=/run/porter/private");
        return *ret ? 0 : -ENOMEM;
}

static int connect_address(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int porterctl_connect(const PorterctlArgs *args, sd_bus **ret) {
        _cleanup_free_ char *address = NULL;
        int r = control_address(args, &address);

        if (r == -ENXIO)
                return log_error_errno(r, "$XDG_RUNTIME_DIR is not set.");
        if (r < 0)
                return log_oom();
        r = connect_address(address, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to porterd at %s: %m", address + strlen("unix:path="));
        return 0;
}

int porterctl_connect_quiet(const PorterctlArgs *args, sd_bus **ret) {
        _cleanup_free_ char *address = NULL;
        int r = control_address(args, &address);

        return r < 0 ? r : connect_address(address, ret);
}

int porterctl_lookup_paths(const PorterctlArgs *args, LookupPaths *ret) {
        sd_bus *bus = NULL;
        char **search = NULL;
        int r;

        *ret = (LookupPaths) {};
        if (!args->root && porterctl_connect_quiet(args, &bus) >= 0) {
                r = sd_bus_get_property_strv(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                             PORTER_BUS_MANAGER_IFACE, "UnitPath", NULL, &search);
                sd_bus_flush_close_unref(bus);
                if (r >= 0 && search) {
                        ret->search_path = search;
                        ret->user = args->user;
                        return 0;
                }
        }
        r = lookup_paths_init(ret, args->user, args->root);
        if (r < 0)
                return log_error_errno(r, "Failed to determine the unit search path: %m");
        return 0;
}

int porterctl_mangle(const char *name, char **ret) {
        int r = unit_name_mangle(name, ".service", ret);
        if (r < 0)
                return log_error_errno(r, "Invalid unit name '%s'.", name);
        return 0;
}

int porterctl_load_unit(sd_bus *bus, const char *id) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                                   "LoadUnit", &e, NULL, "s", id);
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

char *porterctl_unit_path(const char *id) {
        char *p = NULL;
        if (sd_bus_path_encode(PORTER_BUS_MANAGER_PATH "/unit", id, &p) < 0)
                return NULL;
        return p;
}

static int map_error(const sd_bus_error *e, int r) {
        if (sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_OBJECT) ||
            sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_INTERFACE) ||
            sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                return -ENOENT;
        return r;
}

int porterctl_unit_string(sd_bus *bus, const char *id, const char *iface, const char *prop, char **ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        if (!path)
                return -ENOMEM;
        int r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, iface, prop, &e, ret);
        if (r < 0)
                r = map_error(&e, r);
        sd_bus_error_free(&e);
        return r;
}

int porterctl_unit_u32(sd_bus *bus, const char *id, const char *iface, const char *prop, uint32_t *ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        if (!path)
                return -ENOMEM;
        int r = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, prop, &e, 'u', ret);
        if (r < 0)
                r = map_error(&e, r);
        sd_bus_error_free(&e);
        return r;
}

int porterctl_print_log(sd_bus *bus, const char *id, unsigned n) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        int r;

        if (!path)
                return -ENOMEM;
        r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_PORTER_IFACE, "LogLines",
                                &e, &reply, "a(tis)");
        sd_bus_error_free(&e);
        if (r < 0)
                return r;

        /* Format everything, then print only the last n lines. */
        _cleanup_strv_free_ char **lines = NULL;
        uint64_t ts;
        int level;
        const char *text;
        r = sd_bus_message_enter_container(reply, 'a', "(tis)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(tis)", &ts, &level, &text)) > 0) {
                time_t t = (time_t) (ts / 1000000);
                struct tm tm;
                char when[32], *line = NULL;
                strftime(when, sizeof when, "%b %d %H:%M:%S", localtime_r(&t, &tm));
                if (asprintf(&line, "%s %s: %s", when, id, text) < 0 || strv_consume(&lines, line) < 0)
                        r = -ENOMEM;
        }
        size_t total = strv_length(lines);
        for (size_t i = total > n ? total - n : 0; i < total; i++)
                puts(lines[i]);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}
