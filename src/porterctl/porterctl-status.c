/* SPDX-License-Identifier: MIT */
/* porterctl status UNIT... and is-active UNIT...
 *
 * status prints systemctl's layout: a state dot and the description, the
 * Loaded/Active lines, what a socket listens on (with the protocol really
 * in use, MPTCP fallback included) and its counters, a service's main PID
 * and STATUS= text, then the unit's last log lines.  Exit status as
 * systemctl's: 0 if all are active, 3 if one is not, 4 if one is unknown.
 *
 * is-active prints each unit's ActiveState ("inactive" for unknown units)
 * and exits 0 if any is active, else 3; is-failed likewise, 0 if any is
 * failed, else 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "json-writer.h"
#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-output.h"
#include "porterctl-verbs.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

/* A unit with no file that is not running: systemctl says it could not be
 * found (porterd keeps such a unit after LoadUnit, load state not-found). */
static bool unit_not_found(sd_bus *bus, const char *id, const char *active) {
        _cleanup_free_ char *load = NULL;

        return porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "LoadState", &load) >= 0 &&
               streq(load, "not-found") && (streq(active, "inactive") || streq(active, "failed"));
}

static void print_socket_part(sd_bus *bus, const char *id) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        const char *type, *addr, *proto;
        uint32_t accepted = 0, connections = 0, refused = 0;

        if (path && sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_PORTER_IFACE, "Ports",
                                        &e, &reply, "a(sss)") >= 0 &&
            sd_bus_message_enter_container(reply, 'a', "(sss)") >= 0) {
                bool first = true;
                while (sd_bus_message_read(reply, "(sss)", &type, &addr, &proto) > 0) {
                        printf("%12s %s (%s, %s)\n", first ? "Listen:" : "", addr, type, proto);
                        first = false;
                }
        }
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);

        (void) porterctl_unit_u32(bus, id, PORTER_BUS_SOCKET_IFACE, "NAccepted", &accepted);
        (void) porterctl_unit_u32(bus, id, PORTER_BUS_SOCKET_IFACE, "NConnections", &connections);
        (void) porterctl_unit_u32(bus, id, PORTER_BUS_SOCKET_IFACE, "NRefused", &refused);
        printf("%12s %u; Connected: %u; Refused: %u\n", "Accepted:", accepted, connections, refused);

        /* MPTCP listeners: how many accepted connections really were MPTCP
         * (Accept=no: how many of those open now, as the kernel lists them). */
        uint32_t mptcp = 0, fallback = 0;
        int accept = 1;
        if (path)
                (void) sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, PORTER_BUS_SOCKET_IFACE,
                                                   "Accept", NULL, 'b', &accept);
        if (porterctl_unit_u32(bus, id, "io.porter.Socket1", "NAcceptedMPTCP", &mptcp) >= 0 &&
            porterctl_unit_u32(bus, id, "io.porter.Socket1", "NAcceptedFallback", &fallback) >= 0 &&
            mptcp + fallback > 0)
                printf("%12s %u; fell back to TCP: %u%s\n", "MPTCP:", mptcp, fallback,
                       accept ? "" : " (connections open now)");
}

static void print_service_part(sd_bus *bus, const char *id) {
        _cleanup_free_ char *status = NULL;
        uint32_t pid = 0, restarts = 0;

        if (porterctl_unit_u32(bus, id, PORTER_BUS_SERVICE_IFACE, "MainPID", &pid) >= 0 && pid > 0)
                printf("%12s %u\n", "Main PID:", pid);
        if (porterctl_unit_u32(bus, id, PORTER_BUS_SERVICE_IFACE, "NRestarts", &restarts) >= 0 && restarts > 0)
                printf("%12s %u\n", "Restarts:", restarts);
        if (porterctl_unit_string(bus, id, PORTER_BUS_SERVICE_IFACE, "StatusText", &status) >= 0 && !isempty(status))
                printf("%12s \"%s\"\n", "Status:", status);
}

static void json_string_prop(JsonWriter *j, sd_bus *bus, const char *id, const char *iface, const char *prop,
                             const char *key) {
        _cleanup_free_ char *v = NULL;
        if (porterctl_unit_string(bus, id, iface, prop, &v) >= 0) {
                json_key(j, key);
                json_string(j, v);
        }
}

static void json_u32_prop(JsonWriter *j, sd_bus *bus, const char *id, const char *iface, const char *prop,
                          const char *key) {
        uint32_t v;
        if (porterctl_unit_u32(bus, id, iface, prop, &v) >= 0) {
                json_key(j, key);
                json_uint(j, v);
        }
}

/* A timestamp of the Unit interface, usec since the epoch (0 = never). */
static void json_u64_prop(JsonWriter *j, sd_bus *bus, const char *id, const char *prop, const char *key) {
        _cleanup_free_ char *path = porterctl_unit_path(id);
        uint64_t v;
        if (path && sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, PORTER_BUS_UNIT_IFACE, prop,
                                                NULL, 't', &v) >= 0) {
                json_key(j, key);
                json_uint(j, v);
        }
}

/* "listen": [{"type", "address", "protocol"}] */
static void json_ports(JsonWriter *j, sd_bus *bus, const char *id) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        const char *type, *addr, *proto;

        json_key(j, "listen");
        json_begin_array(j);
        if (path && sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_PORTER_IFACE, "Ports",
                                        &e, &reply, "a(sss)") >= 0 &&
            sd_bus_message_enter_container(reply, 'a', "(sss)") >= 0)
                while (sd_bus_message_read(reply, "(sss)", &type, &addr, &proto) > 0) {
                        json_begin_object(j);
                        json_key(j, "type"), json_string(j, type);
                        json_key(j, "address"), json_string(j, addr);
                        json_key(j, "protocol"), json_string(j, proto);
                        json_end_object(j);
                }
        json_end_array(j);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);
}

/* "log": [{"timestamp" (usec since the epoch), "priority", "message"}] */
static void json_log(JsonWriter *j, sd_bus *bus, const char *id) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        uint64_t ts;
        int level;
        const char *text;

        json_key(j, "log");
        json_begin_array(j);
        if (path && sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_PORTER_IFACE,
                                        "LogLines", &e, &reply, "a(tis)") >= 0 &&
            sd_bus_message_enter_container(reply, 'a', "(tis)") >= 0)
                while (sd_bus_message_read(reply, "(tis)", &ts, &level, &text) > 0) {
                        json_begin_object(j);
                        json_key(j, "timestamp"), json_uint(j, ts);
                        json_key(j, "priority"), json_int(j, level);
                        json_key(j, "message"), json_string(j, text);
                        json_end_object(j);
                }
        json_end_array(j);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);
}

/* status -o json: one object per unit with the fields status prints. */
static int status_json_one(sd_bus *bus, JsonWriter *j, const char *name) {
        _cleanup_free_ char *id = NULL, *active = NULL;

        if (porterctl_mangle(name, &id) < 0)
                return 4;
        (void) porterctl_load_unit(bus, id);
        if (porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "ActiveState", &active) < 0 ||
            unit_not_found(bus, id, active)) {
                log_error("Unit %s could not be found.", id);
                return 4;
        }
        bool is_socket = endswith(id, ".socket");
        const char *type_iface = is_socket ? PORTER_BUS_SOCKET_IFACE : PORTER_BUS_SERVICE_IFACE;
        json_begin_object(j);
        json_key(j, "unit"), json_string(j, id);
        json_string_prop(j, bus, id, PORTER_BUS_UNIT_IFACE, "Description", "description");
        json_string_prop(j, bus, id, PORTER_BUS_UNIT_IFACE, "LoadState", "load");
        json_key(j, "active"), json_string(j, active);
        json_string_prop(j, bus, id, PORTER_BUS_UNIT_IFACE, "SubState", "sub");
        json_string_prop(j, bus, id, type_iface, "Result", "result");
        json_string_prop(j, bus, id, PORTER_BUS_UNIT_IFACE, "FragmentPath", "fragment_path");
        json_string_prop(j, bus, id, PORTER_BUS_UNIT_IFACE, "UnitFileState", "unit_file_state");
        json_string_prop(j, bus, id, PORTER_BUS_PORTER_IFACE, "WaitingForMount", "waiting_for_mount");
        json_u64_prop(j, bus, id, "StateChangeTimestamp", "state_change_timestamp");
        json_u64_prop(j, bus, id, "ActiveEnterTimestamp", "active_enter_timestamp");
        json_u64_prop(j, bus, id, "InactiveEnterTimestamp", "inactive_enter_timestamp");
        if (is_socket) {
                json_ports(j, bus, id);
                json_u32_prop(j, bus, id, type_iface, "NAccepted", "accepted");
                json_u32_prop(j, bus, id, type_iface, "NConnections", "connected");
                json_u32_prop(j, bus, id, type_iface, "NRefused", "refused");
                json_u32_prop(j, bus, id, "io.porter.Socket1", "NAcceptedMPTCP", "accepted_mptcp");
                json_u32_prop(j, bus, id, "io.porter.Socket1", "NAcceptedFallback", "accepted_fallback");
        } else {
                json_u32_prop(j, bus, id, type_iface, "MainPID", "main_pid");
                json_u32_prop(j, bus, id, type_iface, "NRestarts", "restarts");
                json_string_prop(j, bus, id, type_iface, "StatusText", "status_text");
        }
        json_log(j, bus, id);
        json_end_object(j);
        return streq(active, "active") || streq(active, "reloading") ? 0 : 3;
}

/* systemctl's Loaded: line and the Drop-In: lines under it:
 *      Loaded: loaded (/etc/systemd/system/foo.socket; enabled)
 *     Drop-In: /etc/systemd/system/foo.socket.d
 *              └─a.conf, b.conf */
static void print_loaded_line(sd_bus *bus, const char *id, const char *load, const char *fragment) {
        _cleanup_free_ char *state = NULL, *path = porterctl_unit_path(id), *dir = NULL;
        _cleanup_strv_free_ char **dropins = NULL;

        (void) porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "UnitFileState", &state);
        printf("%12s %s", "Loaded:", strempty(load));
        if (streq_ptr(load, "masked"))
                printf(" (Reason: Unit %s is masked.)", id);
        else if (!isempty(fragment) && !isempty(state))
                printf(" (%s; %s)", fragment, state);
        else if (!isempty(fragment))
                printf(" (%s)", fragment);
        putchar('\n');
        if (!path || sd_bus_get_property_strv(bus, "org.freedesktop.systemd1", path, PORTER_BUS_UNIT_IFACE,
                                              "DropInPaths", NULL, &dropins) < 0)
                return;
        STRV_FOREACH(d, dropins) {
                _cleanup_free_ char *base = NULL;
                bool last;
                if (!dir || !path_startswith(*d, dir) || strchr(path_startswith(*d, dir), '/')) {
                        free(dir);
                        dir = NULL;
                        if (path_extract_directory(*d, &dir) < 0)
                                return;
                        printf("%s%s\n%13s\u2514\u2500", d == dropins ? "    Drop-In: " : "             ", dir, "");
                }
                last = !d[1] || !path_startswith(d[1], dir) || strchr(path_startswith(d[1], dir), '/');
                if (path_extract_filename(*d, &base) < 0)
                        return;
                printf("%s%s", base, last ? "\n" : ", ");
        }
}

/* systemctl's Active: line: the state (coloured), the sub state unless
 * it says the same, a result other than success, and since when. */
static void print_active_line(sd_bus *bus, const char *id, const char *active, const char *sub,
                              const char *result) {
        const char *ts_prop = streq(active, "active") || streq(active, "reloading") ? "ActiveEnterTimestamp" :
                              streq(active, "inactive") || streq(active, "failed") ? "InactiveEnterTimestamp" :
                              streq(active, "activating") ? "InactiveExitTimestamp" : "ActiveExitTimestamp";
        _cleanup_free_ char *path = porterctl_unit_path(id);
        uint64_t ts = 0;
        char when[64], ago[64];

        printf("%12s %s%s", "Active:", porterctl_state_color(active), active);
        if (!isempty(sub) && !streq(sub, active))
                printf(" (%s)", sub);
        printf("%s", porterctl_color_off());
        if (!isempty(result) && !streq(result, "success"))
                printf(" (Result: %s)", result);
        if (path)
                (void) sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, PORTER_BUS_UNIT_IFACE,
                                                   ts_prop, NULL, 't', &ts);
        if (ts > 0)
                printf(" since %s; %s", porterctl_format_timestamp(ts, when, sizeof when),
                       porterctl_format_relative(ts, ago, sizeof ago));
        putchar('\n');
}

/* Returns the exit status for this unit: 0 active, 3 not active, 4 unknown. */
static int status_one(sd_bus *bus, const char *name, bool first) {
        _cleanup_free_ char *id = NULL, *desc = NULL, *load = NULL, *active = NULL, *sub = NULL,
                            *fragment = NULL, *result = NULL;
        bool is_socket;
        int r;

        if (porterctl_mangle(name, &id) < 0)
                return 4;
        /* A unit porterd has not loaded yet is loaded now, as systemctl
         * status does, so that its file and enablement show. */
        (void) porterctl_load_unit(bus, id);
        r = porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "ActiveState", &active);
        if (r == -ENOENT || (r >= 0 && unit_not_found(bus, id, active))) {
                log_error("Unit %s could not be found.", id);
                return 4;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to get the state of %s: %m", id);
                return 4;
        }
        (void) porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "Description", &desc);
        (void) porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "LoadState", &load);
        (void) porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "SubState", &sub);
        (void) porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "FragmentPath", &fragment);
        is_socket = endswith(id, ".socket");
        (void) porterctl_unit_string(bus, id, is_socket ? PORTER_BUS_SOCKET_IFACE : PORTER_BUS_SERVICE_IFACE,
                                     "Result", &result);

        if (!first)
                putchar('\n');
        printf("%s%s%s %s - %s\n", porterctl_state_color(active), porterctl_state_glyph(active),
               porterctl_color_off(), id, strempty(desc));
        print_loaded_line(bus, id, load, fragment);
        print_active_line(bus, id, active, sub, result);
        _cleanup_free_ char *mount = NULL;
        if (porterctl_unit_string(bus, id, PORTER_BUS_PORTER_IFACE, "WaitingForMount", &mount) >= 0 &&
            !isempty(mount))
                printf("%12s Waiting for mount %s.\n", "Note:", mount);
        if (is_socket)
                print_socket_part(bus, id);
        else
                print_service_part(bus, id);
        putchar('\n');
        fflush(stdout);
        (void) porterctl_print_log(bus, id, 10);
        return streq(active, "active") || streq(active, "reloading") ? 0 : 3;
}

int verb_status(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        bool json = args->output == OUTPUT_JSON;
        sd_bus *bus = NULL;
        JsonWriter j;
        int ret = 0;

        if (porterctl_connect(args, &bus) < 0)
                return 4;
        porterctl_pager_open(args);
        if (json) {
                json_writer_init(&j, stdout);
                json_begin_array(&j);
        }
        for (int i = 1; i < argc; i++) {
                int r = json ? status_json_one(bus, &j, argv[i]) : status_one(bus, argv[i], i == 1);
                if (r > ret)
                        ret = r;
        }
        if (json) {
                json_end_array(&j);
                if (json_writer_finish(&j) < 0)
                        ret = MAX(ret, 1);
                putchar('\n');
        }
        sd_bus_flush_close_unref(bus);
        return ret;
}

/* is-active (want "active") and is-failed (want "failed"). */
static int is_state(int argc, char *argv[], void *userdata, bool failed) {
        sd_bus *bus = NULL;
        bool any = false;

        if (porterctl_connect(userdata, &bus) < 0)
                return 4;
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *id = NULL, *active = NULL;
                if (porterctl_mangle(argv[i], &id) < 0)
                        continue;
                if (porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "ActiveState", &active) < 0)
                        puts("inactive");
                else {
                        puts(active);
                        any = any || (failed ? streq(active, "failed") :
                                               streq(active, "active") || streq(active, "reloading"));
                }
        }
        sd_bus_flush_close_unref(bus);
        /* systemctl: is-failed exits 1 when none is failed, is-active 3. */
        return any ? 0 : failed ? 1 : EXIT_PROGRAM_NOT_RUNNING;
}

int verb_is_active(int argc, char *argv[], void *userdata) {
        return is_state(argc, argv, userdata, false);
}

int verb_is_failed(int argc, char *argv[], void *userdata) {
        return is_state(argc, argv, userdata, true);
}
