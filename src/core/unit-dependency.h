/* SPDX-License-Identifier: MIT */
#pragma once

/* The dependencies porterd acts on, without a job queue: starts and stops
 * happen at once, in the order below.
 *
 * Before a unit starts:
 *   Conflicts=    active units named there are stopped;
 *   Requisite=    each must be active already, else the start is refused;
 *   Requires=, BindsTo=  each is started; if one cannot be (does not load,
 *                 refuses, or ends up failed), the start is refused;
 *   Wants=        each is started; failures are only logged.
 * Units of types porterd does not run (targets, mounts, ...) count as
 * satisfied: porter has no such units, and refusing would stop every unit
 * with Requires=sysinit.target.
 *
 * After a unit stopped or failed:
 *   units that have it in BindsTo=, PartOf= or Requires= and are active
 *   are stopped too (systemd stops Requires= dependents only on an
 *   explicit stop; porterd has no way to tell, so it always does).
 *
 * After= orders start jobs (job.h): a start job waits while the units it
 * is After= are starting, and fails "dependency" if a required one failed.
 * Starts that do not go through a job (socket triggering, --start) rely on
 * the order above. */

#include "unit.h"

/* Run the pre-start steps above for u.  Returns 0, or -errno when the start
 * must be refused (logged). */
int unit_start_dependencies(Unit *u);

/* u became inactive or failed: propagate the stop (see above). */
void unit_propagate_stop(Unit *u);
