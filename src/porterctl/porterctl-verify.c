/* SPDX-License-Identifier: MIT */
/* porterctl verify [--user|--system] [--json] FILE|UNIT...
 *
 * An argument that names an existing file is that unit file (also without a
 * '/'), anything else a unit name looked up in the search path.  A template
 * is verified as its instance "test_instance", as systemd-analyze does.
 *
 * Loads each unit exactly as porterd would (unit_load: fragment, drop-ins,
 * load-time checks) and, for a socket unit, also the service it activates,
 * looked up first next to the socket's file and then in the search path.
 * Modelled on systemd-analyze verify: every diagnostic is printed as
 * "PATH:LINE: warning|error: TEXT" on stderr, followed by one error line
 * for each unit that did not load.  With --json, stdout gets one JSON array
 * instead:
 *
 *   [{"unit": NAME, "path": FRAGMENT|null, "loaded": BOOL,
 *     "warnings": [{"path": FILE|null, "line": N, "severity": "warning"|"error",
 *                   "message": TEXT}, ...]}, ...]
 *
 * Exit status: 0 when every unit loaded without any diagnostic, 1
 * otherwise (systemd-analyze verify also fails on mere warnings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "json-writer.h"
#include "log.h"
#include "path-util.h"
#include "porterctl-verbs.h"
#include "porterctl.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-load.h"
#include "unit-name.h"
#include "unit-path.h"

/* One unit of the report, in the order units were verified. */
typedef struct VerifyEntry {
        char *unit;             /* unit name (or the argument, if no name could be made) */
        char *path;             /* fragment path; NULL if not found */
        bool loaded;
        char *failure;          /* why it did not load; NULL if loaded */
        Diagnostics diags;
} VerifyEntry;

typedef struct Verify {
        LookupPaths lookup;
        /* lookup with the directory of the files being verified put first,
         * as systemd-analyze verify does; both are scanned once (the
         * UnitFileCache of each), near again only when the directory
         * changes, so that verifying many units does not rescan the search
         * path for each. */
        LookupPaths near;
        SpecifierContext specifiers;
        VerifyEntry *entries;
        size_t n_entries;
        bool json;
} Verify;

static void verify_done(Verify *v) {
        for (size_t i = 0; i < v->n_entries; i++) {
                free(v->entries[i].unit);
                free(v->entries[i].path);
                free(v->entries[i].failure);
                diagnostics_done(&v->entries[i].diags);
        }
        free(v->entries);
        lookup_paths_done(&v->lookup);
        lookup_paths_done(&v->near);
        specifier_context_done(&v->specifiers);
}

static VerifyEntry *verify_new_entry(Verify *v) {
        VerifyEntry *e = reallocarray(v->entries, v->n_entries + 1, sizeof(VerifyEntry));

        if (!e)
                return NULL;
        v->entries = e;
        e = &v->entries[v->n_entries++];
        *e = (VerifyEntry) {};
        return e;
}

/* True if the last entry names the same unit file as an earlier one (a
 * service given on the command line and also triggered by a socket). */
static bool verify_last_is_duplicate(const Verify *v) {
        const VerifyEntry *last = &v->entries[v->n_entries - 1];

        for (size_t i = 0; i + 1 < v->n_entries; i++)
                if (streq(v->entries[i].unit, last->unit) && streq_ptr(v->entries[i].path, last->path))
                        return true;
        return false;
}

static void verify_drop_last(Verify *v) {
        VerifyEntry *e = &v->entries[--v->n_entries];

        free(e->unit);
        free(e->path);
        free(e->failure);
        diagnostics_done(&e->diags);
}

static const char *load_failure_text(const UnitConfig *u) {
        switch (u->load_state) {
        case UNIT_NOT_FOUND:
                return "not found";
        case UNIT_MASKED:
                return "masked";
        case UNIT_BAD_SETTING:
                return "bad setting (unit configuration has a fatal error, unit will not be started)";
        case UNIT_ERROR:
                return "error (the unit file could not be parsed)";
        default:
                return unit_load_state_to_string(u->load_state);
        }
}

/* Load one unit into a new entry, looked up in lp.  *ret_unit gets the
 * loaded config (or NULL when none could be made).  Returns 0 or -ENOMEM. */
static int verify_load(Verify *v, const LookupPaths *lp, const char *name_or_path, UnitConfig **ret_unit) {
        VerifyEntry *e = verify_new_entry(v);
        UnitConfig *u = NULL;
        int r;

        if (!e)
                return -ENOMEM;
        *ret_unit = NULL;
        r = unit_load(lp, name_or_path, &v->specifiers, &u, &e->diags);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                e->unit = strdup(name_or_path);
                if (asprintf(&e->failure, "invalid unit name or path: %s", strerror(-r)) < 0)
                        e->failure = NULL;
                return e->unit && e->failure ? 0 : -ENOMEM;
        }
        e->unit = strdup(u->id);
        e->path = u->fragment_path ? strdup(u->fragment_path) : NULL;
        e->loaded = u->load_state == UNIT_LOADED;
        if (!e->loaded)
                e->failure = strdup(load_failure_text(u));
        if (!e->unit || (u->fragment_path && !e->path) || (!e->loaded && !e->failure)) {
                unit_config_free(u);
                return -ENOMEM;
        }
        if (verify_last_is_duplicate(v)) {
                verify_drop_last(v);
                unit_config_free(u);
                return 0;
        }
        *ret_unit = u;
        return 0;
}

/* v->lookup's search path with dir (absolute) in front, scanned; NULL on
 * -ENOMEM.  A duplicate of dir later in the path is dropped: the first
 * occurrence of a directory decides everything it could. */
static const LookupPaths *verify_near(Verify *v, const char *dir) {
        _cleanup_strv_free_ char **search = NULL;

        if (v->near.search_path && streq(v->near.search_path[0], dir))
                return &v->near;
        lookup_paths_done(&v->near);
        if (strv_extend(&search, dir) < 0)
                return NULL;
        STRV_FOREACH(p, v->lookup.search_path)
                if (!strv_contains(search, *p) && strv_extend(&search, *p) < 0)
                        return NULL;
        v->near.search_path = TAKE_PTR(search);
        v->near.user = v->lookup.user;
        /* Without the cache every lookup scans: slower, same answers. */
        (void) unit_file_cache_build(&v->near);
        return &v->near;
}

/* Where to look up a unit file given as a path: unit_file_find() puts the
 * file's directory (absolute, symlinks kept) first, so near fits when that
 * is the resolved directory too. */
static const LookupPaths *verify_lookup_for_path(Verify *v, const char *path) {
        _cleanup_free_ char *abs = NULL, *cwd = NULL, *parent = NULL, *real = NULL;

        if (path_is_absolute(path))
                abs = strdup(path);
        else if ((cwd = getcwd(NULL, 0)))
                abs = path_join(cwd, path);
        if (!abs || path_extract_directory(path_simplify(abs), &parent) < 0)
                return &v->lookup;
        real = realpath(parent, NULL);
        if (!real || !streq(real, parent))
                return &v->lookup;
        return verify_near(v, real) ?: &v->lookup;
}

/* Load the unit called `name` with dir (may be NULL) searched before the
 * normal search path, as systemd-analyze verify does for the directory of
 * the files it is given.  A template is verified as its instance
 * "test_instance", as systemd-analyze verify does too. */
static int verify_load_name_near(Verify *v, const char *dir, const char *name, UnitConfig **ret_unit) {
        _cleanup_free_ char *instance = NULL;
        const LookupPaths *lp = &v->lookup;
        int r;

        if (unit_name_is_valid(name, UNIT_NAME_TEMPLATE)) {
                r = unit_name_replace_instance(name, "test_instance", &instance);
                if (r < 0)
                        return r == -ENOMEM ? r : verify_load(v, &v->lookup, name, ret_unit);
                name = instance;
        }
        if (dir) {
                lp = verify_near(v, dir);
                if (!lp)
                        return -ENOMEM;
        }
        return verify_load(v, lp, name, ret_unit);
}

/* The directory part of path, made absolute (search path entries must
 * be).  NULL on error. */
static char *dir_of(const char *path) {
        _cleanup_free_ char *d = NULL;
        const char *slash = strrchr(path, '/');

        d = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        if (!d)
                return NULL;
        return realpath(d, NULL);
}

/* The service a socket activates, next to the socket's own file first, then
 * in the search path. */
static int verify_triggered_service(Verify *v, const UnitConfig *socket) {
        _cleanup_free_ char *service = NULL, *dir = NULL;
        UnitConfig *u = NULL;
        int r;

        r = unit_config_triggered_service(socket, &service);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (socket->fragment_path) {
                dir = dir_of(socket->fragment_path);
                if (!dir)
                        return negative_errno();
        }
        r = verify_load_name_near(v, dir, service, &u);
        unit_config_free(u);
        return r;
}

/* An argument naming an existing file is that unit file (also without a
 * '/'); a template file is verified as an instance of it; anything else is
 * a unit name looked up in the search path. */
static int verify_argument(Verify *v, const char *arg, UnitConfig **ret_unit) {
        _cleanup_free_ char *path = NULL, *dir = NULL;
        const char *base;

        if (!strchr(arg, '/') && access(arg, F_OK) < 0)
                return verify_load(v, &v->lookup, arg, ret_unit);
        path = strchr(arg, '/') ? strdup(arg) : strjoin("./", arg);
        if (!path)
                return -ENOMEM;
        base = strrchr(path, '/') + 1;
        if (!unit_name_is_valid(base, UNIT_NAME_TEMPLATE))
                return verify_load(v, verify_lookup_for_path(v, path), path, ret_unit);
        dir = dir_of(path);
        if (!dir)
                return negative_errno();
        return verify_load_name_near(v, dir, base, ret_unit);
}

static void print_diagnostic(const VerifyEntry *e, const Diagnostic *d) {
        const char *where = d->path ?: e->path ?: e->unit;

        if (d->line > 0)
                fprintf(stderr, "%s:%u: %s: %s\n", where, d->line, diagnostic_severity_to_string(d->severity),
                        d->message);
        else
                fprintf(stderr, "%s: %s: %s\n", where, diagnostic_severity_to_string(d->severity), d->message);
}

static void print_text(const Verify *v) {
        for (size_t i = 0; i < v->n_entries; i++) {
                const VerifyEntry *e = &v->entries[i];

                for (size_t k = 0; k < e->diags.n; k++)
                        print_diagnostic(e, &e->diags.items[k]);
                if (!e->loaded)
                        fprintf(stderr, "%s: error: Failed to load unit %s: %s\n", e->path ?: e->unit, e->unit,
                                e->failure);
        }
}

static void json_entry(JsonWriter *w, const VerifyEntry *e) {
        json_begin_object(w);
        json_key(w, "unit");
        json_string(w, e->unit);
        json_key(w, "path");
        json_string(w, e->path);
        json_key(w, "loaded");
        json_bool(w, e->loaded);
        json_key(w, "warnings");
        json_begin_array(w);
        for (size_t k = 0; k < e->diags.n; k++) {
                const Diagnostic *d = &e->diags.items[k];
                json_begin_object(w);
                json_key(w, "path");
                json_string(w, d->path ?: e->path);
                json_key(w, "line");
                json_uint(w, d->line);
                json_key(w, "severity");
                json_string(w, diagnostic_severity_to_string(d->severity));
                json_key(w, "message");
                json_string(w, d->message);
                json_end_object(w);
        }
        if (!e->loaded) {
                json_begin_object(w);
                json_key(w, "path");
                json_string(w, e->path);
                json_key(w, "line");
                json_uint(w, 0);
                json_key(w, "severity");
                json_string(w, "error");
                json_key(w, "message");
                json_string(w, e->failure);
                json_end_object(w);
        }
        json_end_array(w);
        json_end_object(w);
}

static int print_json(const Verify *v) {
        JsonWriter w;

        json_writer_init(&w, stdout);
        json_begin_array(&w);
        for (size_t i = 0; i < v->n_entries; i++)
                json_entry(&w, &v->entries[i]);
        json_end_array(&w);
        return json_writer_finish(&w);
}

static bool verify_clean(const Verify *v) {
        for (size_t i = 0; i < v->n_entries; i++)
                if (!v->entries[i].loaded || v->entries[i].diags.n > 0)
                        return false;
        return true;
}

/* Options may also follow the verb ("porterctl verify --json x.socket"),
 * because porterctl stops option parsing at the verb.  Fills units with the
 * remaining arguments.  Returns 0 or -EINVAL. */
static int verify_parse_args(int argc, char *argv[], PorterctlArgs *args, bool *json, char ***units) {
        bool options = true;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                int r;

                if (options && streq(a, "--")) {
                        options = false;
                        continue;
                }
                if (options && streq(a, "--json"))
                        *json = true;
                else if (options && streq(a, "--user"))
                        args->user = true;
                else if (options && streq(a, "--system"))
                        args->user = false;
                else if (options && a[0] == '-' && a[1] != '\0')
                        return log_error_errno(-EINVAL, "verify: unknown option '%s'.", a);
                else {
                        r = strv_extend(units, a);
                        if (r < 0)
                                return log_oom();
                }
        }
        if (strv_length(*units) == 0)
                return log_error_errno(-EINVAL, "verify: no unit file or unit name given.");
        return 0;
}

static int verify_all(Verify *v, char * const *units) {
        STRV_FOREACH(a, units) {
                UnitConfig *u = NULL;
                int r = verify_argument(v, *a, &u);

                if (r >= 0 && u && u->socket && u->load_state == UNIT_LOADED)
                        r = verify_triggered_service(v, u);
                unit_config_free(u);
                if (r < 0)
                        return r;
        }
        return 0;
}

int verb_verify(int argc, char *argv[], void *userdata) {
        PorterctlArgs *args = userdata;
        _cleanup_strv_free_ char **units = NULL;
        Verify v = {};
        bool json = args->output == OUTPUT_JSON;
        int r;

        r = verify_parse_args(argc, argv, args, &json, &units);
        if (r < 0)
                return r;
        v.json = json;

        r = lookup_paths_init(&v.lookup, args->user, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the unit search path: %m");
                goto finish;
        }
        /* A user manager always has a runtime directory; when verify runs
         * outside a login session, assume the one logind would create, so
         * that %t resolves (systemd-analyze --user does not fail there either). */
        if (args->user && isempty(getenv("XDG_RUNTIME_DIR"))) {
                char dir[64];
                snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned) getuid());
                if (setenv("XDG_RUNTIME_DIR", dir, 1) < 0) {
                        r = log_oom();
                        goto finish;
                }
        }
        /* One scan for the whole run; on failure each lookup scans. */
        (void) unit_file_cache_build(&v.lookup);
        r = specifier_context_init_manager(&v.specifiers, args->user);
        if (r < 0) {
                log_error_errno(r, "Failed to set up specifiers: %m");
                goto finish;
        }
        r = verify_all(&v, units);
        if (r < 0) {
                log_error_errno(r, "Failed to verify units: %m");
                goto finish;
        }
        if (json) {
                r = print_json(&v);
                if (r < 0) {
                        log_error_errno(r, "Failed to write JSON: %m");
                        goto finish;
                }
        } else
                print_text(&v);
        r = verify_clean(&v) ? EXIT_SUCCESS : EXIT_FAILURE;

finish:
        verify_done(&v);
        return r;
}
