/* SPDX-License-Identifier: MIT */
/* daemon-reload.  A replaced config is freed at once when nothing can point
 * into it any more: the unit has no process (the state machines follow the
 * running ExecCommand list of the config when a process exits) and no
 * Accept=yes instance borrows it (instances share their template's
 * config); see unit_config_releasable().  Any other old config is kept in
 * m->retired_configs and freed with the manager, so a reload of listening
 * sockets and idle services costs no memory, one of busy units the size of
 * their old configs. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "manager.h"
#include "service-unit.h"
#include "socket-unit.h"
#include "string-util.h"
#include "unit-load.h"

static int manager_retire_config(Manager *m, UnitConfig *c) {
        UnitConfig **n = realloc(m->retired_configs, (m->n_retired_configs + 1) * sizeof(UnitConfig *));
        if (!n)
                return -ENOMEM;
        m->retired_configs = n;
        m->retired_configs[m->n_retired_configs++] = c;
        return 0;
}

/* The configs Accept=yes instances borrow, sorted for bsearch(). */
typedef struct BorrowedConfigs {
        const UnitConfig **items;
        size_t n;
        bool unknown;           /* out of memory collecting them: assume every service's is */
} BorrowedConfigs;

static int ptr_compare(const void *a, const void *b) {
        uintptr_t x = (uintptr_t) *(const void * const *) a, y = (uintptr_t) *(const void * const *) b;
        return x < y ? -1 : x > y;
}

static int borrowed_configs_collect(Manager *m, BorrowedConfigs *ret) {
        size_t n = 0;
        for (Unit *u = m->units; u; u = u->next)
                if (SERVICE(u) && SERVICE(u)->borrowed_config)
                        n++;
        *ret = (BorrowedConfigs) {};
        if (n == 0)
                return 0;
        ret->items = new(const UnitConfig *, n);
        if (!ret->items) {
                ret->unknown = true;
                return -ENOMEM;
        }
        for (Unit *u = m->units; u; u = u->next)
                if (SERVICE(u) && SERVICE(u)->borrowed_config)
                        ret->items[ret->n++] = SERVICE(u)->borrowed_config;
        qsort(ret->items, ret->n, sizeof(ret->items[0]), ptr_compare);
        return 0;
}

static bool borrowed_configs_contain(const BorrowedConfigs *b, const UnitConfig *c) {
        return b->unknown || (b->n > 0 && bsearch(&c, b->items, b->n, sizeof(b->items[0]), ptr_compare));
}

/* True if nothing points into u's old config but u itself, once u took its
 * new one: it may be freed.  Forgets the ExecCommand positions of finished
 * processes, which point into it and are read only while a process runs.
 * A socket needs no process of its own only: its open fds and watches
 * moved to the new config (socket_move_ports()), and its Accept=yes spawn
 * template owns copies of what it uses. */
static bool unit_config_releasable(Unit *u, const BorrowedConfigs *borrowed) {
        if (SOCKET(u)) {
                SocketUnit *s = SOCKET(u);
                if (s->control_process.pid > 0)
                        return false;
                s->control_command = NULL;
                return true;
        }
        ServiceUnit *s = SERVICE(u);
        if (!s || !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                return false;
        if (s->main_process.pid > 0 || s->control_process.pid > 0 || borrowed_configs_contain(borrowed, u->config))
                return false;
        s->control_command = s->main_command = NULL;
        return true;
}

static bool socket_port_same(const SocketPort *a, const SocketPort *b) {
        if (a->type != b->type)
                return false;
        if (a->type == SOCKET_PORT_SOCKET)
                return socket_address_equal(&a->address, &b->address);
        return streq_ptr(a->path, b->path);
}

static bool socket_ports_same(const SocketConfig *a, const SocketConfig *b) {
        if (a->n_ports != b->n_ports)
                return false;
        for (size_t i = 0; i < a->n_ports; i++)
                if (!socket_port_same(&a->ports[i], &b->ports[i]))
                        return false;
        return true;
}

/* Move the open fds (and what was learnt when opening them) to the new
 * config and point the watches at its ports. */
static void socket_move_ports(SocketUnit *s, SocketConfig *to) {
        SocketConfig *from = s->config;

        for (size_t i = 0; i < from->n_ports; i++) {
                SocketPort *a = &from->ports[i], *b = &to->ports[i];
                b->fd = TAKE_FD(a->fd);
                b->address.protocol = a->address.protocol;
                b->mptcp_fell_back = a->mptcp_fell_back;
                b->fallback_error = a->fallback_error;
                if (s->watches)
                        s->watches[i].port = b;
        }
}

/* Returns 1 if the unit took the new config, 0 if it keeps the old one. */
static int manager_reload_socket(Manager *m, SocketUnit *s, UnitConfig *c) {
        bool active = !UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(&s->meta));

        if (active && !socket_ports_same(s->config, c->socket)) {
                log_unit_warning(&s->meta, "Listeners changed; the unit keeps its old settings until it is restarted.");
                return 0;
        }
        if (active)
                socket_move_ports(s, c->socket);
        else {
                /* Sized for the old port list: made again at the next start. */
                free(s->watches);
                free(s->peers);
                s->watches = NULL;
                s->peers = NULL;
                s->n_peer_slots = 0;
        }
        s->config = c->socket;
        return 1;
}

static int manager_reload_unit(Manager *m, Unit *u, const BorrowedConfigs *borrowed) {
        UnitConfig *c = NULL;
        int r;

        r = unit_load(&m->lookup_paths, u->id, &m->specifier_ctx, &c, NULL);
        if (r < 0)
                return log_unit_warning_errno(u, r, "Failed to reload, keeping the loaded settings: %m");
        if (c->load_state != UNIT_LOADED || c->type != u->type) {
                log_unit_warning(u, "Does not load cleanly any more (%s), keeping the loaded settings.",
                                 unit_load_state_to_string(c->load_state));
                unit_config_free(c);
                return 0;
        }

        if (SOCKET(u))
                r = manager_reload_socket(m, SOCKET(u), c);
        else {
                SERVICE(u)->config = c->service;
                r = 1;
        }
        if (r == 0) {
                unit_config_free(c);
                return 0;
        }
        if (u->config && unit_config_releasable(u, borrowed))
                unit_config_free(u->config);
        else if (u->config && manager_retire_config(m, u->config) < 0) {
                /* Cannot keep the old one alive: undo rather than free it. */
                if (SOCKET(u))
                        (void) manager_reload_socket(m, SOCKET(u), u->config);
                else
                        SERVICE(u)->config = u->config->service;
                unit_config_free(c);
                return log_oom();
        }
        u->config = c;
        u->start_limit.interval = c->start_limit_interval;
        u->start_limit.burst = c->start_limit_burst;
        return 1;
}

int manager_reload(Manager *m) {
        _cleanup_free_ const UnitConfig **borrowed_items = NULL;
        BorrowedConfigs borrowed;
        int n = 0;

        log_info("Reloading.");
        (void) borrowed_configs_collect(m, &borrowed); /* on OOM every old service config is kept */
        borrowed_items = borrowed.items;
        manager_scan_unit_files(m);
        for (Unit *u = m->units; u; u = u->next) {
                ServiceUnit *s = SERVICE(u);
                if (u->in_gc || (s && s->instance))
                        continue; /* instances follow their template */
                if (manager_reload_unit(m, u, &borrowed) > 0)
                        n++;
        }
        /* Active Accept=yes sockets prepare their instances from the
         * template's new settings, so the next connection gets them. */
        for (Unit *u = m->units; u; u = u->next) {
                SocketUnit *s = SOCKET(u);
                if (!s || !s->config->accept || !s->service || UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        continue;
                s->instances_need_load = manager_template_uses_instance(m, s->service->id);
                int r = socket_prepare_instance_template(s);
                if (r < 0)
                        log_unit_warning_errno(u, r, "Failed to prepare instances after reload: %m");
        }
        /* A reload frees a whole generation of configs (and the unit file
         * cache), interleaved with the new ones: without this, glibc keeps
         * those pages (10,000 sockets: 1.5 MB more after each reload). */
        (void) malloc_trim(0);
        log_info("Reloaded %d units.", n);
        return n;
}
