/* SPDX-License-Identifier: MIT */
/* porterctl show [-p PROP]... UNIT...: the unit's properties as KEY=VALUE
 * lines, as systemctl show prints them: strings as is, numbers in decimal,
 * string arrays joined by spaces, Listen= pairs as "Type:address".  Units
 * are separated by an empty line.  With -o json: an array with one object
 * per unit, numbers as numbers, arrays as arrays (Listen= pairs as
 * [type, address], Ports as [type, address, protocol]).  A unit without a
 * file shows as LoadState=not-found and exit 0, as systemctl; 1 on a bad
 * name. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "json-writer.h"
#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-output.h"
#include "porterctl-verbs.h"
#include "string-util.h"
#include "strv.h"

/* Print one property value (the message is inside its variant). */
static int print_value(sd_bus_message *m, const char *key, const char *contents) {
        const char *s;
        uint32_t u;
        int r;

        if (streq(contents, "s")) {
                r = sd_bus_message_read(m, "s", &s);
                if (r >= 0)
                        fputs(s, stdout);
                return r;
        }
        if (streq(contents, "u")) {
                r = sd_bus_message_read(m, "u", &u);
                if (r >= 0)
                        printf("%u", u);
                return r;
        }
        if (streq(contents, "b")) {
                int b;
                r = sd_bus_message_read(m, "b", &b);
                if (r >= 0)
                        fputs(b ? "yes" : "no", stdout); /* as systemctl show */
                return r;
        }
        if (streq(contents, "t")) {
                /* Timestamps, as systemctl show prints them ("" for never). */
                uint64_t t;
                char buf[64];
                r = sd_bus_message_read(m, "t", &t);
                /* *TimestampMonotonic= are plain microseconds. */
                if (r >= 0 && endswith(key, "Monotonic"))
                        printf("%" PRIu64, t);
                else if (r >= 0)
                        fputs(porterctl_format_timestamp(t, buf, sizeof buf), stdout);
                return r;
        }
        if (streq(contents, "as")) {
                bool first = true;
                r = sd_bus_message_enter_container(m, 'a', "s");
                while (r >= 0 && (r = sd_bus_message_read(m, "s", &s)) > 0) {
                        printf("%s%s", first ? "" : " ", s);
                        first = false;
                }
                return r < 0 ? r : sd_bus_message_exit_container(m);
        }
        if (streq(contents, "a(ss)") || streq(contents, "a(sss)")) {
                bool three = streq(contents, "a(sss)"), first = true;
                const char *a, *b, *c = NULL;
                r = sd_bus_message_enter_container(m, 'a', three ? "(sss)" : "(ss)");
                while (r >= 0 && (r = three ? sd_bus_message_read(m, "(sss)", &a, &b, &c)
                                            : sd_bus_message_read(m, "(ss)", &a, &b)) > 0) {
                        printf("%s%s:%s%s%s", first ? "" : " ", a, b, c ? "," : "", strempty(c));
                        first = false;
                }
                return r < 0 ? r : sd_bus_message_exit_container(m);
        }
        /* Anything else (LogLines) is not a one-line value: skipped. */
        return sd_bus_message_skip(m, contents);
}

/* The same values as JSON. */
static int json_value(JsonWriter *j, sd_bus_message *m, const char *contents) {
        const char *s, *a, *b, *c;
        uint32_t u;
        int r;

        if (streq(contents, "s")) {
                r = sd_bus_message_read(m, "s", &s);
                if (r >= 0)
                        json_string(j, s);
                return r;
        }
        if (streq(contents, "u")) {
                r = sd_bus_message_read(m, "u", &u);
                if (r >= 0)
                        json_uint(j, u);
                return r;
        }
        if (streq(contents, "b")) {
                int v;
                r = sd_bus_message_read(m, "b", &v);
                if (r >= 0)
                        json_bool(j, v);
                return r;
        }
        if (streq(contents, "t")) {
                uint64_t t;
                r = sd_bus_message_read(m, "t", &t);
                if (r >= 0)
                        json_uint(j, t);
                return r;
        }
        bool three = streq(contents, "a(sss)");
        json_begin_array(j);
        if (streq(contents, "as")) {
                r = sd_bus_message_enter_container(m, 'a', "s");
                while (r >= 0 && (r = sd_bus_message_read(m, "s", &s)) > 0)
                        json_string(j, s);
        } else {
                r = sd_bus_message_enter_container(m, 'a', three ? "(sss)" : "(ss)");
                while (r >= 0 && (r = three ? sd_bus_message_read(m, "(sss)", &a, &b, &c)
                                            : sd_bus_message_read(m, "(ss)", &a, &b)) > 0) {
                        json_begin_array(j);
                        json_string(j, a);
                        json_string(j, b);
                        if (three)
                                json_string(j, c);
                        json_end_array(j);
                }
        }
        json_end_array(j);
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static bool value_printable(const char *contents) {
        return streq(contents, "s") || streq(contents, "u") || streq(contents, "t") || streq(contents, "b") ||
               streq(contents, "as") ||
               streq(contents, "a(ss)") || streq(contents, "a(sss)");
}

static int show_interface(sd_bus *bus, const char *path, const char *iface, char * const *props, JsonWriter *j) {
        sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", path, "org.freedesktop.DBus.Properties", "GetAll",
                               &e, &reply, "s", iface);
        sd_bus_error_free(&e);
        if (r < 0)
                return 0; /* the unit does not have this interface */
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key, *contents;
                char type;
                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, &type, &contents);
                bool wanted = !props || strv_contains(props, key);
                bool printable = r >= 0 && (j ? value_printable(contents) : !streq(contents, "a(tis)"));
                if (r >= 0)
                        r = sd_bus_message_enter_container(reply, 'v', contents);
                if (r >= 0 && wanted && printable && j) {
                        json_key(j, key);
                        r = json_value(j, reply, contents);
                } else if (r >= 0 && wanted && printable) {
                        printf("%s=", key);
                        r = print_value(reply, key, contents);
                        putchar('\n');
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, contents);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        sd_bus_message_unref(reply);
        return r;
}

/* A unit with no file: what systemctl show prints for it (exit 0). */
static void show_not_found(const char *id, char * const *props, JsonWriter *j) {
        const char *const pairs[][2] = {
                { "Id", id }, { "Names", id }, { "LoadState", "not-found" },
                { "ActiveState", "inactive" }, { "SubState", "dead" },
        };

        for (size_t k = 0; k < ELEMENTSOF(pairs); k++) {
                if (props && !strv_contains(props, pairs[k][0]))
                        continue;
                if (j) {
                        json_key(j, pairs[k][0]);
                        json_string(j, pairs[k][1]);
                } else
                        printf("%s=%s\n", pairs[k][0], pairs[k][1]);
        }
}

int verb_show(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        static const char * const ifaces[] = {
                PORTER_BUS_UNIT_IFACE, PORTER_BUS_SOCKET_IFACE, PORTER_BUS_SERVICE_IFACE,
                PORTER_BUS_PORTER_IFACE, "io.porter.Socket1",
        };
        bool json = args->output == OUTPUT_JSON;
        sd_bus *bus = NULL;
        JsonWriter j;
        int ret = 0;

        if (porterctl_connect(args, &bus) < 0)
                return 1;
        porterctl_pager_open(args);
        if (json) {
                json_writer_init(&j, stdout);
                json_begin_array(&j);
        }
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *id = NULL, *state = NULL, *path = NULL;
                if (porterctl_mangle(argv[i], &id) < 0) {
                        ret = 1;
                        continue;
                }
                /* Not loaded yet: load it, as systemctl's GetUnit/LoadUnit
                 * does; a name without a file shows as not-found. */
                if (porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "Id", &state) < 0 &&
                    (porterctl_load_unit(bus, id) < 0 ||
                     porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "Id", &state) < 0)) {
                        if (i > 1 && !json)
                                putchar('\n');
                        if (json)
                                json_begin_object(&j);
                        show_not_found(id, args->properties, json ? &j : NULL);
                        if (json)
                                json_end_object(&j);
                        continue;
                }
                path = porterctl_unit_path(id);
                if (!path)
                        return log_oom(), 1;
                if (i > 1 && !json)
                        putchar('\n');
                if (json)
                        json_begin_object(&j);
                for (size_t k = 0; k < ELEMENTSOF(ifaces); k++)
                        if (show_interface(bus, path, ifaces[k], args->properties, json ? &j : NULL) < 0)
                                ret = 1;
                if (json)
                        json_end_object(&j);
        }
        if (json) {
                json_end_array(&j);
                if (json_writer_finish(&j) < 0)
                        ret = 1;
                putchar('\n');
        }
        sd_bus_flush_close_unref(bus);
        return ret;
}
