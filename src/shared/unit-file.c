/* SPDX-License-Identifier: MIT */
/* Finding a unit's fragment, aliases, drop-ins and .wants/.requires/.upholds
 * entries in the search path; the rules are in unit-file.h.
 *
 * As systemd does, a lookup works on a map of every unit name in the
 * search path to what it stands for: an absolute path (the fragment, or a
 * linked/masking symlink) or another unit name (an alias).  The fragment of
 * a name is found by following the map; the aliases of a fragment are the
 * names whose chain ends at it (found through a sorted index, so that a
 * lookup does not walk every name).  The map is built once per lookup, or
 * once for many lookups when the caller keeps it in a UnitFileCache:
 * building it costs a readdir() of every search directory and a readlink()
 * per symlink, which at 10,000 units is the whole cost of loading them. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-name.h"

#define ALIAS_HOPS_MAX 32

typedef struct NameEntry {
        char *name;
        char *value; /* absolute path, or the unit name an alias points to */
} NameEntry;

/* A set of strings (open addressing, at most half full): the drop-in
 * directories seen while scanning, and the names already collected from
 * them, are probed once per unit and must not cost a walk of a list. */
typedef struct StringSet {
        char **slots; /* owned strings; NULL = empty slot */
        size_t size, n;
} StringSet;

/* An alias candidate: the name of entries[entry] resolves to the unit file
 * at path, whose file name (with the entry's instance filled in when the
 * file is a template and the entry an instance) is target. */
typedef struct AliasRef {
        char *target;
        const char *path; /* points into entries[].value */
        size_t entry;
} AliasRef;

typedef struct NameMap {
        NameEntry *entries;
        size_t n, allocated;
        char **notices; /* rejected alias symlinks, systemd's messages */
        /* realpath() of the last symlink target directory: most symlinks
         * of a directory point into the same one or two places. */
        char *last_parent, *last_real;
        /* Every "dir/x.d", "dir/x.wants", ... directory seen while scanning,
         * and its last component alone: the drop-in walk probes many names in
         * every search directory, and a lookup in memory is far cheaper than
         * a stat() each (systemd's unit_path_cache). */
        StringSet dropin_dirs, dropin_leaves;
        /* Which kinds of those directories exist at all (DROPIN_KIND_*
         * bits): a kind no directory has (most trees have no .requires/)
         * is answered for every unit without a lookup. */
        unsigned dropin_kinds;
        /* Open-addressing hash index into entries (SIZE_MAX = empty), kept
         * at most half full, so that lookups do not scan the whole map. */
        size_t *index;
        size_t index_size;
        /* Every entry whose chain ends at a unit file, sorted by target and
         * then by entry (scan order), so that the names of one file are a
         * run found by binary search. */
        AliasRef *aliases;
        size_t n_aliases;
        /* Open-addressing hash index (SIZE_MAX = empty) of the first
         * reference of each run of one target, at most half full: a lookup
         * is a hash and one compare, not a binary search whose every step
         * is a cache miss on another string. */
        size_t *alias_runs;
        size_t alias_runs_size;
} NameMap;

struct UnitFileCache {
        char **search_path; /* the search path the map was built from */
        char *root_dir;
        uint64_t mtime_hash; /* of the search directories, at the scan */
        uint64_t scan_time;    /* ns, CLOCK_REALTIME: when the scan began */
        NameMap map;
};

static size_t name_hash(const char *s) {
        size_t h = 5381; /* djb2: good enough for unit names */

        for (; *s; s++)
                h = h * 33 + (unsigned char) *s;
        return h;
}

static void string_set_done(StringSet *s) {
        for (size_t i = 0; i < s->size; i++)
                free(s->slots[i]);
        free(s->slots);
        *s = (StringSet) {};
}

static size_t string_set_slot(const StringSet *s, const char *str) {
        size_t mask = s->size - 1, i = name_hash(str) & mask;

        while (s->slots[i] && !streq(s->slots[i], str))
                i = (i + 1) & mask;
        return i;
}

static bool string_set_contains(const StringSet *s, const char *str) {
        return s->size > 0 && s->slots[string_set_slot(s, str)];
}

static int string_set_grow(StringSet *s) {
        size_t size = s->size ? s->size * 2 : 64;
        char **slots = new0(char *, size);
        StringSet bigger = { slots, size, s->n };

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < s->size; i++)
                if (s->slots[i])
                        slots[string_set_slot(&bigger, s->slots[i])] = s->slots[i];
        free(s->slots);
        *s = bigger;
        return 0;
}

/* Add a copy of str.  1 if added, 0 if it was there, -ENOMEM.  The string
 * is hashed and probed once unless the table has to grow. */
static int string_set_put(StringSet *s, const char *str) {
        size_t i = 0;

        if (s->size > 0) {
                i = string_set_slot(s, str);
                if (s->slots[i])
                        return 0;
        }
        if (2 * (s->n + 1) > s->size) {
                if (string_set_grow(s) < 0)
                        return -ENOMEM;
                i = string_set_slot(s, str);
        }
        s->slots[i] = strdup(str);
        if (!s->slots[i])
                return -ENOMEM;
        s->n++;
        return 1;
}

static void name_map_done(NameMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->entries[i].name);
                free(m->entries[i].value);
        }
        free(m->entries);
        strv_free(m->notices);
        free(m->last_parent);
        free(m->last_real);
        string_set_done(&m->dropin_dirs);
        string_set_done(&m->dropin_leaves);
        free(m->index);
        for (size_t i = 0; i < m->n_aliases; i++)
                free(m->aliases[i].target);
        free(m->aliases);
        free(m->alias_runs);
        *m = (NameMap) {};
}

/* The slot of name in the index, or the empty slot where it would go. */
static size_t name_map_slot(const NameMap *m, const char *name) {
        size_t mask = m->index_size - 1, i = name_hash(name) & mask;

        while (m->index[i] != SIZE_MAX && !streq(m->entries[m->index[i]].name, name))
                i = (i + 1) & mask;
        return i;
}

static const char *name_map_get(const NameMap *m, const char *name) {
        size_t i;

        if (m->index_size == 0)
                return NULL;
        i = name_map_slot(m, name);
        return m->index[i] == SIZE_MAX ? NULL : m->entries[m->index[i]].value;
}

/* Grow the index to twice the entries it must hold, and refill it. */
static int name_map_reindex(NameMap *m, size_t need) {
        size_t size = 64;

        while (size < 2 * need)
                size *= 2;
        if (size <= m->index_size)
                return 0;
        free(m->index);
        m->index = new(size_t, size);
        if (!m->index) {
                m->index_size = 0;
                return -ENOMEM;
        }
        m->index_size = size;
        memset(m->index, 0xff, size * sizeof(size_t)); /* all SIZE_MAX */
        for (size_t k = 0; k < m->n; k++)
                m->index[name_map_slot(m, m->entries[k].name)] = k;
        return 0;
}

/* Takes ownership of name and value (also on failure).  The name must not
 * be in the map yet. */
static int name_map_put(NameMap *m, char *name, char *value) {
        if (!GREEDY_REALLOC(m->entries, m->allocated, m->n + 1) || name_map_reindex(m, m->n + 1) < 0) {
                free(name);
                free(value);
                return -ENOMEM;
        }
        m->entries[m->n] = (NameEntry) { name, value };
        m->index[name_map_slot(m, name)] = m->n;
        m->n++;
        return 0;
}

/* Follow aliases from name to an absolute path.  -ENOENT if the chain
 * ends at an unknown name, -ELOOP after ALIAS_HOPS_MAX hops. */
static int name_map_resolve(const NameMap *m, const char *name, const char **ret) {
        const char *n = name;

        for (unsigned hops = 0; hops < ALIAS_HOPS_MAX; hops++) {
                const char *v = name_map_get(m, n);

                if (!v)
                        return -ENOENT;
                if (path_is_absolute(v)) {
                        *ret = v;
                        return 0;
                }
                n = v;
        }
        return -ELOOP;
}

static bool null_or_empty(const struct stat *st) {
        if (S_ISREG(st->st_mode))
                return st->st_size <= 0;
        /* systemd treats any device node as "null". */
        return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
}

int null_or_empty_path(const char *path) {
        struct stat st;

        if (streq(path, "/dev/null"))
                return 1;
        if (stat(path, &st) < 0)
                return -errno;
        return null_or_empty(&st);
}

/* null_or_empty_path() of a fragment that will be parsed next: open it and
 * fstat() the fd, which info keeps for the parser when the fragment is not
 * masked (one path resolution instead of two).  Where open() fails, the
 * answer comes from stat() as before, and the parser reports the error. */
static int fragment_open_check(const char *path, UnitFileInfo *info) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (streq(path, "/dev/null"))
                return 1;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return null_or_empty_path(path);
        r = null_or_empty(&st);
        if (r == 0) {
                info->fragment_fd = TAKE_FD(fd);
                info->fragment_fd_open = true;
                info->fragment_regular = S_ISREG(st.st_mode);
        }
        return r;
}

/* systemd's unit_validate_alias_symlink_or_warn(): may the symlink named
 * src point to the unit file named dst?  0 or a negative errno; for a
 * rejection systemd reports, *ret_notice gets its message (else NULL). */
static int alias_is_valid(const char *src, const char *dst, char **ret_notice) {
        _cleanup_free_ char *src_inst = NULL, *dst_inst = NULL;
        char buf[1024];
        int st, dt;
        UnitType type;

        *ret_notice = NULL;
        st = unit_name_to_instance(src, &src_inst);
        if (st < 0)
                return st;
        type = unit_name_to_type(src);

        if (!unit_type_may_alias(type))
                snprintf(buf, sizeof buf, "%s: symlinks are not allowed for units of this type, rejecting.", src);
        else if (st != UNIT_NAME_PLAIN && !unit_type_may_template(type))
                snprintf(buf, sizeof buf, "%s: templates not allowed for %s units, rejecting.", src,
                         unit_type_to_string(type));
        else if (streq(src, dst))
                return -ELOOP; /* a symlink to the same name elsewhere: silent */
        else if ((dt = unit_name_to_instance(dst, &dst_inst)) < 0)
                snprintf(buf, sizeof buf, "%s points to \"%s\" which is not a valid unit name: %s", src, dst,
                         strerror(EXDEV));
        else if (!(dt == st || (st == UNIT_NAME_INSTANCE && dt == UNIT_NAME_TEMPLATE)))
                snprintf(buf, sizeof buf, "%s: symlink target name type \"%s\" does not match source, rejecting.",
                         src, dst);
        else if (dt == UNIT_NAME_INSTANCE && !streq(src_inst, dst_inst))
                snprintf(buf, sizeof buf, "%s: unit symlink target \"%s\" instance name doesn't match, rejecting.",
                         src, dst);
        else if (unit_name_to_type(dst) != type)
                snprintf(buf, sizeof buf, "%s: symlink target \"%s\" has incompatible suffix, rejecting.", src, dst);
        else
                return 0;

        *ret_notice = strdup(buf);
        return *ret_notice ? -EXDEV : -ENOMEM;
}

/* The symlink's target as an absolute path with the directories resolved
 * but not the last component (systemd: chase() with CHASE_NOFOLLOW), so that
 * /etc/systemd/system/x.service -> /lib/systemd/system/y.service is seen
 * inside /usr/lib/systemd/system on a merged-/usr system. */
/* realpath(parent), remembered for the next call; NULL if it fails. */
static char *realpath_cached(NameMap *m, const char *parent) {
        if (!m->last_parent || !streq(m->last_parent, parent)) {
                free(m->last_parent);
                free(m->last_real);
                m->last_real = realpath(parent, NULL);
                m->last_parent = strdup(parent);
                if (!m->last_parent) {
                        free(m->last_real);
                        m->last_real = NULL;
                }
        }
        return m->last_real ? strdup(m->last_real) : NULL;
}

static int symlink_target(NameMap *m, const char *dir, const char *link, const char *root, char **ret) {
        _cleanup_free_ char *target = NULL, *abs = NULL, *parent = NULL, *file = NULL;
        char buf[PATH_MAX];
        char *real;
        ssize_t n;
        int r;

        n = readlink(link, buf, sizeof buf - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';

        if (!path_is_absolute(buf))
                abs = path_join(dir, buf);
        else
                abs = root ? path_join(root, buf) : strdup(buf);
        if (!abs)
                return -ENOMEM;
        path_simplify(abs);

        r = path_extract_filename(abs, &file);
        if (r < 0)
                return r;
        r = path_extract_directory(abs, &parent);
        if (r < 0)
                return r;
        real = realpath_cached(m, parent);
        if (real) {
                target = path_join(real, file);
                free(real);
        } else
                target = TAKE_PTR(abs);
        if (!target)
                return -ENOMEM;
        *ret = TAKE_PTR(target);
        return 0;
}

/* What the symlink dir/name stands for (see the top of this file), or a
 * negative errno when it is to be ignored. */
static int resolve_symlink(NameMap *m, char **search_path, const char *root, const char *dir,
                           const char *name, char **ret, char **ret_notice) {
        _cleanup_free_ char *link = NULL, *target = NULL, *target_name = NULL;
        bool inside = false;
        int r;

        link = path_join(dir, name);
        if (!link)
                return -ENOMEM;
        r = symlink_target(m, dir, link, root, &target);
        if (r < 0)
                return r;

        STRV_FOREACH(p, search_path)
                if (path_startswith(target, *p)) {
                        inside = true;
                        break;
                }
        if (!inside) {
                /* A linked unit file or a mask: the link is the fragment. */
                *ret = TAKE_PTR(link);
                return 0;
        }

        r = path_extract_filename(target, &target_name);
        if (r < 0)
                return r;
        r = alias_is_valid(name, target_name, ret_notice);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(target_name);
        return 0;
}

/* The directory suffixes the drop-in walk looks for, as bits. */
enum {
        DROPIN_KIND_D = 1 << 0,
        DROPIN_KIND_WANTS = 1 << 1,
        DROPIN_KIND_REQUIRES = 1 << 2,
        DROPIN_KIND_UPHOLDS = 1 << 3,
};

/* The DROPIN_KIND_* bit of a name ending in ".d", ".wants", ".requires" or
 * ".upholds" (the suffix alone: "x.d"), else 0. */
static unsigned dropin_kind(const char *name) {
        size_t n = strlen(name);

        /* Every suffix ends in 'd' or 's': most unit names are answered by
         * their last byte (the scan asks for each entry). */
        if (n == 0 || (name[n - 1] != 'd' && name[n - 1] != 's'))
                return 0;
        if (endswith(name, ".d"))
                return DROPIN_KIND_D;
        if (endswith(name, ".wants"))
                return DROPIN_KIND_WANTS;
        if (endswith(name, ".requires"))
                return DROPIN_KIND_REQUIRES;
        if (endswith(name, ".upholds"))
                return DROPIN_KIND_UPHOLDS;
        return 0;
}

/* The DROPIN_KIND_* bit of a directory suffix itself (".wants"). */
static unsigned dropin_kind_of_suffix(const char *suffix) {
        return streq(suffix, ".d") ? DROPIN_KIND_D :
               streq(suffix, ".wants") ? DROPIN_KIND_WANTS :
               streq(suffix, ".requires") ? DROPIN_KIND_REQUIRES :
               streq(suffix, ".upholds") ? DROPIN_KIND_UPHOLDS : 0;
}

static int name_map_scan_dir(NameMap *m, char **search_path, const char *root, const char *dir) {
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        struct dirent *de;
        int r = 0;

        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0; /* a missing search directory is normal */
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);

        while ((de = readdir(d))) {
                struct stat st;
                char *name, *value = NULL;

                unsigned kind = dropin_kind(de->d_name);

                if (kind != 0) {
                        _cleanup_free_ char *path = NULL;
                        struct stat dst;

                        /* Only directories (also through a symlink) count:
                         * decided here, once, not at each lookup. */
                        if (de->d_type != DT_DIR &&
                            ((de->d_type != DT_LNK && de->d_type != DT_UNKNOWN) ||
                             fstatat(dirfd(d), de->d_name, &dst, 0) < 0 || !S_ISDIR(dst.st_mode)))
                                continue;
                        path = path_join(dir, de->d_name);
                        if (!path || string_set_put(&m->dropin_dirs, path) < 0 ||
                            string_set_put(&m->dropin_leaves, de->d_name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        m->dropin_kinds |= kind;
                        continue;
                }
                if (!unit_name_is_valid(de->d_name, UNIT_NAME_ANY))
                        continue;
                /* An earlier (higher-priority) directory already had it. */
                if (name_map_get(m, de->d_name))
                        continue;
                /* d_type saves a stat() per entry where the file system fills it. */
                if (de->d_type == DT_REG)
                        st.st_mode = S_IFREG;
                else if (de->d_type == DT_LNK)
                        st.st_mode = S_IFLNK;
                else if (de->d_type != DT_UNKNOWN ||
                         fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;

                if (S_ISREG(st.st_mode))
                        value = path_join(dir, de->d_name);
                else if (S_ISLNK(st.st_mode)) {
                        char *notice = NULL;
                        int k = resolve_symlink(m, search_path, root, dir, de->d_name, &value, &notice);

                        if (notice && strv_consume(&m->notices, notice) < 0)
                                k = -ENOMEM;
                        if (k == -ENOMEM) {
                                r = k;
                                break;
                        }
                        if (k < 0)
                                continue; /* a bad alias is ignored, as in systemd */
                } else
                        continue;
                if (!value) {
                        r = -ENOMEM;
                        break;
                }
                name = strdup(de->d_name);
                if (!name) {
                        free(value);
                        r = -ENOMEM;
                        break;
                }
                r = name_map_put(m, name, value);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r < 0 ? r : 0;
}

static int alias_ref_compare(const void *a, const void *b) {
        const AliasRef *x = a, *y = b;
        int c = strcmp(x->target, y->target);

        if (c != 0)
                return c;
        return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* path_extract_filename() with one strrchr() and strdup() for the common
 * case of a path not ending in '/' (every fragment and .wants/ entry of a
 * lookup); anything else goes to path_extract_filename() itself. */
static int path_file_name(const char *path, char **ret) {
        const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;

        if (*b == '\0')
                return path_extract_filename(path, ret);
        *ret = strdup(b);
        return *ret ? 0 : -ENOMEM;
}

/* The file name entries[i] stands for, as add_alias_names() compares it:
 * *ret NULL if the entry is not an alias candidate. */
static int name_map_alias_target(const NameMap *m, size_t i, const char **ret_path, char **ret) {
        _cleanup_free_ char *dst_name = NULL, *src_inst = NULL;
        const char *src = m->entries[i].name, *dst;
        int r;

        *ret = NULL;
        if (name_map_resolve(m, src, &dst) < 0)
                return 0;
        r = path_file_name(dst, &dst_name);
        if (r < 0)
                return r;
        /* instance -> template symlinks alias only that instance */
        if (unit_name_is_valid(dst_name, UNIT_NAME_TEMPLATE) &&
            unit_name_to_instance(src, &src_inst) == UNIT_NAME_INSTANCE) {
                char *x;

                r = unit_name_replace_instance(dst_name, src_inst, &x);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return 0;
                free_and_replace(dst_name, x);
        }
        *ret_path = dst;
        *ret = TAKE_PTR(dst_name);
        return 0;
}

/* Fill alias_runs from the sorted aliases. */
static int name_map_index_alias_runs(NameMap *m) {
        size_t size = 64, mask;

        while (size < 2 * m->n_aliases)
                size *= 2;
        m->alias_runs = new(size_t, size);
        if (!m->alias_runs)
                return -ENOMEM;
        m->alias_runs_size = size;
        mask = size - 1;
        memset(m->alias_runs, 0xff, size * sizeof(size_t)); /* all SIZE_MAX */
        for (size_t k = 0; k < m->n_aliases; k++) {
                size_t i;

                if (k > 0 && streq(m->aliases[k - 1].target, m->aliases[k].target))
                        continue; /* not the first of its run */
                for (i = name_hash(m->aliases[k].target) & mask; m->alias_runs[i] != SIZE_MAX; i = (i + 1) & mask)
                        ;
                m->alias_runs[i] = k;
        }
        return 0;
}

static int name_map_index_aliases(NameMap *m) {
        int r;

        m->aliases = new(AliasRef, m->n ?: 1);
        if (!m->aliases)
                return -ENOMEM;
        for (size_t i = 0; i < m->n; i++) {
                AliasRef *a = &m->aliases[m->n_aliases];

                r = name_map_alias_target(m, i, &a->path, &a->target);
                if (r < 0)
                        return r;
                if (!a->target)
                        continue;
                a->entry = i;
                m->n_aliases++;
        }
        qsort(m->aliases, m->n_aliases, sizeof(AliasRef), alias_ref_compare);
        return name_map_index_alias_runs(m);
}

/* The first alias reference with this target (n_aliases if none). */
static size_t name_map_first_alias(const NameMap *m, const char *target) {
        size_t mask, i;

        if (m->alias_runs_size == 0)
                return m->n_aliases;
        mask = m->alias_runs_size - 1;
        for (i = name_hash(target) & mask; m->alias_runs[i] != SIZE_MAX; i = (i + 1) & mask)
                if (streq(m->aliases[m->alias_runs[i]].target, target))
                        return m->alias_runs[i];
        return m->n_aliases;
}

static int name_map_build(NameMap *m, char **search_path, const char *root) {
        int r;

        STRV_FOREACH(p, search_path) {
                r = name_map_scan_dir(m, search_path, root, *p);
                if (r < 0)
                        return r;
        }
        return name_map_index_aliases(m);
}

/* Add every name whose chain ends at a fragment named key (with the
 * instance of the requested unit filled into template names) to names.
 * fragment_basename, if set, excludes instance names that have a fragment
 * of their own elsewhere (systemd's add_names()).  fragment (may be NULL)
 * and fragment_null, its null_or_empty_path() result, spare the stat() of
 * the fragment itself, which every plain unit names. */
static int add_alias_names(const NameMap *m, const char *key, int name_type, const char *instance,
                           const char *fragment_basename, const char *fragment, int fragment_null,
                           char ***names) {
        int r;

        /* The run of entries resolving to key, in scan order. */
        for (size_t k = name_map_first_alias(m, key); k < m->n_aliases && streq(m->aliases[k].target, key);
             k++) {
                _cleanup_free_ char *alias = NULL;
                const char *src = m->entries[m->aliases[k].entry].name;

                /* The costly part: a stat(), already done for the fragment
                 * (fragment_null is its null_or_empty_path() answer). */
                if ((fragment && streq(m->aliases[k].path, fragment) ? fragment_null
                                                                     : null_or_empty_path(m->aliases[k].path)) != 0)
                        continue;

                if (name_type == UNIT_NAME_INSTANCE && unit_name_is_valid(src, UNIT_NAME_TEMPLATE)) {
                        const char *inst_fragment = NULL;
                        _cleanup_free_ char *b = NULL;

                        r = unit_name_replace_instance(src, instance, &alias);
                        if (r < 0)
                                continue;
                        /* Skip an instance name that resolves elsewhere. */
                        if (name_map_resolve(m, alias, &inst_fragment) >= 0 && fragment_basename &&
                            path_extract_filename(inst_fragment, &b) >= 0 && !streq(b, fragment_basename))
                                continue;
                } else {
                        /* Usually the requested name itself: no copy. */
                        if (strv_contains(*names, src))
                                continue;
                        alias = strdup(src);
                        if (!alias)
                                return -ENOMEM;
                }
                if (strv_contains(*names, alias))
                        continue;
                r = strv_consume(names, TAKE_PTR(alias));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int strv_extend_unique(char ***l, const char *s) {
        return strv_contains(*l, s) ? 0 : strv_extend(l, s);
}

/* A new empty strv.  malloc(), not new0(): glibc's calloc() skips the
 * thread cache, and a lookup makes several of these (issue 6). */
static char **strv_new_empty(void) {
        char **l = new(char *, 1);

        if (l)
                l[0] = NULL;
        return l;
}

/* ---- drop-in directories (systemd's dropin.c) ------------------------- */

static bool hidden_or_backup_file(const char *name) {
#define SUFFIX(s) { s, sizeof(s) - 1 }
        static const struct {
                const char *s;
                size_t len;
        } suffixes[] = {
                SUFFIX("~"), SUFFIX(".rpmnew"), SUFFIX(".rpmsave"), SUFFIX(".rpmorig"),
                SUFFIX(".dpkg-old"), SUFFIX(".dpkg-new"), SUFFIX(".dpkg-tmp"), SUFFIX(".dpkg-dist"),
                SUFFIX(".dpkg-bak"), SUFFIX(".dpkg-backup"), SUFFIX(".dpkg-remove"), SUFFIX(".ucf-new"),
                SUFFIX(".ucf-old"), SUFFIX(".ucf-dist"), SUFFIX(".swp"), SUFFIX(".bak"), SUFFIX(".old"),
                SUFFIX(".new"),
        };
#undef SUFFIX
        size_t n;

        if (name[0] == '.')
                return true;
        /* Called for every directory entry (10,000 in a large .wants/): one
         * strlen(), and a suffix is compared only when its last byte
         * matches. */
        n = strlen(name);
        if (n == 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t k = suffixes[i].len;

                if (k <= n && suffixes[i].s[k - 1] == name[n - 1] && memcmp(name + n - k, suffixes[i].s, k) == 0)
                        return true;
        }
        return false;
}

/* Is leaf (base + suffix, written to leaf) the last component of a drop-in
 * directory the scan found anywhere?  Most names have no drop-in directory
 * at all: this answers for all search directories at once, without
 * building a path. */
static bool dropin_leaf_seen(const NameMap *m, const char *base, const char *suffix, char leaf[static NAME_MAX + 1]) {
        size_t a = strlen(base), b = strlen(suffix);

        if (m->dropin_leaves.n == 0 || a + b > NAME_MAX)
                return false; /* longer than any file name: cannot exist */
        memcpy(leaf, base, a);
        memcpy(leaf + a, suffix, b + 1);
        return string_set_contains(&m->dropin_leaves, leaf);
}

/* Add unit_path/base+suffix if the scan found it as a directory. */
static int add_dir_if_exists(const NameMap *m, const char *unit_path, const char *base, const char *suffix,
                             char ***dirs) {
        _cleanup_free_ char *path = NULL;
        char leaf[NAME_MAX + 1];

        if (!dropin_leaf_seen(m, base, suffix, leaf))
                return 0;
        path = path_join(unit_path, leaf);
        if (!path)
                return -ENOMEM;
        if (!string_set_contains(&m->dropin_dirs, path))
                return 0; /* not there, or not a directory, at the scan */
        return strv_extend_unique(dirs, path);
}

/* The names whose drop-in directories apply to name, in the order systemd
 * visits them: the name, its template (recursively), then the dash-prefix
 * truncation (a-b-c.socket -> a-b-.socket -> a-.socket), each again with
 * its template.  The list is the same for every search directory and every
 * directory suffix (.d, .wants, ...), so a lookup builds it once per name. */
static int dropin_bases(const char *name, char ***bases) {
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *built = NULL;
        bool is_instance, chopped = false;
        char *dash;
        int r;

        r = strv_extend(bases, name);
        if (r < 0)
                return r;

        is_instance = strchr(name, '@') && unit_name_is_valid(name, UNIT_NAME_INSTANCE);
        if (is_instance) {
                _cleanup_free_ char *template = NULL;

                r = unit_name_template(name, &template);
                if (r < 0)
                        return r;
                r = dropin_bases(template, bases);
                if (r < 0)
                        return r;
        }

        /* No dash, no truncation: the common case, answered without taking
         * the name apart. */
        if (!strchr(name, '-'))
                return 0;
        r = unit_name_to_prefix(name, &prefix);
        if (r < 0)
                return r;
        for (;;) {
                size_t n;

                dash = strrchr(prefix, '-');
                if (!dash)
                        return 0;
                n = (size_t) (dash - prefix);
                if (n == 0) /* a leading dash ends the walk */
                        return 0;
                if (prefix[n + 1] != '\0' || chopped) {
                        prefix[n + 1] = '\0';
                        break;
                }
                /* A trailing dash: chop it and look again, once. */
                prefix[n] = '\0';
                chopped = true;
        }
        if (!unit_prefix_is_valid(prefix))
                return 0;
        if (is_instance) {
                r = unit_name_to_instance(name, &instance);
                if (r < 0)
                        return r;
        }
        r = unit_name_build(prefix, instance, strrchr(name, '.'), &built);
        if (r < 0)
                return r;
        return dropin_bases(built, bases);
}

typedef struct ConfFile {
        const char *name; /* file name, the last component of path: the key that hides lower-priority files */
        char *path;
} ConfFile;

static int conf_file_compare(const void *a, const void *b) {
        return strcmp(((const ConfFile *) a)->name, ((const ConfFile *) b)->name);
}

static bool dirent_is_symlink(DIR *d, const struct dirent *de) {
        struct stat st;

        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_LNK;
        return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISLNK(st.st_mode);
}

/* Collect the entries of dirs (file_suffix: only names ending in it); the
 * first directory holding a file name wins; sorted by file name.  With
 * symlinks_only, a winning entry that is not a symlink is left out. */
static int conf_files_list(char **dirs, const char *file_suffix, bool symlinks_only, char ***ret) {
        ConfFile *files = NULL;
        size_t n = 0, allocated = 0;
        StringSet seen = {}; /* file names taken: sockets.target.wants may hold thousands */
        char **l = NULL;
        int r = 0;

        STRV_FOREACH(dir, dirs) {
                DIR *d = opendir(*dir);
                struct dirent *de;

                if (!d)
                        continue;
                while (r >= 0 && (de = readdir(d))) {
                        if (hidden_or_backup_file(de->d_name) ||
                            (file_suffix && !endswith(de->d_name, file_suffix)))
                                continue;
                        if (de->d_type == DT_DIR)
                                continue;
                        r = string_set_put(&seen, de->d_name);
                        if (r < 0)
                                break;
                        if (r == 0)
                                continue; /* hidden by a higher-priority directory */
                        /* Not a symlink: it still hides lower entries of
                         * its name, but is not listed.  d_type spares an
                         * lstat() per entry of a large .wants directory. */
                        if (symlinks_only && !dirent_is_symlink(d, de))
                                continue;
                        if (!GREEDY_REALLOC(files, allocated, n + 1)) {
                                r = -ENOMEM;
                                break;
                        }
                        files[n].path = path_join(*dir, de->d_name);
                        if (!files[n].path) {
                                r = -ENOMEM;
                                break;
                        }
                        /* path ends in "/" + d_name (no '/' in d_name) */
                        files[n].name = strrchr(files[n].path, '/') + 1;
                        n++;
                }
                closedir(d);
                if (r < 0)
                        break;
        }

        if (r >= 0 && n > 0)
                qsort(files, n, sizeof(ConfFile), conf_file_compare);
        if (r >= 0) {
                l = new(char *, n + 1); /* every slot is set below */
                if (l)
                        l[n] = NULL;
                else
                        r = -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                if (l)
                        l[i] = files[i].path;
                else
                        free(files[i].path);
        }
        free(files);
        string_set_done(&seen);
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

/* The drop-in bases of a unit's names (dropin_bases() of each), and the
 * unit type, for systemd's unit_file_find_dropin_paths(). */
typedef struct DropinNames {
        char ***bases;          /* one list per name, in the order of the names */
        size_t n;
        const char *type;       /* "socket", ...: the top-level "socket.d" */
} DropinNames;

static void dropin_names_done(DropinNames *d) {
        for (size_t i = 0; i < d->n; i++)
                strv_free(d->bases[i]);
        free(d->bases);
        *d = (DropinNames) {};
}

static int dropin_names_init(DropinNames *d, char **names) {
        size_t n = strv_length(names);

        *d = (DropinNames) {};
        if (n == 0)
                return 0;
        d->type = unit_type_to_string(unit_name_to_type(names[0]));
        if (!d->type)
                return -EINVAL;
        d->bases = new0(char **, n);
        if (!d->bases)
                return -ENOMEM;
        for (; d->n < n; d->n++) {
                int r = dropin_bases(names[d->n], &d->bases[d->n]);
                if (r < 0) {
                        d->n++;
                        dropin_names_done(d);
                        return r;
                }
        }
        return 0;
}

/* systemd's unit_file_find_dropin_paths(): every name in every search
 * directory (the name's bases in order), then the type's top-level
 * directory in every one. */
static int find_dropin_paths(const NameMap *m, char **search_path, const DropinNames *names,
                             const char *dir_suffix, const char *file_suffix, bool symlinks_only, char ***ret) {
        _cleanup_strv_free_ char **dirs = NULL;
        int r;

        /* No directory of this kind anywhere: nothing to walk. */
        if (!(m->dropin_kinds & dropin_kind_of_suffix(dir_suffix)))
                return conf_files_list(NULL, file_suffix, symlinks_only, ret);

        for (size_t i = 0; i < names->n; i++)
                STRV_FOREACH(p, search_path)
                        STRV_FOREACH(b, names->bases[i]) {
                                r = add_dir_if_exists(m, *p, *b, dir_suffix, &dirs);
                                if (r < 0)
                                        return r;
                        }

        if (names->type)
                STRV_FOREACH(p, search_path) {
                        r = add_dir_if_exists(m, *p, names->type, dir_suffix, &dirs);
                        if (r < 0)
                                return r;
                }
        return conf_files_list(dirs, file_suffix, symlinks_only, ret);
}

/* The directory of the entries being checked, kept open from one entry to
 * the next: a .wants/ directory of 10,000 links is checked with fstatat()
 * relative to it, not a walk of the whole path per entry. */
typedef struct OpenDir {
        int fd;
        char *path;
} OpenDir;

static void open_dir_done(OpenDir *d) {
        d->fd = safe_close(d->fd);
        free(d->path);
        d->path = NULL;
}

/* null_or_empty_path(path), where path is a directory entry named name:
 * the same stat() (following symlinks), made relative to the directory. */
static int dir_null_or_empty(OpenDir *d, const char *path, const char *name) {
        size_t n = strlen(path) - strlen(name);
        struct stat st;

        if (n < 2 || path[n - 1] != '/')
                return null_or_empty_path(path);
        if (!d->path || strlen(d->path) != n - 1 || strncmp(d->path, path, n - 1) != 0) {
                open_dir_done(d);
                d->path = strndup(path, n - 1);
                if (!d->path)
                        return -ENOMEM;
                d->fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        if (d->fd < 0)
                return null_or_empty_path(path);
        if (fstatat(d->fd, name, &st, 0) < 0)
                return -errno;
        return null_or_empty(&st);
}

/* The unit names listed in .wants/ (etc.) directories: symlinks only, not
 * masked, valid names; templates get the unit's instance. */
static int find_dependencies(const NameMap *m, char **search_path, const DropinNames *names,
                             const char *instance, const char *dir_suffix, char ***ret) {
        _cleanup_strv_free_ char **paths = NULL, **deps = NULL;
        _cleanup_(string_set_done) StringSet seen = {};
        _cleanup_(open_dir_done) OpenDir dir = { .fd = -EBADF };
        size_t n = 0, allocated = 0;
        int r;

        if (!(m->dropin_kinds & dropin_kind_of_suffix(dir_suffix))) {
                /* No such directory anywhere: an empty list, at once. */
                *ret = strv_new_empty();
                return *ret ? 0 : -ENOMEM;
        }
        r = find_dropin_paths(m, search_path, names, dir_suffix, NULL, true, &paths);
        if (r < 0)
                return r;

        STRV_FOREACH(p, paths) {
                _cleanup_free_ char *entry = NULL;

                r = path_file_name(*p, &entry);
                if (r < 0)
                        return r;
                if (dir_null_or_empty(&dir, *p, entry) > 0)
                        continue; /* masked dependency */
                if (!unit_name_is_valid(entry, UNIT_NAME_ANY))
                        continue;
                if (unit_name_is_valid(entry, UNIT_NAME_TEMPLATE)) {
                        char *x;

                        if (!instance || unit_name_replace_instance(entry, instance, &x) < 0)
                                continue;
                        free_and_replace(entry, x);
                }
                /* A set, not strv_extend_unique(): sockets.target.wants may
                 * list thousands of units. */
                r = string_set_put(&seen, entry);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (!GREEDY_REALLOC(deps, allocated, n + 2))
                        return -ENOMEM;
                deps[n++] = TAKE_PTR(entry);
                deps[n] = NULL;
        }
        if (!deps) {
                deps = strv_new_empty();
                if (!deps)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(deps);
        return 0;
}

/* ---- the lookup -------------------------------------------------------- */

void unit_file_info_done(UnitFileInfo *i) {
        if (!i)
                return;
        if (i->fragment_fd_open)
                safe_close(i->fragment_fd);
        free(i->name);
        free(i->id);
        free(i->fragment_path);
        strv_free(i->aliases);
        strv_free(i->dropin_paths);
        strv_free(i->wants);
        strv_free(i->requires);
        strv_free(i->upholds);
        strv_free(i->notices);
        *i = (UnitFileInfo) {};
}

static int strv_compare(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* Fill drop-ins and dependencies of info for its id and aliases. */
static int collect_dropins(const NameMap *m, char **search_path, const char *instance, UnitFileInfo *info) {
        /* The id, then the aliases not equal to an earlier name: borrowed
         * pointers, no copies (one list per lookup). */
        _cleanup_free_ char **names = new(char *, strv_length(info->aliases) + 2);
        DropinNames dn;
        size_t k = 0;
        int r;

        if (!names)
                return -ENOMEM;
        names[k++] = info->id;
        STRV_FOREACH(a, info->aliases) {
                bool seen = false;

                for (size_t j = 0; j < k && !seen; j++)
                        seen = streq(names[j], *a);
                if (!seen)
                        names[k++] = *a;
        }
        names[k] = NULL;

        r = dropin_names_init(&dn, names);
        if (r < 0)
                return r;
        r = find_dropin_paths(m, search_path, &dn, ".d", ".conf", false, &info->dropin_paths);
        if (r >= 0)
                r = find_dependencies(m, search_path, &dn, instance, ".wants", &info->wants);
        if (r >= 0)
                r = find_dependencies(m, search_path, &dn, instance, ".requires", &info->requires);
        if (r >= 0)
                r = find_dependencies(m, search_path, &dn, instance, ".upholds", &info->upholds);
        dropin_names_done(&dn);
        return r;
}

/* The primary name: the fragment's file name, with the requested
 * instance filled in when the fragment is a template. */
static int primary_id(const char *fragment, const char *name, const char *instance, char **ret) {
        _cleanup_free_ char *base = NULL;
        int r;

        if (!fragment)
                return (*ret = strdup(name)) ? 0 : -ENOMEM;
        r = path_file_name(fragment, &base);
        if (r < 0)
                return r;
        if (instance && *instance && unit_name_is_valid(base, UNIT_NAME_TEMPLATE))
                return unit_name_replace_instance(base, instance, ret);
        *ret = TAKE_PTR(base);
        return 0;
}

/* Fragment lookup by name in a built map (unit-file.h).  given_fragment
 * (a path from the command line) replaces the map's answer. */
static int find_in_map(const NameMap *m, char **search_path, const char *name,
                       const char *given_fragment, UnitFileInfo *info) {
        _cleanup_free_ char *instance = NULL, *template = NULL, *fbase = NULL;
        _cleanup_strv_free_ char **names = NULL;
        const char *fragment = NULL;
        int type, r, fragment_null = -ENOENT;

        type = unit_name_to_instance(name, &instance);
        if (type < 0)
                return type;

        if (given_fragment)
                fragment = given_fragment;
        else {
                r = name_map_resolve(m, name, &fragment);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (!fragment && type == UNIT_NAME_INSTANCE) {
                        r = unit_name_template(name, &template);
                        if (r < 0)
                                return r;
                        r = name_map_resolve(m, template, &fragment);
                        if (r < 0 && r != -ENOENT)
                                return r;
                }
        }

        if (fragment) {
                r = fragment_null = fragment_open_check(fragment, info);
                if (r < 0 && r != -ENOENT)
                        return r;
                info->masked = r > 0;
                info->fragment_path = strdup(fragment);
                if (!info->fragment_path)
                        return -ENOMEM;
        }
        r = primary_id(fragment, name, instance, &info->id);
        if (r < 0)
                return r;

        /* Names: the requested one, then the ones that alias it or the
         * fragment (systemd's unit_file_find_fragment()). */
        if (type != UNIT_NAME_TEMPLATE) {
                r = strv_extend(&names, name);
                if (r < 0)
                        return r;
        }
        if (!info->masked) {
                r = add_alias_names(m, name, type, instance, NULL, fragment, fragment_null, &names);
                if (r < 0)
                        return r;
                if (fragment) {
                        r = path_file_name(fragment, &fbase);
                        if (r < 0)
                                return r;
                        if (!streq(fbase, name)) {
                                r = add_alias_names(m, fbase, type, instance, fbase, fragment, fragment_null,
                                                    &names);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        STRV_FOREACH(n, names)
                if (!streq(*n, info->id)) {
                        r = strv_extend(&info->aliases, *n);
                        if (r < 0)
                                return r;
                }
        if (!info->aliases) {
                info->aliases = strv_new_empty();
                if (!info->aliases)
                        return -ENOMEM;
        }
        /* systemd keeps aliases in a hash set; sorted is deterministic. */
        qsort(info->aliases, strv_length(info->aliases), sizeof(char *), strv_compare);

        /* Masked units get their drop-ins too: systemd parses them (and
         * systemd-analyze verify reports their warnings). */
        r = collect_dropins(m, search_path, instance && *instance ? instance : NULL, info);
        if (r < 0)
                return r;
        return fragment ? 0 : -ENOENT;
}

/* For "porterctl verify FILE": the file's directory goes in front of the
 * search path.  Fills the absolute path, its file name and the path. */
static int prepare_path_lookup(const LookupPaths *lp, const char *path, char **ret_abs,
                               char **ret_name, char ***ret_search) {
        _cleanup_free_ char *abs = NULL, *name = NULL, *dir = NULL, *cwd = NULL;
        _cleanup_strv_free_ char **search = NULL;
        int r;

        if (path_is_absolute(path))
                abs = strdup(path);
        else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return negative_errno();
                abs = path_join(cwd, path);
        }
        if (!abs)
                return -ENOMEM;
        path_simplify(abs);

        r = path_extract_filename(abs, &name);
        if (r < 0)
                return r;
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        r = path_extract_directory(abs, &dir);
        if (r < 0)
                return r;

        r = strv_extend(&search, dir);
        if (r < 0)
                return r;
        STRV_FOREACH(p, lp->search_path) {
                r = strv_extend_unique(&search, *p);
                if (r < 0)
                        return r;
        }
        *ret_abs = TAKE_PTR(abs);
        *ret_name = TAKE_PTR(name);
        *ret_search = TAKE_PTR(search);
        return 0;
}

/* ---- the cache and the lookup ------------------------------------------ */

UnitFileCache *unit_file_cache_free(UnitFileCache *c) {
        if (!c)
                return NULL;
        strv_free(c->search_path);
        free(c->root_dir);
        name_map_done(&c->map);
        free(c);
        return NULL;
}

void unit_file_cache_flush(LookupPaths *lp) {
        lp->cache = unit_file_cache_free(lp->cache);
}

/* The kernel stamps file times from a clock that advances once per tick
 * (up to 10 ms): a directory changed in the same tick as the scan, just
 * after it, keeps the mtime the scan saw. */
#define MTIME_GRANULARITY_NS 10000000ULL

/* systemd's lookup_paths_timestamp_hash(): the modification times of the
 * search directories folded into one number (a missing directory counts as
 * 0), so that "has a file been added or removed?" costs a stat() each.
 * *ret_newest gets the newest mtime. */
static uint64_t search_path_mtime_hash(char **search_path, uint64_t *ret_newest) {
        uint64_t h = 0, newest = 0;

        STRV_FOREACH(p, search_path) {
                struct stat st;
                uint64_t t = 0;

                if (stat(*p, &st) >= 0)
                        t = (uint64_t) st.st_mtim.tv_sec * 1000000000ULL + (uint64_t) st.st_mtim.tv_nsec;
                h = (h ^ t) * 1099511628211ULL; /* FNV-1a step per directory */
                if (t > newest)
                        newest = t;
        }
        *ret_newest = newest;
        return h;
}

static uint64_t realtime_ns(void) {
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

bool unit_file_cache_is_stale(const LookupPaths *lp) {
        const UnitFileCache *c = lp->cache;
        uint64_t newest;

        if (!c)
                return false;
        if (search_path_mtime_hash(c->search_path, &newest) != c->mtime_hash)
                return true;
        /* Changed within a tick of the scan: it may have changed again
         * after it without a new mtime (systemd has this blind spot). */
        return newest + MTIME_GRANULARITY_NS >= c->scan_time;
}

int unit_file_cache_build(LookupPaths *lp) {
        UnitFileCache *c;
        uint64_t newest;
        int r;

        unit_file_cache_flush(lp);
        c = new0(UnitFileCache, 1);
        if (!c)
                return -ENOMEM;
        c->search_path = lp->search_path ? strv_copy(lp->search_path) : new0(char *, 1);
        c->root_dir = lp->root_dir ? strdup(lp->root_dir) : NULL;
        if (!c->search_path || (lp->root_dir && !c->root_dir)) {
                unit_file_cache_free(c);
                return -ENOMEM;
        }
        /* Before the scan: a change during it makes the cache stale. */
        c->scan_time = realtime_ns();
        c->mtime_hash = search_path_mtime_hash(c->search_path, &newest);
        r = name_map_build(&c->map, c->search_path, c->root_dir);
        if (r < 0) {
                unit_file_cache_free(c);
                return r;
        }
        lp->cache = c;
        return 0;
}

static bool search_path_equal(char * const *a, char * const *b) {
        for (; a && *a && b && *b; a++, b++)
                if (!streq(*a, *b))
                        return false;
        return !(a && *a) && !(b && *b);
}

/* The cached map if it was built for this search path, else NULL. */
static const NameMap *cached_map(const LookupPaths *lp, char **search) {
        const UnitFileCache *c = lp->cache;

        if (!c || !streq_ptr(c->root_dir, lp->root_dir) || !search_path_equal(c->search_path, search))
                return NULL;
        return &c->map;
}

int unit_file_find(const LookupPaths *lp, const char *name, UnitFileInfo *ret) {
        _cleanup_free_ char *abs = NULL, *fname = NULL;
        _cleanup_strv_free_ char **search_owned = NULL;
        char **search = lp->search_path;
        UnitFileInfo info = {};
        NameMap map = {};
        const NameMap *cached;
        int r;

        *ret = (UnitFileInfo) {};

        if (isempty(name))
                return -EINVAL;
        if (strchr(name, '/')) {
                struct stat st;

                r = prepare_path_lookup(lp, name, &abs, &fname, &search_owned);
                if (r < 0)
                        return r;
                if (stat(abs, &st) < 0)
                        return -errno;
                search = search_owned;
        } else if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;

        info.name = strdup(fname ?: name);
        if (!info.name)
                return -ENOMEM;

        cached = cached_map(lp, search);
        if (cached)
                r = 0;
        else {
                r = name_map_build(&map, search, lp->root_dir);
                cached = &map;
        }
        if (r >= 0)
                r = find_in_map(cached, search, info.name, abs, &info);
        if (r >= 0 || r == -ENOENT) {
                if (cached == &map)
                        info.notices = TAKE_PTR(map.notices);
                else if (cached->notices && !(info.notices = strv_copy(cached->notices)))
                        r = -ENOMEM;
                if (!info.notices && !(info.notices = strv_new_empty()))
                        r = -ENOMEM;
        }
        name_map_done(&map);

        if (r < 0 && r != -ENOENT) {
                unit_file_info_done(&info);
                return r;
        }
        *ret = info;
        return r;
}
