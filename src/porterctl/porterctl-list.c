/* SPDX-License-Identifier: MIT */
/* porterctl list-units and list-sockets, in systemctl's table layout: a
 * header, the rows, and a legend (all but the rows left out with
 * --no-legend), or with -o json an array of objects with systemctl's keys
 * (plus "proto" for sockets).  list-units shows the units that are not inactive;
 * list-sockets shows every listening address of the active socket units with
 * the protocol really in use (mptcp, or "tcp (mptcp fallback)"), and what it
 * activates. */
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
#include "string-util.h"
#include "strv.h"

typedef struct UnitRow {
        char *id, *description, *load, *active, *sub;
} UnitRow;

static void rows_free(UnitRow *rows, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(rows[i].id);
                free(rows[i].description);
                free(rows[i].load);
                free(rows[i].active);
                free(rows[i].sub);
        }
        free(rows);
}

static int list_units_call(sd_bus *bus, UnitRow **ret, size_t *ret_n) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        UnitRow *rows = NULL;
        size_t n = 0;
        const char *id, *desc, *load, *active, *sub, *following, *path, *jtype, *jpath;
        uint32_t jid;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               "ListUnits", &e, &reply, NULL);
        if (r < 0) {
                log_error("Failed to list units: %s", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &id, &desc, &load, &active, &sub,
                                                  &following, &path, &jid, &jtype, &jpath)) > 0) {
                UnitRow *nr = realloc(rows, (n + 1) * sizeof(UnitRow));
                if (!nr) {
                        r = -ENOMEM;
                        break;
                }
                rows = nr;
                rows[n++] = (UnitRow) { strdup(id), strdup(desc), strdup(load), strdup(active), strdup(sub) };
        }
        sd_bus_message_unref(reply);
        if (r < 0) {
                rows_free(rows, n);
                return r;
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

static int cmp_rows(const void *a, const void *b) {
        return strcmp(((const UnitRow *) a)->id, ((const UnitRow *) b)->id);
}

int verb_list_units(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        sd_bus *bus = NULL;
        UnitRow *rows = NULL;
        size_t n = 0, shown = 0;
        int w = 4;

        if (porterctl_connect(args, &bus) < 0 || list_units_call(bus, &rows, &n) < 0) {
                sd_bus_flush_close_unref(bus);
                return 1;
        }
        qsort(rows, n, sizeof *rows, cmp_rows);
        porterctl_pager_open(args);
        if (args->output == OUTPUT_JSON) {
                /* systemctl -o json's keys. */
                JsonWriter j;
                json_writer_init(&j, stdout);
                json_begin_array(&j);
                for (size_t i = 0; i < n; i++) {
                        if (streq(rows[i].active, "inactive") && !args->all)
                                continue;
                        json_begin_object(&j);
                        json_key(&j, "unit"), json_string(&j, rows[i].id);
                        json_key(&j, "load"), json_string(&j, rows[i].load);
                        json_key(&j, "active"), json_string(&j, rows[i].active);
                        json_key(&j, "sub"), json_string(&j, rows[i].sub);
                        json_key(&j, "description"), json_string(&j, rows[i].description);
                        json_end_object(&j);
                }
                json_end_array(&j);
                int r = json_writer_finish(&j);
                putchar('\n');
                rows_free(rows, n);
                sd_bus_flush_close_unref(bus);
                return r < 0 ? 1 : 0;
        }
        for (size_t i = 0; i < n; i++)
                if ((args->all || !streq(rows[i].active, "inactive")) && (int) strlen(rows[i].id) > w)
                        w = (int) strlen(rows[i].id);
        if (!args->no_legend)
                printf("  %-*s %-6s %-8s %-9s %s\n", w, "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION");
        for (size_t i = 0; i < n; i++) {
                if (streq(rows[i].active, "inactive") && !args->all)
                        continue;
                /* As systemctl: a red dot and red ACTIVE/SUB for failed
                 * units, a yellow dot for units that did not load. */
                bool failed = streq(rows[i].active, "failed"), bad_load = !streq(rows[i].load, "loaded");
                const char *on = failed ? porterctl_state_color("failed") :
                                 bad_load && porterctl_colors() ? "\033[0;1;33m" : "";
                const char *off = *on ? porterctl_color_off() : "";
                printf("%s%s%s %-*s %s%-6s%s %s%-8s %-9s%s %s\n", on, failed || bad_load ? "●" : " ", off, w,
                       rows[i].id, bad_load ? on : "", rows[i].load, bad_load ? off : "", failed ? on : "",
                       rows[i].active, rows[i].sub, failed ? off : "", rows[i].description);
                shown++;
        }
        if (!args->no_legend) {
                printf("\nLOAD   = Reflects whether the unit definition was properly loaded.\n"
                       "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n"
                       "SUB    = The low-level unit activation state, values depend on unit type.\n\n"
                       "%zu loaded units listed.", shown);
                if (!args->all)
                        printf(" Pass --all to see loaded but inactive units, too.");
                putchar('\n');
        }
        rows_free(rows, n);
        sd_bus_flush_close_unref(bus);
        return 0;
}

typedef struct SocketRow {
        char *listen, *proto, *unit, *activates;
} SocketRow;

static int socket_rows(sd_bus *bus, const char *id, SocketRow **rows, size_t *n) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *ports = NULL, *triggers = NULL;
        _cleanup_free_ char *path = porterctl_unit_path(id);
        _cleanup_strv_free_ char **activates = NULL;
        const char *type, *addr, *proto, *t;
        int r;

        if (!path)
                return -ENOMEM;
        r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_UNIT_IFACE, "Triggers", &e,
                                &triggers, "as");
        if (r >= 0)
                r = sd_bus_message_enter_container(triggers, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(triggers, "s", &t)) > 0)
                if (strv_extend(&activates, t) < 0)
                        r = -ENOMEM;
        if (r >= 0)
                r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, PORTER_BUS_PORTER_IFACE, "Ports",
                                        &e, &ports, "a(sss)");
        if (r >= 0)
                r = sd_bus_message_enter_container(ports, 'a', "(sss)");
        _cleanup_free_ char *joined = strv_join(activates, ", ");
        while (r >= 0 && (r = sd_bus_message_read(ports, "(sss)", &type, &addr, &proto)) > 0) {
                SocketRow *nr = realloc(*rows, (*n + 1) * sizeof(SocketRow));
                if (!nr) {
                        r = -ENOMEM;
                        break;
                }
                *rows = nr;
                (*rows)[(*n)++] = (SocketRow) { strdup(addr), strdup(proto), strdup(id), strdup(strempty(joined)) };
        }
        sd_bus_message_unref(ports);
        sd_bus_message_unref(triggers);
        sd_bus_error_free(&e);
        return r;
}

static int cmp_sockets(const void *a, const void *b) {
        return strcmp(((const SocketRow *) a)->listen, ((const SocketRow *) b)->listen);
}

int verb_list_sockets(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        sd_bus *bus = NULL;
        UnitRow *units = NULL;
        SocketRow *rows = NULL;
        size_t n_units = 0, n = 0;
        int wl = 6, wp = 5, wu = 4;

        if (porterctl_connect(args, &bus) < 0 || list_units_call(bus, &units, &n_units) < 0) {
                sd_bus_flush_close_unref(bus);
                return 1;
        }
        for (size_t i = 0; i < n_units; i++)
                if (endswith(units[i].id, ".socket") && streq(units[i].active, "active"))
                        (void) socket_rows(bus, units[i].id, &rows, &n);
        qsort(rows, n, sizeof *rows, cmp_sockets);
        porterctl_pager_open(args);
        JsonWriter j;
        bool json = args->output == OUTPUT_JSON;
        if (json) {
                json_writer_init(&j, stdout);
                json_begin_array(&j);
        }
        for (size_t i = 0; i < n; i++) {
                wl = MAX(wl, (int) strlen(rows[i].listen));
                wp = MAX(wp, (int) strlen(rows[i].proto));
                wu = MAX(wu, (int) strlen(rows[i].unit));
        }
        if (!args->no_legend && !json)
                printf("%-*s %-*s %-*s %s\n", wl, "LISTEN", wp, "PROTO", wu, "UNIT", "ACTIVATES");
        for (size_t i = 0; i < n; i++) {
                if (json) {
                        json_begin_object(&j);
                        json_key(&j, "listen"), json_string(&j, rows[i].listen);
                        json_key(&j, "proto"), json_string(&j, rows[i].proto);
                        json_key(&j, "unit"), json_string(&j, rows[i].unit);
                        json_key(&j, "activates"), json_string(&j, rows[i].activates);
                        json_end_object(&j);
                } else
                        printf("%-*s %-*s %-*s %s\n", wl, rows[i].listen, wp, rows[i].proto, wu, rows[i].unit,
                               rows[i].activates);
                free(rows[i].listen);
                free(rows[i].proto);
                free(rows[i].unit);
                free(rows[i].activates);
        }
        if (json) {
                json_end_array(&j);
                (void) json_writer_finish(&j);
                putchar('\n');
        } else if (!args->no_legend)
                printf("\n%zu sockets listed.\n", n);
        free(rows);
        rows_free(units, n_units);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* list-jobs: the pending jobs, as systemctl list-jobs prints them (JOB,
 * UNIT, TYPE, STATE; "No jobs running." when there are none), or with -o
 * json an array of {"id", "unit", "type", "state"}. */
int verb_list_jobs(int argc, char *argv[], void *userdata) {
        const PorterctlArgs *args = userdata;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        const char *unit, *type, *state, *jpath, *upath;
        uint32_t id;
        size_t n = 0;
        int wu = 4, r;

        if (porterctl_connect(args, &bus) < 0)
                return 1;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               "ListJobs", &e, &reply, NULL);
        if (r < 0) {
                log_error("Failed to list jobs: %s", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                sd_bus_flush_close_unref(bus);
                return 1;
        }
        /* Two passes over the reply: widths, then rows. */
        r = sd_bus_message_enter_container(reply, 'a', "(usssoo)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(usssoo)", &id, &unit, &type, &state, &jpath, &upath)) > 0) {
                wu = MAX(wu, (int) strlen(unit));
                n++;
        }
        if (r >= 0)
                r = sd_bus_message_rewind(reply, true);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(usssoo)");
        porterctl_pager_open(args);
        bool json = args->output == OUTPUT_JSON;
        JsonWriter j;
        if (json) {
                json_writer_init(&j, stdout);
                json_begin_array(&j);
        } else if (n == 0 && !args->no_legend)
                printf("No jobs running.\n");
        else if (!args->no_legend)
                printf("%-4s %-*s %-7s %s\n", "JOB", wu, "UNIT", "TYPE", "STATE");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(usssoo)", &id, &unit, &type, &state, &jpath, &upath)) > 0) {
                if (json) {
                        json_begin_object(&j);
                        json_key(&j, "id"), json_uint(&j, id);
                        json_key(&j, "unit"), json_string(&j, unit);
                        json_key(&j, "type"), json_string(&j, type);
                        json_key(&j, "state"), json_string(&j, state);
                        json_end_object(&j);
                } else
                        printf("%-4u %-*s %-7s %s\n", id, wu, unit, type, state);
        }
        if (json) {
                json_end_array(&j);
                if (json_writer_finish(&j) < 0)
                        r = -EIO;
                putchar('\n');
        } else if (n > 0 && !args->no_legend)
                printf("\n%zu jobs listed.\n", n);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
