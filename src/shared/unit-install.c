/* SPDX-License-Identifier: MIT */
/* [Install] symlinks: systemd's install.c behaviour (see unit-install.h). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "path-util.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "unit-config.h"
#include "unit-file.h"
#include "unit-install.h"
#include "unit-load.h"
#include "unit-name.h"

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static const char * const unit_file_state_table[_UNIT_FILE_STATE_MAX] = {
        [UNIT_FILE_ENABLED] = "enabled",
        [UNIT_FILE_ENABLED_RUNTIME] = "enabled-runtime",
        [UNIT_FILE_LINKED] = "linked",
        [UNIT_FILE_LINKED_RUNTIME] = "linked-runtime",
        [UNIT_FILE_ALIAS] = "alias",
        [UNIT_FILE_MASKED] = "masked",
        [UNIT_FILE_MASKED_RUNTIME] = "masked-runtime",
        [UNIT_FILE_STATIC] = "static",
        [UNIT_FILE_DISABLED] = "disabled",
        [UNIT_FILE_INDIRECT] = "indirect",
        [UNIT_FILE_GENERATED] = "generated",
        [UNIT_FILE_TRANSIENT] = "transient",
        [UNIT_FILE_BAD] = "bad",
};

const char *unit_file_state_to_string(UnitFileState s) {
        return s >= 0 && s < _UNIT_FILE_STATE_MAX ? unit_file_state_table[s] : NULL;
}

bool unit_file_state_is_enabled(UnitFileState s) {
        return s == UNIT_FILE_ENABLED || s == UNIT_FILE_ENABLED_RUNTIME || s == UNIT_FILE_STATIC ||
               s == UNIT_FILE_ALIAS || s == UNIT_FILE_INDIRECT || s == UNIT_FILE_GENERATED;
}

/* ---- change list ---- */

void install_changes_done(InstallChanges *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++) {
                free(c->changes[i].path);
                free(c->changes[i].source);
        }
        free(c->changes);
        *c = (InstallChanges) {};
}

int install_changes_add(InstallChanges *c, int type, const char *path, const char *source) {
        InstallChange *n;

        if (!c)
                return type < 0 ? type : 0;
        n = reallocarray(c->changes, c->n + 1, sizeof(InstallChange));
        if (!n)
                return -ENOMEM;
        c->changes = n;
        n = &c->changes[c->n];
        *n = (InstallChange) { .type = type };
        n->path = path ? strdup(path) : NULL;
        n->source = source ? strdup(source) : NULL;
        if ((path && !n->path) || (source && !n->source)) {
                free(n->path);
                free(n->source);
                return -ENOMEM;
        }
        c->n++;
        return type < 0 ? type : 0;
}

bool install_changes_have_error(const InstallChanges *c) {
        for (size_t i = 0; c && i < c->n; i++)
                if (c->changes[i].type < 0)
                        return true;
        return false;
}

/* ---- paths ---- */

/* path below lp's root, as the symlink text and messages show it. */
static const char *skip_root(const LookupPaths *lp, const char *path) {
        const char *e;

        if (!lp->root_dir)
                return path;
        e = path_startswith(path, lp->root_dir);
        if (!e)
                return path;
        /* path_startswith() leaves the '/' after the prefix out. */
        return e > path && e[-1] == '/' ? e - 1 : path + strlen(path);
}

static char *with_root(const LookupPaths *lp, const char *path) {
        return lp->root_dir ? strjoin(lp->root_dir, path) : strdup(path);
}

int install_paths_init(InstallPaths *ip, const LookupPaths *lp, bool runtime) {
        _cleanup_free_ char *config = NULL, *rt = NULL, *base = NULL;
        int r;

        *ip = (InstallPaths) { .lookup = lp, .runtime = runtime };
        if (lp->user) {
                r = lookup_user_dir(LOOKUP_USER_CONFIG, &base);
                if (r < 0)
                        return r;
                config = strjoin(base, "/systemd/user");
                free(base);
                base = NULL;
                /* Without $XDG_RUNTIME_DIR there is no runtime directory. */
                if (lookup_user_dir(LOOKUP_USER_RUNTIME, &base) >= 0)
                        rt = strjoin(base, "/systemd/user");
                else
                        rt = strdup(config);
        } else {
                config = with_root(lp, "/etc/systemd/system");
                rt = with_root(lp, "/run/systemd/system");
        }
        if (!config || !rt)
                return -ENOMEM;
        /* A search path that leaves the configuration directory out
         * (porterd --unit-path, $PORTER_UNIT_PATH without a trailing ':')
         * would never see the links: its first directory takes the role. */
        if (!strv_isempty(lp->search_path) && !strv_contains(lp->search_path, config) &&
            free_and_strdup(&config, lp->search_path[0]) < 0)
                return -ENOMEM;
        ip->config = TAKE_PTR(config);
        ip->runtime_config = TAKE_PTR(rt);
        return 0;
}

void install_paths_done(InstallPaths *ip) {
        if (!ip)
                return;
        free(ip->config);
        free(ip->runtime_config);
        *ip = (InstallPaths) {};
}

static const char *install_target_dir(const InstallPaths *ip) {
        return ip->runtime ? ip->runtime_config : ip->config;
}

/* The prefix below which a scope's runtime directories live (without the
 * root): "/run/systemd/" or "$XDG_RUNTIME_DIR/systemd/". */
static char *runtime_prefix(const InstallPaths *ip) {
        _cleanup_free_ char *rt = NULL;

        if (!ip->lookup->user)
                return strdup("/run/systemd/");
        if (lookup_user_dir(LOOKUP_USER_RUNTIME, &rt) < 0)
                return strdup("/run/user/-/"); /* matches nothing real */
        return strjoin(rt, "/systemd/");
}

/* Is path (root included) below the runtime prefix, optionally in one of
 * the sub directories listed? 1/0 or -ENOMEM. */
static int path_is_runtime_kind(const InstallPaths *ip, const char *path, char * const *subdirs) {
        _cleanup_free_ char *prefix = runtime_prefix(ip);
        const char *p = skip_root(ip->lookup, path), *rest;

        if (!prefix)
                return -ENOMEM;
        rest = startswith(p, prefix);
        if (!rest)
                return ip->lookup->user ? 0 : !!path_startswith(p, "/run");
        if (!subdirs)
                return 1;
        STRV_FOREACH(s, subdirs) {
                const char *e = startswith(rest, *s);
                if (e && (*e == '/' || *e == '\0'))
                        return 1;
        }
        return 0;
}

static int path_is_generator(const InstallPaths *ip, const char *path) {
        return path_is_runtime_kind(ip, path, STRV_MAKE("generator", "generator.early", "generator.late"));
}

static int path_is_transient(const InstallPaths *ip, const char *path) {
        return path_is_runtime_kind(ip, path, STRV_MAKE("transient"));
}

static int path_is_runtime(const InstallPaths *ip, const char *path) {
        return path_is_runtime_kind(ip, path, NULL);
}

/* ---- small filesystem helpers ---- */

static int readlink_alloc(const char *path, char **ret) {
        char buf[PATH_MAX];
        ssize_t n = readlink(path, buf, sizeof buf - 1);

        if (n < 0)
                return -errno;
        buf[n] = '\0';
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static void mkdir_parents(const char *path) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                (void) mkdir(p, 0755);
                *s = '/';
        }
}

/* Remove the now empty directories between path's parent and stop. */
static void rmdir_parents(const char *path, const char *stop) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return;
        for (char *s = strrchr(p, '/'); s && s > p; s = strrchr(p, '/')) {
                *s = '\0';
                if (!path_startswith(p, stop) || streq(p, stop) || rmdir(p) < 0)
                        return;
        }
}

/* Follow the symlink chain at path (root included) and return where it
 * ends, root stripped, whether or not that exists (systemd's chase() with
 * CHASE_NONEXISTENT, on the last component). */
static int resolve_link(const LookupPaths *lp, const char *path, char **ret) {
        _cleanup_free_ char *cur = strdup(path);

        if (!cur)
                return -ENOMEM;
        for (unsigned hops = 0; hops < 32; hops++) {
                _cleanup_free_ char *dest = NULL, *dir = NULL;
                char *next;
                int r = readlink_alloc(cur, &dest);

                if (r == -EINVAL || r == -ENOENT) {
                        *ret = strdup(skip_root(lp, cur));
                        return *ret ? 0 : -ENOMEM;
                }
                if (r < 0)
                        return r;
                if (path_is_absolute(dest))
                        next = with_root(lp, dest);
                else {
                        r = path_extract_directory(cur, &dir);
                        if (r < 0)
                                return r;
                        next = path_join(dir, dest);
                }
                if (!next)
                        return -ENOMEM;
                free(cur);
                cur = path_simplify(next);
        }
        return -ELOOP;
}

/* ---- what a unit installs ---- */

typedef struct InstallInfo {
        char *name;             /* the unit's name, instance filled in */
        char *path;             /* fragment, root included */
        bool masked;
        UnitConfig *config;     /* [Install] of fragment + drop-ins; NULL if masked */
} InstallInfo;

static void install_info_done(InstallInfo *i) {
        free(i->name);
        free(i->path);
        unit_config_free(i->config);
        *i = (InstallInfo) {};
}

/* Find and parse name.  -ENOENT if there is no unit file. */
static int install_info_load(const InstallPaths *ip, const char *name, InstallInfo *ret) {
        _cleanup_(unit_file_info_done) UnitFileInfo fi = {};
        SpecifierContext sc = {};
        InstallInfo i = {};
        int r;

        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        r = unit_file_find(ip->lookup, name, &fi);
        if (r < 0)
                return r;
        i.name = TAKE_PTR(fi.id);
        i.path = TAKE_PTR(fi.fragment_path);
        i.masked = fi.masked;
        /* A linked unit file (a symlink to outside the search path) is
         * installed as the file it points to, found below the root. */
        struct stat st;
        bool linked = !i.masked && lstat(i.path, &st) >= 0 && S_ISLNK(st.st_mode);
        if (linked) {
                _cleanup_free_ char *target = NULL;
                r = resolve_link(ip->lookup, i.path, &target);
                if (r >= 0) {
                        free(i.path);
                        i.path = with_root(ip->lookup, target);
                        r = i.path ? 0 : -ENOMEM;
                }
                if (r < 0) {
                        install_info_done(&i);
                        return r;
                }
        }
        if (!i.masked) {
                r = specifier_context_init_manager(&sc, ip->lookup->user);
                if (r >= 0)
                        r = unit_load(ip->lookup, linked ? i.path : name, &sc, &i.config, NULL);
                specifier_context_done(&sc);
                if (r < 0) {
                        install_info_done(&i);
                        return r;
                }
        }
        *ret = i;
        return 0;
}

static const InstallConfig *install_config(const InstallInfo *i) {
        static const InstallConfig empty = {};
        return i->config ? &i->config->install : &empty;
}

static bool install_has_rules(const InstallConfig *c) {
        return !strv_isempty(c->alias) || !strv_isempty(c->wanted_by) || !strv_isempty(c->required_by) ||
               !strv_isempty(c->upheld_by);
}

/* ---- enable ---- */

/* Create link -> target (target root-stripped), as systemd's
 * create_symlink(): an identical link is fine, another is replaced only
 * with force. */
static int create_link(const InstallPaths *ip, const char *target, const char *link, bool force,
                       InstallChanges *changes) {
        _cleanup_free_ char *dest = NULL, *tmp = NULL;
        int r;

        mkdir_parents(link);
        if (symlink(target, link) >= 0)
                return install_changes_add(changes, INSTALL_CHANGE_SYMLINK, link, target);
        if (errno != EEXIST)
                return install_changes_add(changes, -errno, link, NULL);
        r = readlink_alloc(link, &dest);
        if (r < 0)
                return install_changes_add(changes, r == -EINVAL ? -EEXIST : r, link, NULL);
        if (streq(dest, target))
                return 0;
        /* Equivalent texts: both end at the same file (systemd's
         * chroot_unit_symlinks_equivalent()). */
        _cleanup_free_ char *a = NULL, *b = NULL, *rooted = with_root(ip->lookup, target);
        if (!rooted)
                return -ENOMEM;
        if (resolve_link(ip->lookup, link, &a) >= 0 && resolve_link(ip->lookup, rooted, &b) >= 0 && streq(a, b))
                return 0;
        if (!force)
                return install_changes_add(changes, -EEXIST, link, dest);
        if (asprintf(&tmp, "%s.porter-tmp", link) < 0)
                return -ENOMEM;
        (void) unlink(tmp);
        if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return install_changes_add(changes, r, link, NULL);
        }
        r = install_changes_add(changes, INSTALL_CHANGE_UNLINK, link, NULL);
        if (r >= 0)
                r = install_changes_add(changes, INSTALL_CHANGE_SYMLINK, link, target);
        return r;
}

/* Alias= names must keep the type and the template-ness; an instance's
 * template alias gets the instance (systemd's unit_file_verify_alias). */
static int alias_name(const InstallInfo *i, const char *alias, char **ret, InstallChanges *changes) {
        const char *s1 = strrchr(i->name, '.'), *s2 = strrchr(alias, '.');

        if (!unit_name_is_valid(alias, UNIT_NAME_ANY) || !s1 || !s2 || !streq(s1, s2))
                return install_changes_add(changes, -EXDEV, alias, i->path);
        if (unit_name_is_valid(i->name, UNIT_NAME_INSTANCE) && unit_name_is_valid(alias, UNIT_NAME_TEMPLATE)) {
                _cleanup_free_ char *inst = NULL;
                int r = unit_name_to_instance(i->name, &inst);
                if (r < 0)
                        return r;
                return unit_name_replace_instance(alias, inst, ret);
        }
        if (unit_name_is_valid(i->name, UNIT_NAME_TEMPLATE) != unit_name_is_valid(alias, UNIT_NAME_TEMPLATE) ||
            (unit_name_is_valid(i->name, UNIT_NAME_PLAIN) && !unit_name_is_valid(alias, UNIT_NAME_PLAIN)))
                return install_changes_add(changes, -EXDEV, alias, i->path);
        *ret = strdup(alias);
        return *ret ? 0 : -ENOMEM;
}

static int link_aliases(const InstallPaths *ip, const InstallInfo *i, const char *target, bool force,
                        InstallChanges *changes) {
        int ret = 0, r;

        STRV_FOREACH(a, install_config(i)->alias) {
                _cleanup_free_ char *name = NULL, *link = NULL;
                r = alias_name(i, *a, &name, changes);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        ret = ret ?: r;
                        continue;
                }
                link = path_join(install_target_dir(ip), name);
                if (!link)
                        return -ENOMEM;
                r = create_link(ip, target, link, force, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
        }
        return ret;
}

static int unit_exists(const InstallPaths *ip, const char *name) {
        _cleanup_(unit_file_info_done) UnitFileInfo fi = {};
        int r = unit_file_find(ip->lookup, name, &fi);
        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

/* WantedBy=/RequiredBy=/UpheldBy=: CONFIG/T<suffix>/N -> target. */
static int link_wants(const InstallPaths *ip, const InstallInfo *i, char **list, const char *suffix,
                      const char *target, InstallChanges *changes) {
        _cleanup_free_ char *inst_name = NULL;
        UnitNameFlags dst_type = UNIT_NAME_ANY;
        const char *n = i->name;
        int ret = 0, r;

        if (strv_isempty(list))
                return 0;
        if (!unit_name_is_valid(i->name, UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE)) {
                const char *def = install_config(i)->default_instance;
                if (def) {
                        r = unit_name_replace_instance(i->name, def, &inst_name);
                        if (r < 0)
                                return r;
                        n = inst_name;
                } else
                        dst_type = UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE;
        }
        STRV_FOREACH(t, list) {
                _cleanup_free_ char *link = NULL;
                if (!unit_name_is_valid(*t, dst_type)) {
                        r = unit_name_is_valid(*t, UNIT_NAME_ANY) ? install_changes_add(changes, -EIDRM, *t, n)
                                                                  : install_changes_add(changes, -EUCLEAN, *t, NULL);
                        if (r == -ENOMEM)
                                return r;
                        ret = ret ?: r;
                        continue;
                }
                link = strjoin(install_target_dir(ip), "/", *t, suffix, "/", n);
                if (!link)
                        return -ENOMEM;
                r = create_link(ip, target, link, true, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
                r = unit_exists(ip, *t);
                if (r == 0)
                        r = install_changes_add(changes, INSTALL_CHANGE_DESTINATION_NOT_PRESENT, *t, i->path);
                if (r == -ENOMEM)
                        return r;
        }
        return ret;
}

static int enable_one(const InstallPaths *ip, const char *name, bool force, bool auxiliary, char ***seen,
                      InstallChanges *changes) {
        _cleanup_(install_info_done) InstallInfo i = {};
        const InstallConfig *c;
        const char *target;
        int ret = 0, r;

        if (strv_contains(*seen, name))
                return 0;
        if (strv_extend(seen, name) < 0)
                return -ENOMEM;
        r = install_info_load(ip, name, &i);
        if (r == -EINVAL)
                return install_changes_add(changes, -EUCLEAN, name, NULL);
        if (r == -ENOENT && auxiliary)
                return 0; /* a missing Also= unit is not an error, as in systemd */
        if (r < 0)
                return r == -ENOMEM ? r : install_changes_add(changes, r, name, NULL);
        if (i.masked)
                return install_changes_add(changes, -ERFKILL, i.path, NULL);
        if ((r = path_is_generator(ip, i.path)) != 0 || (r = path_is_transient(ip, i.path)) != 0)
                return r < 0 ? r : install_changes_add(changes, -EADDRNOTAVAIL, i.path, NULL);

        c = install_config(&i);
        if (!install_has_rules(c) && strv_isempty(c->also)) {
                r = install_changes_add(changes, INSTALL_CHANGE_NO_INSTALL_INFO, i.name, NULL);
                return r == -ENOMEM ? r : 0;
        }
        target = skip_root(ip->lookup, i.path);
        r = link_aliases(ip, &i, target, force, changes);
        if (r == -ENOMEM)
                return r;
        ret = ret ?: r;
        static const struct { size_t offset; const char *suffix; } kinds[] = {
                { offsetof(InstallConfig, wanted_by), ".wants" },
                { offsetof(InstallConfig, required_by), ".requires" },
                { offsetof(InstallConfig, upheld_by), ".upholds" },
        };
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                char **list = *(char ***) ((const char *) c + kinds[k].offset);
                r = link_wants(ip, &i, list, kinds[k].suffix, target, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
        }
        STRV_FOREACH(a, c->also) {
                r = enable_one(ip, *a, force, true, seen, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
        }
        return ret;
}

int unit_file_enable(const InstallPaths *ip, char * const *names, bool force, InstallChanges *changes) {
        _cleanup_strv_free_ char **seen = NULL;
        int ret = 0, r;

        STRV_FOREACH(n, names) {
                r = enable_one(ip, *n, force, false, &seen, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
        }
        return ret;
}

/* ---- disable ---- */

/* Collect name and its Also= units into *marks. */
static int mark_for_removal(const InstallPaths *ip, const char *name, bool auxiliary, char ***marks,
                            InstallChanges *changes) {
        _cleanup_(install_info_done) InstallInfo i = {};
        int r;

        if (strv_contains(*marks, name))
                return 0;
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return install_changes_add(changes, -EUCLEAN, name, NULL);
        r = install_info_load(ip, name, &i);
        if (r == -ENOENT) {
                /* Reported, but leftover links of a removed unit still go
                 * (a missing Also= unit is not even reported). */
                if (auxiliary)
                        return 0;
                if (strv_extend(marks, name) < 0)
                        return -ENOMEM;
                r = install_changes_add(changes, -ENOENT, name, NULL);
                return r == -ENOMEM ? r : 0;
        }
        if (r < 0)
                return r == -ENOMEM ? r : install_changes_add(changes, r, name, NULL);
        if (i.masked) {
                r = install_changes_add(changes, INSTALL_CHANGE_IS_MASKED, i.path, NULL);
                return r == -ENOMEM ? r : 0;
        }
        if (strv_extend(marks, name) < 0 || (!streq(name, i.name) && strv_extend(marks, i.name) < 0))
                return -ENOMEM;
        STRV_FOREACH(a, install_config(&i)->also) {
                r = mark_for_removal(ip, *a, true, marks, changes);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

static bool link_is_marked(const InstallPaths *ip, const char *path, const char *name, char **marks) {
        _cleanup_free_ char *template = NULL, *dest = NULL, *base = NULL;

        if (strv_contains(marks, name))
                return true;
        if (unit_name_template(name, &template) >= 0 && strv_contains(marks, template))
                return true;
        if (resolve_link(ip->lookup, path, &dest) < 0)
                return false;
        if (strv_contains(marks, dest))
                return true;
        return path_extract_filename(dest, &base) >= 0 && strv_contains(marks, base);
}

/* One pass over dir (recursively): remove marked links, mark what was
 * removed.  *removed counts them.  0 or -ENOMEM (other failures are
 * recorded in changes). */
static int remove_marked_in(const InstallPaths *ip, const char *dir, char ***marks, unsigned *removed,
                            InstallChanges *changes) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        struct dirent *de;
        int r;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                if (de->d_name[0] == '.')
                        continue;
                p = path_join(dir, de->d_name);
                if (!p)
                        return -ENOMEM;
                if (de->d_type == DT_DIR) {
                        r = remove_marked_in(ip, p, marks, removed, changes);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (de->d_type != DT_LNK || !unit_name_is_valid(de->d_name, UNIT_NAME_ANY) ||
                    !link_is_marked(ip, p, de->d_name, *marks))
                        continue;
                if (unlink(p) < 0 && errno != ENOENT) {
                        r = install_changes_add(changes, -errno, p, NULL);
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                rmdir_parents(p, install_target_dir(ip));
                (*removed)++;
                r = install_changes_add(changes, INSTALL_CHANGE_UNLINK, p, NULL);
                if (r < 0 || strv_extend(marks, skip_root(ip->lookup, p)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int unit_file_disable(const InstallPaths *ip, char * const *names, InstallChanges *changes) {
        _cleanup_strv_free_ char **marks = NULL;
        unsigned removed;
        int r;

        STRV_FOREACH(n, names) {
                r = mark_for_removal(ip, *n, false, &marks, changes);
                if (r == -ENOMEM)
                        return r;
        }
        /* A removed link may make others (aliases of it) removable: repeat
         * until a pass removes nothing. */
        do {
                removed = 0;
                r = remove_marked_in(ip, install_target_dir(ip), &marks, &removed, changes);
                if (r < 0)
                        return r;
        } while (removed > 0);
        /* The first failure; a missing unit only when nothing else failed. */
        r = 0;
        for (size_t k = 0; changes && k < changes->n; k++)
                if (changes->changes[k].type < 0 && (r == 0 || r == -ENOENT))
                        r = changes->changes[k].type;
        return r;
}

/* ---- mask / unmask ---- */

int unit_file_mask(const InstallPaths *ip, char * const *names, bool force, InstallChanges *changes) {
        int ret = 0, r;

        STRV_FOREACH(n, names) {
                _cleanup_free_ char *link = NULL;
                if (!unit_name_is_valid(*n, UNIT_NAME_ANY)) {
                        ret = ret ?: install_changes_add(changes, -EUCLEAN, *n, NULL);
                        continue;
                }
                link = path_join(install_target_dir(ip), *n);
                if (!link)
                        return -ENOMEM;
                r = create_link(ip, "/dev/null", link, force, changes);
                if (r == -ENOMEM)
                        return r;
                ret = ret ?: r;
        }
        return ret;
}

int unit_file_unmask(const InstallPaths *ip, char * const *names, InstallChanges *changes) {
        int ret = 0, r;

        STRV_FOREACH(n, names) {
                _cleanup_free_ char *link = NULL;
                if (!unit_name_is_valid(*n, UNIT_NAME_ANY)) {
                        ret = ret ?: install_changes_add(changes, -EUCLEAN, *n, NULL);
                        continue;
                }
                link = path_join(install_target_dir(ip), *n);
                if (!link)
                        return -ENOMEM;
                if (null_or_empty_path(link) <= 0)
                        continue;
                if (unlink(link) < 0) {
                        ret = ret ?: install_changes_add(changes, -errno, link, NULL);
                        continue;
                }
                r = install_changes_add(changes, INSTALL_CHANGE_UNLINK, link, NULL);
                if (r < 0)
                        return r;
        }
        return ret;
}

/* ---- is-enabled ---- */

static bool known_link_name(const InstallInfo *i, const char *name) {
        const char *def = install_config(i)->default_instance;
        _cleanup_free_ char *s = NULL;

        if (streq(name, i->name) || strv_contains(install_config(i)->alias, name))
                return true;
        return def && unit_name_is_valid(i->name, UNIT_NAME_TEMPLATE) &&
               unit_name_replace_instance(i->name, def, &s) >= 0 && streq(name, s);
}

/* systemd's find_symlinks_in_directory(): 1 if dir holds a link that
 * enables i, 0 if not (*same_name set for a top-level link named like the
 * unit pointing at a file of that name: a "linked" unit). */
static int find_links_in_dir(const char *dir, const char *config, const InstallInfo *i, bool top_level,
                             bool match_name, bool ignore_same_name, bool *same_name) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                bool found_path = false, found_dest = false;
                if (de->d_type != DT_LNK)
                        continue;
                if (top_level) {
                        _cleanup_free_ char *p = path_join(dir, de->d_name), *dest = NULL, *base = NULL;
                        if (!p)
                                return -ENOMEM;
                        if (readlink_alloc(p, &dest) < 0)
                                continue;
                        found_dest = path_extract_filename(dest, &base) >= 0 && streq(base, i->name);
                        found_path = !ignore_same_name && streq(de->d_name, i->name);
                } else {
                        _cleanup_free_ char *template = NULL;
                        found_path = streq(de->d_name, i->name);
                        if (!found_path && unit_name_template(de->d_name, &template) >= 0)
                                found_dest = streq(template, i->name);
                }
                /* A top-level link with the unit's own name to a file of
                 * that name: the unit is linked, not enabled. */
                if (found_path && found_dest && top_level && streq(dir, config))
                        *same_name = true;
                else if ((found_path || found_dest) && (!match_name || known_link_name(i, de->d_name)))
                        return 1;
        }
        return 0;
}

static int find_links(const char *config, const InstallInfo *i, bool match_name, bool ignore_same_name,
                      bool *same_name) {
        _cleanup_(closedirp) DIR *d = opendir(config);
        struct dirent *de;
        int r;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                const char *suffix = strrchr(de->d_name, '.');
                _cleanup_free_ char *p = NULL;
                if (de->d_type != DT_DIR || !suffix ||
                    !(streq(suffix, ".wants") || streq(suffix, ".requires") || streq(suffix, ".upholds")))
                        continue;
                p = path_join(config, de->d_name);
                if (!p)
                        return -ENOMEM;
                r = find_links_in_dir(p, config, i, false, match_name, ignore_same_name, same_name);
                if (r != 0)
                        return r;
        }
        return find_links_in_dir(config, config, i, true, match_name, ignore_same_name, same_name);
}

/* systemd's find_symlinks_in_scope(). */
static int find_links_in_scope(const InstallPaths *ip, const InstallInfo *i, bool match_name,
                               UnitFileState *ret) {
        bool same_runtime = false, same_config = false, in_runtime = false, at_all = false, ignore_same = false;
        int r;

        STRV_FOREACH(p, ip->lookup->search_path) {
                bool same_name = false;
                r = find_links(*p, i, match_name, ignore_same, &same_name);
                if (r < 0)
                        return r;
                if (r > 0) {
                        /* The configuration directory, or for user units
                         * the global one (systemctl --global enable). */
                        if (streq(*p, ip->config) ||
                            (ip->lookup->user && streq(skip_root(ip->lookup, *p), "/etc/systemd/user"))) {
                                *ret = UNIT_FILE_ENABLED;
                                return 1;
                        }
                        r = path_is_runtime(ip, *p);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                in_runtime = true;
                        else
                                at_all = true;
                } else if (same_name) {
                        if (streq(*p, ip->config))
                                same_config = true;
                        else if ((r = path_is_runtime(ip, *p)) > 0)
                                same_runtime = true;
                        else if (r < 0)
                                return r;
                }
                if (!ignore_same && i->path && path_startswith(i->path, *p))
                        ignore_same = true;
        }
        /* Links in vendor directories (/usr/lib/...) enable nothing, except
         * that an instance linked there is statically enabled: it is
         * explicitly instantiated, not merely aliased. */
        if (at_all && !unit_name_is_valid(i->name, UNIT_NAME_INSTANCE))
                at_all = false;
        if (in_runtime || at_all || same_runtime || same_config) {
                *ret = in_runtime ? UNIT_FILE_ENABLED_RUNTIME : at_all ? UNIT_FILE_STATIC :
                       same_config ? UNIT_FILE_LINKED : UNIT_FILE_LINKED_RUNTIME;
                return 1;
        }
        return 0;
}

int unit_file_get_state(const InstallPaths *ip, const char *name, UnitFileState *ret) {
        _cleanup_(install_info_done) InstallInfo i = {};
        _cleanup_free_ char *base = NULL;
        int r;

        r = install_info_load(ip, name, &i);
        if (r < 0)
                return r;
        if (i.masked) {
                r = path_is_runtime(ip, i.path);
                if (r < 0)
                        return r;
                *ret = r > 0 ? UNIT_FILE_MASKED_RUNTIME : UNIT_FILE_MASKED;
                return 0;
        }
        r = path_extract_filename(i.path, &base);
        if (r < 0)
                return r;
        if (!streq(base, name) && !unit_name_is_valid(i.name, UNIT_NAME_INSTANCE)) {
                *ret = UNIT_FILE_ALIAS;
                return 0;
        }
        if ((r = path_is_generator(ip, i.path)) != 0) {
                if (r > 0)
                        *ret = UNIT_FILE_GENERATED;
                return r < 0 ? r : 0;
        }
        if ((r = path_is_transient(ip, i.path)) != 0) {
                if (r > 0)
                        *ret = UNIT_FILE_TRANSIENT;
                return r < 0 ? r : 0;
        }
        r = find_links_in_scope(ip, &i, true, ret);
        if (r != 0)
                return r < 0 ? r : 0;
        r = find_links_in_scope(ip, &i, false, ret);
        if (r < 0)
                return r;
        if (r > 0)
                *ret = UNIT_FILE_INDIRECT;
        else if (install_has_rules(install_config(&i)))
                *ret = UNIT_FILE_DISABLED;
        else
                *ret = strv_isempty(install_config(&i)->also) ? UNIT_FILE_STATIC : UNIT_FILE_INDIRECT;
        return 0;
}
