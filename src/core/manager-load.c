/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "job.h"
#include "manager.h"
#include "service-unit.h"
#include "socket-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-load.h"
#include "unit-name.h"

int manager_init_lookup(Manager *m, char * const *dirs) {
        bool user = m->scope == MANAGER_USER;
        int r;

        r = lookup_paths_init(&m->lookup_paths, user, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the unit search path: %m");

        /* --unit-path replaces the search path, so that porterd runs exactly
         * the units of those directories and none of the machine's. */
        if (dirs && dirs[0]) {
                _cleanup_strv_free_ char **l = NULL;
                STRV_FOREACH(d, dirs) {
                        char *abs = realpath(*d, NULL);
                        if (!abs)
                                return log_error_errno(errno, "Unit directory '%s' is unusable: %m", *d);
                        if (strv_contains(l, abs))
                                free(abs);
                        else if (strv_consume(&l, abs) < 0)
                                return log_oom();
                }
                strv_free(m->lookup_paths.search_path);
                m->lookup_paths.search_path = TAKE_PTR(l);
        }

        r = specifier_context_init_manager(&m->specifier_ctx, user);
        if (r < 0)
                return log_error_errno(r, "Failed to set up specifiers: %m");
        manager_scan_unit_files(m);
        return 0;
}

void manager_scan_unit_files(Manager *m) {
        /* One scan of the search path for all loads until the next
         * daemon-reload; without it every load scans (docs/PERFORMANCE.md,
         * "Scale"). */
        int r = unit_file_cache_build(&m->lookup_paths);
        if (r < 0)
                log_warning_errno(r, "Failed to scan the unit search path, scanning at each load: %m");
}

/* unit_load() through the manager's cache; as systemd does, a unit that is
 * not found is looked up again after a rescan if a search directory has
 * changed since the scan (a unit file added without daemon-reload). */
static int manager_unit_load(Manager *m, const char *id, UnitConfig **ret, Diagnostics *diags) {
        int r = unit_load(&m->lookup_paths, id, &m->specifier_ctx, ret, diags);

        if (r < 0 || (*ret)->load_state != UNIT_NOT_FOUND || !unit_file_cache_is_stale(&m->lookup_paths))
                return r;
        log_debug("Unit search path changed since the last scan, rescanning for '%s'.", id);
        manager_scan_unit_files(m);
        unit_config_free(*ret);
        *ret = NULL;
        if (diags)
                diagnostics_done(diags);
        return unit_load(&m->lookup_paths, id, &m->specifier_ctx, ret, diags);
}

static void manager_log_diagnostics(const char *id, const Diagnostics *d) {
        for (size_t i = 0; i < d->n; i++) {
                const Diagnostic *x = &d->items[i];
                int level = x->severity == DIAGNOSTIC_ERROR ? LOG_ERR : LOG_WARNING;
                if (x->path && x->line > 0)
                        log_full_errno(level, 0, "%s:%u: %s", x->path, x->line, x->message);
                else
                        log_full_errno(level, 0, "%s: %s", x->path ?: id, x->message);
        }
}

/* Set up the type part of a freshly loaded unit. */
static void manager_init_unit(Unit *u) {
        SocketUnit *s = SOCKET(u);
        ServiceUnit *svc = SERVICE(u);

        if (s) {
                s->config = u->config->socket;
                s->control_process = UNIT_PROCESS_NULL;
        } else if (svc)
                service_init_loaded(svc);
}

static bool strv_mentions(char * const *l, const char *marker) {
        STRV_FOREACH(i, l)
                if (strstr(*i, marker))
                        return true;
        return false;
}

static bool str_mentions(const char *s, const char *marker) {
        return s && strstr(s, marker);
}

/* Does anything porterd uses to start the service depend on the instance? */
static bool service_config_mentions(const UnitConfig *c, const char *marker) {
        const ServiceConfig *sc = c->service;
        if (!sc)
                return false;
        for (int i = 0; i < _SERVICE_EXEC_COMMAND_MAX; i++)
                for (const ExecCommand *e = sc->exec_command[i]; e; e = e->next)
                        if (str_mentions(e->path, marker) || strv_mentions(e->argv, marker))
                                return true;
        const ExecContext *x = &sc->exec;
        for (int i = 0; i < 3; i++)
                if (str_mentions(x->stdio_file[i], marker))
                        return true;
        return strv_mentions(x->environment, marker) || strv_mentions(x->environment_files, marker) ||
               str_mentions(x->working_directory, marker) || str_mentions(x->user, marker) ||
               str_mentions(x->group, marker);
}

/* Accept=yes: load the template once more as an instance with a marker
 * name; if the marker shows up (%i, %I, %n, ...), instances must be loaded
 * one by one instead of sharing the template's prepared command. */
bool manager_template_uses_instance(Manager *m, const char *template_id) {
        static const char marker[] = "porterinstancemarker7f3a";
        _cleanup_free_ char *name = NULL;
        UnitConfig *c = NULL;
        bool uses;

        if (unit_name_replace_instance(template_id, marker, &name) < 0)
                return false;
        if (manager_unit_load(m, name, &c, NULL) < 0)
                return false;
        uses = c->load_state == UNIT_LOADED && service_config_mentions(c, marker);
        unit_config_free(c);
        return uses;
}

/* Sockets need their service loaded before they can start. */
static int manager_load_triggered(Manager *m, Unit *u) {
        _cleanup_free_ char *name = NULL;
        Unit *svc;
        int r;

        r = unit_config_triggered_service(u->config, &name);
        if (r < 0)
                return log_unit_error_errno(u, r, "Cannot determine the service to activate: %m");
        r = manager_load_unit(m, name, &svc);
        if (!svc)
                return r;
        SocketUnit *s = SOCKET(u);
        if (s->config->accept && svc->config && svc->config->load_state == UNIT_LOADED) {
                s->instances_need_load = manager_template_uses_instance(m, svc->id);
                if (s->instances_need_load)
                        log_unit_debug(u, "%s uses its instance name: loading each instance.", svc->id);
        }
        return socket_set_service(s, svc);
}

int manager_load_unit(Manager *m, const char *id, Unit **ret) {
        Diagnostics diags = {};
        UnitConfig *c = NULL;
        Unit *u;
        int r;

        *ret = manager_get_unit(m, id);
        if (*ret)
                return 0;

        r = manager_unit_load(m, id, &c, &diags);
        manager_log_diagnostics(id, &diags);
        diagnostics_done(&diags);
        if (r < 0)
                return log_error_errno(r, "Failed to load unit '%s': %m", id);

        if (c->type != UNIT_SOCKET && c->type != UNIT_SERVICE) {
                unit_config_free(c);
                return log_error_errno(-EOPNOTSUPP, "Unit '%s' is of a type porterd does not run.", id);
        }
        r = unit_new(m, c->type == UNIT_SOCKET ? &socket_vtable : &service_vtable, id, c, &u);
        if (r < 0) {
                unit_config_free(c);
                return log_oom();
        }
        manager_init_unit(u);
        *ret = u;

        if (c->load_state != UNIT_LOADED) {
                r = c->load_error < 0 ? c->load_error : -ENOENT;
                return log_unit_error_errno(u, r, "Failed to load: %s.", unit_load_state_to_string(c->load_state));
        }
        if (c->type == UNIT_SOCKET)
                return manager_load_triggered(m, u);
        /* A forking daemon, or a main PID named by MAINPID=, may be an
         * orphaned grandchild: it must stay our child to be watched. */
        if (c->service && (c->service->type == SERVICE_FORKING ||
                           service_config_notify_access(c->service) != NOTIFY_NONE))
                (void) manager_enable_orphan_reaping(m);
        /* Sockets= of a service: loaded with it, started before it. */
        STRV_FOREACH(name, c->service ? c->service->sockets : NULL) {
                Unit *sock;
                (void) manager_load_unit(m, *name, &sock);
        }
        return 0;
}

int manager_load_instance_config(Manager *m, const char *id, UnitConfig **ret) {
        UnitConfig *c = NULL;
        int r = manager_unit_load(m, id, &c, NULL);
        if (r < 0)
                return r;
        if (c->load_state != UNIT_LOADED || !c->service) {
                r = c->load_error < 0 ? c->load_error : -ENOENT;
                unit_config_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

/* The socket units sockets.target wants (its .wants/ directories). */
static int manager_enabled_sockets(Manager *m, char ***ret) {
        UnitFileInfo info = {};
        int r;

        r = unit_file_find(&m->lookup_paths, "sockets.target", &info);
        if (r < 0 && r != -ENOENT) {
                unit_file_info_done(&info);
                return log_error_errno(r, "Failed to look up sockets.target: %m");
        }
        char **l = TAKE_PTR(info.wants);
        unit_file_info_done(&info);
        *ret = l;
        return 0;
}

static int manager_start_one(Manager *m, const char *id) {
        Unit *u;
        int r;

        r = manager_load_unit(m, id, &u);
        if (!u)
                return r;
        if (u->config && u->config->load_state != UNIT_LOADED)
                return r < 0 ? r : -ENOENT;
        r = unit_start(u);
        if (r < 0)
                return log_unit_error_errno(u, r, "Failed to start: %m");
        if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                return log_unit_error_errno(u, -EIO, "Failed to start, result '%s'.", unit_result(u));
        return 0;
}

/* Start-up logs a line per unit ("Listening on s1.socket."), and stderr is
 * unbuffered: a write() per line, each one waking whoever reads the pipe
 * (14% of start-up in perf at 10,000 units).  During the start-up pass the
 * lines leave in 4 KiB batches instead; the buffer lives in the caller's
 * frame and is flushed and dropped (stderr unbuffered again) before
 * manager_startup() returns.  A child started meanwhile (ExecStartPre=)
 * writes to fd 2 itself, so its output may come before porterd's lines of
 * the same moment. */
typedef struct LogBatch {
        bool active;
        char buf[4096];
} LogBatch;

static void log_batch_begin(LogBatch *b) {
        b->active = setvbuf(stderr, b->buf, _IOFBF, sizeof b->buf) == 0;
}

static void log_batch_end(LogBatch *b) {
        if (!b->active)
                return;
        (void) fflush(stderr);
        (void) setvbuf(stderr, NULL, _IONBF, 0);
        b->active = false;
}

static int manager_cmp_names(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

int manager_startup(Manager *m, char * const *start) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_(log_batch_end) LogBatch batch;
        int r, n = 0;

        log_batch_begin(&batch);

        r = manager_enabled_sockets(m, &names);
        if (r < 0)
                return r;
        size_t n_enabled = strv_length(names);
        STRV_FOREACH(s, start)
                if (!strv_contains(names, *s) && strv_extend(&names, *s) < 0)
                        return log_oom();

        /* Enabled sockets start at once (thousands, no ordering among
         * them); --start units through start jobs queued together, as
         * porterctl start does, so that After=/Before=, Requires= and
         * JobRemoved behave the same (job.h).  Membership in the --start
         * list through a sorted copy: 10,000 names must not cost 10^8
         * comparisons. */
        size_t n_names = strv_length(names);
        _cleanup_free_ Unit **jobs = new(Unit *, n_names + 1);
        _cleanup_strv_free_ char **sorted_start = strv_copy(start);
        size_t n_jobs = 0, n_start = strv_length(sorted_start);
        if (!jobs || (start && !sorted_start))
                return log_oom();
        if (n_start > 0)
                qsort(sorted_start, n_start, sizeof(char *), manager_cmp_names);
        for (size_t i = 0; i < n_names; i++) {
                Unit *u = NULL;
                bool named = i >= n_enabled ||
                             (n_start > 0 && bsearch(&names[i], sorted_start, n_start, sizeof(char *), manager_cmp_names));
                if (!named) {
                        if (manager_start_one(m, names[i]) >= 0)
                                n++;
                } else if (manager_load_unit(m, names[i], &u) >= 0 && u &&
                           (!u->config || u->config->load_state == UNIT_LOADED))
                        jobs[n_jobs++] = u;
        }
        n += job_enqueue_start_all(m, jobs, n_jobs);
        log_info("Started %d of %zu units.", n, n_names);
        return n;
}
