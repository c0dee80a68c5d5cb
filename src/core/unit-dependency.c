/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "manager.h"
#include "strv.h"
#include "unit-dependency.h"
#include "unit-name.h"

static bool type_is_run(const char *name) {
        UnitType t = unit_name_to_type(name);
        return t == UNIT_SOCKET || t == UNIT_SERVICE;
}

static char **deps(const Unit *u, UnitDependency d) {
        return u->config ? u->config->dependencies[d] : NULL;
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
        for (Unit *o = u->manager->units; o; o = o->next) {
                if (o == u || o->in_gc || UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(o)))
                        continue;
                if (strv_contains(deps(o, UNIT_BINDS_TO), u->id) || strv_contains(deps(o, UNIT_PART_OF), u->id) ||
                    strv_contains(deps(o, UNIT_REQUIRES), u->id)) {
                        log_unit_info(o, "Stopping, because %s stopped.", u->id);
                        (void) unit_stop(o);
                }
        }
}
