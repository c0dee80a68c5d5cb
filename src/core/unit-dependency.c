/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "job.h"
#include "manager.h"
#include "socket-unit.h"
#include "service-unit.h"
#include "strv.h"
#include "unit-dependency.h"
#include "unit-name.h"

static bool type_is_run(const char *name) {
        UnitType t = unit_name_to_type(name);
        return t == UNIT_SOCKET || t == UNIT_SERVICE;
}

static char **deps(const Unit *u, UnitDependency d) {
        return u->config ? unit_config_dependencies(u->config, d) : NULL;
}

/* Start one dependency; returns 0 if it is (or went) active or activating. */
static int unit_start_one_dependency(Unit *u, const char *name) {
        Unit *d = NULL;
        int r = manager_load_unit(u->manager, name, &d);
        if (!d)
                return r < 0 ? r : -ENOENT;
        if (d->config && d->config->load_state != UNIT_LOADED)
                return -ENOENT;
        if (!UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(d)))
                return 0;
        r = unit_start(d);
        if (r < 0)
                return r;
        return unit_active_state(d) == UNIT_FAILED ? -EIO : 0;
}

int unit_start_dependencies(Unit *u) {
        int r;

        if (u->starting_dependencies)
                return 0; /* a cycle: the outer start goes on */
        u->starting_dependencies = true;

        STRV_FOREACH(name, deps(u, UNIT_CONFLICTS)) {
                Unit *c = manager_get_unit(u->manager, *name);
                if (c && !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(c))) {
                        log_unit_info(u, "Stopping conflicting %s.", *name);
                        (void) unit_stop(c);
                }
        }
        r = 0;
        STRV_FOREACH(name, deps(u, UNIT_REQUISITE)) {
                if (!type_is_run(*name))
                        continue;
                Unit *d = manager_get_unit(u->manager, *name);
                if (!d || UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(d))) {
                        r = log_unit_error_errno(u, -ENOLINK, "Requisite %s is not active, refusing to start.", *name);
                        goto finish;
                }
        }
        static const UnitDependency pulls[] = { UNIT_REQUIRES, UNIT_BINDS_TO, UNIT_WANTS };
        for (size_t i = 0; i < ELEMENTSOF(pulls); i++)
                STRV_FOREACH(name, deps(u, pulls[i])) {
                        if (!type_is_run(*name))
                                continue;
                        /* A start job already ran it (job.h): a oneshot
                         * that finished must not run twice. */
                        if (u->ordered_deps_started && strv_contains(deps(u, UNIT_AFTER), *name))
                                continue;
                        int q = unit_start_one_dependency(u, *name);
                        if (q >= 0)
                                continue;
                        if (pulls[i] == UNIT_WANTS) {
                                log_unit_warning_errno(u, q, "Wanted unit %s did not start: %m", *name);
                                continue;
                        }
                        r = log_unit_error_errno(u, -ENOLINK, "Dependency %s failed, refusing to start.", *name);
                        goto finish;
                }
finish:
        u->starting_dependencies = false;
        return r;
}

void unit_propagate_stop(Unit *u) {
        /* At shutdown every unit is stopped in order anyway; scanning all
         * units per stopped unit made the shutdown quadratic. */
        if (u->manager->exiting)
                return;
        for (Unit *o = u->manager->units; o; o = o->next) {
                if (o == u || o->in_gc || UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(o)))
                        continue;
                if (unit_stop_propagates_to(u, o)) {
                        log_unit_info(o, "Stopping, because %s stopped.", u->id);
                        (void) unit_stop(o);
                }
        }
}

bool unit_stop_propagates_to(Unit *u, Unit *other) {
        return strv_contains(deps(other, UNIT_BINDS_TO), u->id) || strv_contains(deps(other, UNIT_PART_OF), u->id) ||
               strv_contains(deps(other, UNIT_REQUIRES), u->id);
}

static bool unit_is_up_or_starting(Unit *u) {
        return !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)) || (u->job && u->job->type != JOB_STOP);
}

bool unit_start_conflicts(Unit *u) {
        STRV_FOREACH(name, deps(u, UNIT_CONFLICTS)) {
                Unit *c = manager_get_unit(u->manager, *name);
                if (c && c != u && unit_is_up_or_starting(c))
                        return true;
        }
        for (Unit *o = u->manager->units; o; o = o->next)
                if (o != u && !o->in_gc && strv_contains(deps(o, UNIT_CONFLICTS), u->id) && unit_is_up_or_starting(o))
                        return true;
        return false;
}

bool unit_is_ordered_after(Unit *later, Unit *earlier) {
        if (later == earlier)
                return false;
        if (strv_contains(deps(later, UNIT_AFTER), earlier->id) || strv_contains(deps(earlier, UNIT_BEFORE), later->id))
                return true;
        /* A socket's implicit Before= on what it triggers (spec §2.2). */
        SocketUnit *sock = SOCKET(earlier);
        ServiceUnit *svc = SERVICE(later);
        if (!sock || !svc)
                return false;
        if (svc->accept_socket == sock)
                return true;
        if (sock->service == later && sock->config && !sock->config->accept)
                return true;
        return svc->config && strv_contains(svc->config->sockets, earlier->id);
}

/* ---- StopOrder ---- */

typedef struct StopNode {
        Unit *unit;
        unsigned n_waiting;             /* units ordered after this one still up */
        size_t first_edge, n_edges;     /* the units this one is ordered after */
        bool requested, done;
} StopNode;

struct StopOrder {
        Manager *manager;
        StopNode *nodes;
        size_t n, n_done, n_in_flight;
        size_t *edges;                  /* node indexes, by first_edge/n_edges */
        size_t *slots, mask;            /* Unit pointer -> node index + 1 */
        size_t *ready;                  /* stack of nodes to stop */
        size_t n_ready;
        bool draining;
};

static size_t stop_order_hash(const StopOrder *o, const Unit *u) {
        uintptr_t h = (uintptr_t) u;
        h ^= h >> 17;
        h *= UINT64_C(0x9E3779B97F4A7C15);
        return (size_t) (h >> 7) & o->mask;
}

/* The node of u, or SIZE_MAX. */
static size_t stop_order_find(const StopOrder *o, const Unit *u) {
        for (size_t i = stop_order_hash(o, u); o->slots[i]; i = (i + 1) & o->mask)
                if (o->nodes[o->slots[i] - 1].unit == u)
                        return o->slots[i] - 1;
        return SIZE_MAX;
}

static size_t stop_order_find_name(const StopOrder *o, const char *name) {
        Unit *u = manager_get_unit(o->manager, name);
        return u ? stop_order_find(o, u) : SIZE_MAX;
}

/* Every ordering edge inside the set, as (later, earlier) pairs: seen from
 * the later unit (After=, Sockets=, its Accept=yes socket) and from the
 * earlier one (Before=, its Accept=no service).  A pair seen from both
 * sides counts twice, on both ends, which keeps the counts consistent. */
typedef struct { size_t later, earlier; } StopEdge;

static int stop_edge_add(StopEdge **edges, size_t *n, size_t *alloc, size_t later, size_t earlier) {
        if (later == SIZE_MAX || earlier == SIZE_MAX || later == earlier)
                return 0;
        if (*n == *alloc) {
                size_t a = *alloc ? 2 * *alloc : 64;
                StopEdge *e = reallocarray(*edges, a, sizeof(StopEdge));
                if (!e)
                        return -ENOMEM;
                *edges = e;
                *alloc = a;
        }
        (*edges)[(*n)++] = (StopEdge) { later, earlier };
        return 0;
}

static int stop_order_collect_edges(StopOrder *o, StopEdge **ret, size_t *ret_n) {
        StopEdge *edges = NULL;
        size_t n = 0, alloc = 0;
        int r = 0;

        for (size_t i = 0; i < o->n && r >= 0; i++) {
                Unit *u = o->nodes[i].unit;
                ServiceUnit *svc = SERVICE(u);
                SocketUnit *sock = SOCKET(u);

                STRV_FOREACH(name, deps(u, UNIT_AFTER))
                        if (r >= 0)
                                r = stop_edge_add(&edges, &n, &alloc, i, stop_order_find_name(o, *name));
                STRV_FOREACH(name, deps(u, UNIT_BEFORE))
                        if (r >= 0)
                                r = stop_edge_add(&edges, &n, &alloc, stop_order_find_name(o, *name), i);
                if (svc && svc->accept_socket && r >= 0)
                        r = stop_edge_add(&edges, &n, &alloc, i, stop_order_find(o, &svc->accept_socket->meta));
                STRV_FOREACH(name, svc && svc->config ? svc->config->sockets : NULL)
                        if (r >= 0)
                                r = stop_edge_add(&edges, &n, &alloc, i, stop_order_find_name(o, *name));
                if (sock && sock->service && sock->config && !sock->config->accept && r >= 0)
                        r = stop_edge_add(&edges, &n, &alloc, stop_order_find(o, sock->service), i);
        }
        if (r < 0) {
                free(edges);
                return r;
        }
        *ret = edges;
        *ret_n = n;
        return 0;
}

/* Counting sort of the edges by their later node into o->edges. */
static int stop_order_index_edges(StopOrder *o, const StopEdge *edges, size_t n) {
        o->edges = new(size_t, n ?: 1);
        if (!o->edges)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                o->nodes[edges[k].later].n_edges++;
                o->nodes[edges[k].earlier].n_waiting++;
        }
        size_t sum = 0;
        for (size_t i = 0; i < o->n; i++) {
                o->nodes[i].first_edge = sum;
                sum += o->nodes[i].n_edges;
                o->nodes[i].n_edges = 0;
        }
        for (size_t k = 0; k < n; k++) {
                StopNode *l = &o->nodes[edges[k].later];
                o->edges[l->first_edge + l->n_edges++] = edges[k].earlier;
        }
        return 0;
}

int stop_order_new(Manager *m, Unit * const *units, size_t n, StopOrder **ret) {
        StopOrder *o = new0(StopOrder, 1);
        StopEdge *edges = NULL;
        size_t n_edges = 0, size = 4;
        int r = -ENOMEM;

        if (!o)
                return -ENOMEM;
        o->manager = m;
        while (size < 2 * n)
                size *= 2;
        o->mask = size - 1;
        o->slots = new0(size_t, size);
        o->nodes = new0(StopNode, n ?: 1);
        o->ready = new(size_t, n ?: 1);
        if (!o->slots || !o->nodes || !o->ready)
                goto fail;
        for (size_t k = 0; k < n; k++) {
                Unit *u = units[k];
                if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)) || stop_order_find(o, u) != SIZE_MAX)
                        continue;
                o->nodes[o->n] = (StopNode) { .unit = u };
                size_t i = stop_order_hash(o, u);
                while (o->slots[i])
                        i = (i + 1) & o->mask;
                o->slots[i] = ++o->n;
        }
        r = stop_order_collect_edges(o, &edges, &n_edges);
        if (r >= 0)
                r = stop_order_index_edges(o, edges, n_edges);
        free(edges);
        if (r < 0)
                goto fail;
        *ret = o;
        return 0;
fail:
        stop_order_free(o);
        return r;
}

StopOrder *stop_order_free(StopOrder *o) {
        if (!o)
                return NULL;
        free(o->nodes);
        free(o->edges);
        free(o->slots);
        free(o->ready);
        free(o);
        return NULL;
}

static void stop_order_push(StopOrder *o, size_t i) {
        if (o->nodes[i].requested || o->nodes[i].done)
                return;
        o->nodes[i].requested = true; /* queued once */
        o->n_in_flight++;
        o->ready[o->n_ready++] = i;
}

static void stop_order_mark_done(StopOrder *o, size_t i) {
        StopNode *node = &o->nodes[i];

        if (node->done)
                return;
        node->done = true;
        o->n_done++;
        if (node->requested)
                o->n_in_flight--;
        for (size_t k = 0; k < node->n_edges; k++) {
                StopNode *earlier = &o->nodes[o->edges[node->first_edge + k]];
                if (--earlier->n_waiting == 0)
                        stop_order_push(o, o->edges[node->first_edge + k]);
        }
}

/* Nothing in flight yet units wait: an ordering cycle.  Stop the waiting
 * unit started last. */
static bool stop_order_break_cycle(StopOrder *o) {
        size_t best = SIZE_MAX;

        for (size_t i = 0; i < o->n; i++)
                if (!o->nodes[i].done && !o->nodes[i].requested &&
                    (best == SIZE_MAX || o->nodes[i].unit->start_seq > o->nodes[best].unit->start_seq))
                        best = i;
        if (best == SIZE_MAX)
                return false;
        log_unit_warning(o->nodes[best].unit, "Ordering cycle among the units being stopped, stopping %s anyway.",
                         o->nodes[best].unit->id);
        stop_order_push(o, best);
        return true;
}

static void stop_order_drain(StopOrder *o) {
        if (o->draining)
                return;
        o->draining = true;
        for (;;) {
                while (o->n_ready > 0) {
                        size_t i = o->ready[--o->n_ready];
                        Unit *u = o->nodes[i].unit;
                        (void) unit_stop(u);
                        /* Stopped at once (a socket without ExecStopPost=),
                         * or it was down already and no change comes. */
                        if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                                stop_order_mark_done(o, i);
                }
                if (o->n_in_flight > 0 || o->n_done == o->n || !stop_order_break_cycle(o))
                        break;
        }
        o->draining = false;
}

static int stop_node_cmp_start_seq(const void *a, const void *b, void *userdata) {
        const StopNode *nodes = userdata;
        unsigned x = nodes[*(const size_t *) a].unit->start_seq, y = nodes[*(const size_t *) b].unit->start_seq;
        return x < y ? -1 : x > y;
}

void stop_order_begin(StopOrder *o) {
        size_t n = 0;

        /* Pushed in start order, popped in reverse: the last started
         * stops first among those nothing waits for. */
        for (size_t i = 0; i < o->n; i++)
                if (o->nodes[i].n_waiting == 0)
                        o->ready[n++] = i;
        qsort_r(o->ready, n, sizeof(size_t), stop_node_cmp_start_seq, o->nodes);
        for (size_t k = 0; k < n; k++) {
                o->nodes[o->ready[k]].requested = true;
                o->n_in_flight++;
        }
        o->n_ready = n;
        stop_order_drain(o);
}

void stop_order_unit_inactive(StopOrder *o, Unit *u) {
        size_t i = stop_order_find(o, u);
        if (i == SIZE_MAX)
                return;
        stop_order_mark_done(o, i);
        stop_order_drain(o);
}

size_t stop_order_remaining(const StopOrder *o) {
        return o->n - o->n_done;
}

bool stop_order_busy(const StopOrder *o) {
        return o->draining;
}
