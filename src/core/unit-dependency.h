/* SPDX-License-Identifier: MIT */
#pragma once

/* The dependencies porterd acts on.
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
 *   explicit stop; porterd has no way to tell, so it always does).  Not
 *   while porterd shuts down: everything is being stopped in order then.
 *
 * Ordering (unit_is_ordered_after()): "b After=a", "a Before=b", a socket
 * and the service it triggers (Accept=no, Sockets=, an Accept=yes
 * instance: the implicit Before= of systemd's sockets).  Start jobs wait
 * for the units they are ordered after (job.h); stops go the other way:
 * b stops first, a only once b is down, for stop jobs and for porterd's
 * shutdown (StopOrder below). */

#include "unit.h"

/* Run the pre-start steps above for u.  Returns 0, or -errno when the start
 * must be refused (logged). */
int unit_start_dependencies(Unit *u);

/* u became inactive or failed: propagate the stop (see above). */
void unit_propagate_stop(Unit *u);

/* True if `later` starts only once `earlier` is up and stops before it
 * goes down (see above).  Looks up names, allocates nothing. */
bool unit_is_ordered_after(Unit *later, Unit *earlier);

/* Is `other` a unit that must stop before u can (an active unit that has
 * u in Requires=, BindsTo= or PartOf=)?  For stop jobs, which stop such
 * units along with u, as systemd's transactions do. */
bool unit_stop_propagates_to(Unit *u, Unit *other);

/* Would starting u stop another unit: one named in u's Conflicts=, or
 * one naming u in its own, that is active or has a start job pending?
 * (JOB_LENIENT refuses such a start.)  Scans all units: only lenient
 * starts ask. */
bool unit_start_conflicts(Unit *u);

/* StopOrder: stop a set of units in reverse dependency order, in time
 * linear in units plus ordering edges.  The edges between the units of
 * the set are resolved once; each unit keeps a count of the units ordered
 * after it that are still up, and is stopped when that count reaches
 * zero.  Units not ordered against each other stop at once, the last
 * started first.  An ordering cycle (nothing in flight, units still
 * waiting) is broken by stopping the waiting unit started last, with a
 * warning.  Units of the set must stay allocated until they are inactive
 * (instances are freed only once inactive). */
typedef struct StopOrder StopOrder;

/* A StopOrder of the n units (those inactive already are left out).
 * Returns 0 or -ENOMEM. */
int stop_order_new(Manager *m, Unit * const *units, size_t n, StopOrder **ret);
StopOrder *stop_order_free(StopOrder *o);

/* Stop the units nothing waits for; the rest follow through
 * stop_order_unit_inactive(). */
void stop_order_begin(StopOrder *o);

/* u reached inactive or failed: stop what waited for it.  Re-entrant:
 * called from unit_stop() of a unit that stops at once, it only queues. */
void stop_order_unit_inactive(StopOrder *o, Unit *u);

/* Units of the set not yet inactive. */
size_t stop_order_remaining(const StopOrder *o);

/* Inside stop_order_begin() or a dispatch: more stops are coming. */
bool stop_order_busy(const StopOrder *o);
