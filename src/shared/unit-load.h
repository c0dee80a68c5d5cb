/* SPDX-License-Identifier: MIT */
#pragma once

/* Loading one unit as the daemon does (systemd's unit_load +
 * unit_load_fragment + unit_load_dropin + socket_verify/service_verify):
 *
 *   1. find the fragment, aliases, masking and drop-ins (unit_file_find);
 *   2. parse the fragment with the directive table; a lexer error or a fatal
 *      setting stops here (load state error / bad-setting);
 *   3. parse each drop-in in order; errors inside a drop-in only stop that
 *      drop-in and never fail the unit (spec §1.1 item 12);
 *   4. fill the load-time defaults: trigger and poll limits by Accept= (spec
 *      §9), FileDescriptorName=, the service Type= and NotifyAccess=;
 *   5. run the load-time checks (spec §5.1 for sockets, systemd's
 *      service_verify for services); a failed check is load state
 *      bad-setting with an error diagnostic. */

#include "conf-parser.h"
#include "specifier.h"
#include "unit-config.h"
#include "unit-path.h"

/* Load name_or_path (a unit name looked up in lp, or a path to a unit file).
 * base supplies the manager's specifier context; the unit name and fragment
 * path are filled in per unit.  Every warning and error is added to diags
 * (may be NULL).
 *
 * Returns 0 with a new UnitConfig in *ret whatever the load state (loaded,
 * not-found, masked, bad-setting, error: see (*ret)->load_state and
 * load_error), or a negative errno without one: -EINVAL when name_or_path
 * is not a valid unit name (or file name), -ENOMEM. */
int unit_load(const LookupPaths *lp, const char *name_or_path, const SpecifierContext *base, UnitConfig **ret,
              Diagnostics *diags);

/* Parse one more file into an already loaded u, as a drop-in (for tests and
 * for tools).  Returns what config_parse_file() returns. */
int unit_load_parse_file(UnitConfig *u, const char *path, const SpecifierContext *base, Diagnostics *diags);

/* Apply the load-time defaults and checks (steps 4 and 5) to u; sets the
 * load state to loaded, bad-setting (returns -ENOEXEC) or, for a socket
 * whose service name would be invalid, error (returns -EINVAL). */
int unit_load_finish(UnitConfig *u, Diagnostics *diags);

/* The service a socket unit activates: Service= if set; for Accept=yes the
 * template of the socket's prefix (foo.socket → foo@.service); otherwise
 * the socket's own name with .service (a@b.socket → a@b.service).
 * Returns 0 with a new string, -EINVAL if u is not a socket unit, -ENOMEM. */
int unit_config_triggered_service(const UnitConfig *socket, char **ret);
