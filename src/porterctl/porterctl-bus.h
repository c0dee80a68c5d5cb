/* SPDX-License-Identifier: MIT */
#pragma once

/* porterctl's side of the control socket (see src/core/manager-bus.h):
 * connecting, unit names and paths, and property reads. */

#include <systemd/sd-bus.h>

#include "porterctl.h"

#define PORTER_BUS_MANAGER_PATH "/org/freedesktop/systemd1"
#define PORTER_BUS_MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define PORTER_BUS_UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define PORTER_BUS_SOCKET_IFACE "org.freedesktop.systemd1.Socket"
#define PORTER_BUS_SERVICE_IFACE "org.freedesktop.systemd1.Service"
#define PORTER_BUS_PORTER_IFACE "io.porter.Unit1"

/* Connect to porterd's control socket for the scope of args (--user:
 * $XDG_RUNTIME_DIR/porter/private, else /run/porter/private).  Logs and
 * returns -errno when porterd is not running. */
int porterctl_connect(const PorterctlArgs *args, sd_bus **ret);

/* The same without logging: -errno when porterd is not reachable. */
int porterctl_connect_quiet(const PorterctlArgs *args, sd_bus **ret);

/* The unit search path for client-side lookups (cat, enable, is-enabled):
 * with --root the default paths below it; else porterd's own search path
 * (Manager.UnitPath, which reflects porterd --unit-path) when porterd is
 * running; else the default paths of the scope ($PORTER_UNIT_PATH
 * honoured).  0 or -errno (logged). */
typedef struct LookupPaths LookupPaths;
int porterctl_lookup_paths(const PorterctlArgs *args, LookupPaths *ret);

/* "foo" -> "foo.service", as systemctl mangles names.  Logs on error. */
int porterctl_mangle(const char *name, char **ret);

/* Manager.LoadUnit(id): make porterd load the unit if it has not yet (a
 * unit that is not found is loaded too, with load state not-found), as
 * systemctl status does.  0 or -errno. */
int porterctl_load_unit(sd_bus *bus, const char *id);

/* The object path of unit id, or NULL on OOM. */
char *porterctl_unit_path(const char *id);

/* Read a string property of unit id ("" if the unit has none).  Returns 0,
 * -ENOENT if porterd does not know the unit, or another -errno. */
int porterctl_unit_string(sd_bus *bus, const char *id, const char *iface, const char *prop, char **ret);

/* Read a u property. */
int porterctl_unit_u32(sd_bus *bus, const char *id, const char *iface, const char *prop, uint32_t *ret);

/* Print the unit's kept log lines (io.porter.Unit1.LogLines), at most n. */
int porterctl_print_log(sd_bus *bus, const char *id, unsigned n);
