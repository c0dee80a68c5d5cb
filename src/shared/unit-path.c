/* SPDX-License-Identifier: MIT */
/* Unit search paths in systemd's order (spec §1.4); see unit-path.h. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-path.h"

static const char *const system_unit_dirs[] = {
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/run/systemd/generator.late",
};

int lookup_home_dir(char **ret) {
        const char *e = getenv("HOME");
        struct passwd *pw;
        char *s;

        if (!(e && path_is_valid(e) && path_is_absolute(e))) {
                /* Root's home is fixed, so that no NSS lookup is needed. */
                if (getuid() == 0)
                        e = "/root";
                else {
                        errno = 0;
                        pw = getpwuid(getuid());
                        if (!pw)
                                return errno > 0 ? -errno : -ESRCH;
                        e = pw->pw_dir;
                        if (!path_is_valid(e) || !path_is_absolute(e))
                                return -EINVAL;
                }
        }
        s = strdup(e);
        if (!s)
                return -ENOMEM;
        *ret = path_simplify(s);
        return 0;
}

int lookup_user_dir(LookupUserDir which, char **ret) {
        static const struct {
                const char *env, *below_home;
        } table[] = {
                [LOOKUP_USER_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
                [LOOKUP_USER_DATA] = { "XDG_DATA_HOME", ".local/share" },
                [LOOKUP_USER_STATE] = { "XDG_STATE_HOME", ".local/state" },
                [LOOKUP_USER_CACHE] = { "XDG_CACHE_HOME", ".cache" },
                [LOOKUP_USER_RUNTIME] = { "XDG_RUNTIME_DIR", NULL },
        };
        _cleanup_free_ char *home = NULL;
        const char *e;
        char *s;
        int r;

        if ((unsigned) which >= ELEMENTSOF(table))
                return -EINVAL;

        e = getenv(table[which].env);
        if (e && path_is_absolute(e)) {
                s = strdup(e);
                if (!s)
                        return -ENOMEM;
                *ret = path_simplify(s);
                return 0;
        }
        /* There is no default runtime directory. */
        if (!table[which].below_home)
                return -ENXIO;

        r = lookup_home_dir(&home);
        if (r < 0)
                return r;
        s = path_join(home, table[which].below_home);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* Append dir + suffix to *l (dir may be NULL: nothing is added). */
static int extend_join(char ***l, const char *dir, const char *suffix) {
        char *s;

        if (!dir)
                return 0;
        s = suffix ? path_join(dir, suffix) : strdup(dir);
        if (!s)
                return -ENOMEM;
        return strv_consume(l, s);
}

/* Make p absolute against the current directory and simplify it. */
static int make_absolute(const char *p, char **ret) {
        _cleanup_free_ char *cwd = NULL;
        char *s;

        if (path_is_absolute(p))
                s = strdup(p);
        else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return negative_errno();
                s = path_join(cwd, p);
        }
        if (!s)
                return -ENOMEM;
        *ret = path_simplify(s);
        return 0;
}

/* Append each entry of the ':'-list in $var + suffix, or of fallback when
 * the variable is unset.  As in systemd, a variable set to "" gives no
 * entries, and relative entries are taken against the current directory. */
static int extend_xdg_list(char ***l, const char *var, const char *fallback, const char *suffix) {
        _cleanup_strv_free_ char **dirs = NULL;
        const char *e = getenv(var);
        int r;

        r = strv_split_full(&dirs, e ?: fallback, ":", false);
        if (r < 0)
                return r;
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *abs = NULL;

                r = make_absolute(*d, &abs);
                if (r < 0)
                        return r;
                r = extend_join(l, abs, suffix);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The user list of unit-path.h.  Runtime entries are skipped when
 * $XDG_RUNTIME_DIR is not set. */
static int user_unit_dirs(char ***l) {
        _cleanup_free_ char *config = NULL, *data = NULL, *runtime = NULL;
        int r;

        r = lookup_user_dir(LOOKUP_USER_CONFIG, &config);
        if (r < 0)
                return r;
        r = lookup_user_dir(LOOKUP_USER_DATA, &data);
        if (r < 0)
                return r;
        r = lookup_user_dir(LOOKUP_USER_RUNTIME, &runtime);
        if (r < 0 && r != -ENXIO)
                return r;

        if ((r = extend_join(l, config, "systemd/user.control")) < 0 ||
            (r = extend_join(l, runtime, "systemd/user.control")) < 0 ||
            (r = extend_join(l, runtime, "systemd/transient")) < 0 ||
            (r = extend_join(l, runtime, "systemd/generator.early")) < 0 ||
            (r = extend_join(l, config, "systemd/user")) < 0 ||
            (r = extend_xdg_list(l, "XDG_CONFIG_DIRS", "/etc/xdg", "systemd/user")) < 0 ||
            (r = extend_join(l, "/etc/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, runtime, "systemd/user")) < 0 ||
            (r = extend_join(l, "/run/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, runtime, "systemd/generator")) < 0 ||
            (r = extend_join(l, data, "systemd/user")) < 0 ||
            (r = extend_xdg_list(l, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", "systemd/user")) < 0 ||
            (r = extend_join(l, "/usr/local/lib/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, "/usr/local/share/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, "/usr/lib/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, "/usr/share/systemd/user", NULL)) < 0 ||
            (r = extend_join(l, runtime, "systemd/generator.late")) < 0)
                return r;
        return 0;
}

static int default_unit_dirs(bool user, char ***l) {
        int r;

        if (user)
                return user_unit_dirs(l);
        for (size_t i = 0; i < ELEMENTSOF(system_unit_dirs); i++) {
                r = strv_extend(l, system_unit_dirs[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Split a $..._UNIT_PATH value; relative entries are taken against the
 * current directory.  Returns 1 if the defaults are to be appended (the
 * value ends in ':'), 0 if not. */
static int split_env_path(const char *value, char ***l) {
        _cleanup_strv_free_ char **parts = NULL;
        int r;

        r = strv_split_full(&parts, value, ":", false);
        if (r < 0)
                return r;
        STRV_FOREACH(p, parts) {
                char *s;

                r = make_absolute(*p, &s);
                if (r < 0)
                        return r;
                r = strv_consume(l, s);
                if (r < 0)
                        return r;
        }
        return endswith(value, ":") ? 1 : 0;
}

/* Prefix every entry with root (if any) and drop later duplicates. */
static int finish_list(char **l, const char *root, char ***ret) {
        _cleanup_strv_free_ char **out = NULL;
        int r;

        STRV_FOREACH(p, l) {
                char *s = root ? path_join(root, *p) : strdup(*p);

                if (!s)
                        return -ENOMEM;
                if (strv_contains(out, s)) {
                        free(s);
                        continue;
                }
                r = strv_consume(&out, s);
                if (r < 0)
                        return r;
        }
        if (!out) {
                out = new0(char *, 1);
                if (!out)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int lookup_paths_init(LookupPaths *p, bool user, const char *root_dir) {
        _cleanup_strv_free_ char **paths = NULL, **final = NULL;
        _cleanup_free_ char *root = NULL;
        const char *e;
        int r, append = 1;

        if (!isempty(root_dir) && !streq(root_dir, "/")) {
                if (user)
                        return -EINVAL;
                root = strdup(root_dir);
                if (!root)
                        return -ENOMEM;
        }

        /* porter's own variable first, then systemd's, so that one set up
         * for systemd works too. */
        e = getenv("PORTER_UNIT_PATH");
        if (!e)
                e = getenv("SYSTEMD_UNIT_PATH");
        if (e) {
                append = split_env_path(e, &paths);
                if (append < 0)
                        return append;
        }
        if (append) {
                r = default_unit_dirs(user, &paths);
                if (r < 0)
                        return r;
        }

        r = finish_list(paths, root, &final);
        if (r < 0)
                return r;

        *p = (LookupPaths) {
                .search_path = TAKE_PTR(final),
                .user = user,
                .root_dir = TAKE_PTR(root),
        };
        return 0;
}

void lookup_paths_done(LookupPaths *p) {
        if (!p)
                return;
        p->search_path = strv_free(p->search_path);
        p->cache = unit_file_cache_free(p->cache);
        free(p->root_dir);
        p->root_dir = NULL;
}
