/* SPDX-License-Identifier: MIT */
/* daemon-reload.  Old configs are never freed while porterd runs: running
 * processes, Accept=yes instances (which borrow their template's config)
 * and prepared spawn templates may still point into them.  They are kept
 * in m->retired_configs and freed with the manager; a reload costs the
 * memory of one copy of the units. */
#include <errno.h>
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

static int manager_reload_unit(Manager *m, Unit *u) {
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
        if (u->config && manager_retire_config(m, u->config) < 0) {
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
        int n = 0;

        log_info("Reloading.");
        manager_scan_unit_files(m);
        for (Unit *u = m->units; u; u = u->next) {
                ServiceUnit *s = SERVICE(u);
                if (u->in_gc || (s && s->instance))
                        continue; /* instances follow their template */
                if (manager_reload_unit(m, u) > 0)
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
        log_info("Reloaded %d units.", n);
        return n;
}
