/* SPDX-License-Identifier: MIT */
/* Specifier expansion (spec §1.6), following systemd's specifier.c and
 * unit-printf.c; the grammar and the table are in specifier.h. */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "path-util.h"
#include "specifier.h"
#include "string-util.h"
#include "unit-name.h"
#include "unit-path.h"

#define LONG_LINE_MAX (1U * 1024U * 1024U)

/* os-release fields, in the order of the cache array. */
enum {
        OS_ID,
        OS_VERSION_ID,
        OS_VARIANT_ID,
        OS_BUILD_ID,
        OS_IMAGE_ID,
        OS_IMAGE_VERSION,
        _OS_FIELD_MAX,
};

static const char *const os_field_names[_OS_FIELD_MAX] = {
        [OS_ID] = "ID",
        [OS_VERSION_ID] = "VERSION_ID",
        [OS_VARIANT_ID] = "VARIANT_ID",
        [OS_BUILD_ID] = "BUILD_ID",
        [OS_IMAGE_ID] = "IMAGE_ID",
        [OS_IMAGE_VERSION] = "IMAGE_VERSION",
};

struct SpecifierHostCache {
        char *machine_id;
        char *boot_id;
        bool os_release_read;
        char *os_release[_OS_FIELD_MAX];
};

/* ---- context ------------------------------------------------------------ */

static void host_cache_free(SpecifierHostCache *c) {
        if (!c)
                return;
        free(c->machine_id);
        free(c->boot_id);
        for (size_t i = 0; i < _OS_FIELD_MAX; i++)
                free(c->os_release[i]);
        free(c);
}

/* systemd's get_shell(): an absolute $SHELL, "/bin/sh" for root, else the
 * user database. */
static int manager_shell(char **ret) {
        const char *e = getenv("SHELL");
        struct passwd *pw;

        if (!(e && path_is_valid(e) && path_is_absolute(e))) {
                if (getuid() == 0)
                        e = "/bin/sh";
                else {
                        errno = 0;
                        pw = getpwuid(getuid());
                        if (!pw)
                                return errno > 0 ? -errno : -ESRCH;
                        e = pw->pw_shell;
                        if (!path_is_valid(e) || !path_is_absolute(e))
                                return -EINVAL;
                }
        }
        return (*ret = strdup(e)) ? 0 : -ENOMEM;
}

/* Name of uid/gid: "root" for 0 without asking NSS, the database entry, or
 * the number (as systemd's uid_to_name / gid_to_name). */
static int id_to_name(bool group, unsigned id, char **ret) {
        char buf[32];
        const char *name = NULL;

        if (id == 0)
                name = "root";
        else if (group) {
                struct group *gr = getgrgid((gid_t) id);
                name = gr ? gr->gr_name : NULL;
        } else {
                struct passwd *pw = getpwuid((uid_t) id);
                name = pw ? pw->pw_name : NULL;
        }
        if (!name) {
                snprintf(buf, sizeof buf, "%u", id);
                name = buf;
        }
        return (*ret = strdup(name)) ? 0 : -ENOMEM;
}

int specifier_context_init_manager(SpecifierContext *ctx, bool user) {
        const char *e;
        int r;

        specifier_context_done(ctx);
        ctx->user = user;
        ctx->uid = getuid();
        ctx->gid = getgid();

        /* A user manager prefers $USER, as systemd's getusername_malloc(). */
        e = getenv("USER");
        if (user && !isempty(e))
                r = (ctx->user_name = strdup(e)) ? 0 : -ENOMEM;
        else
                r = id_to_name(false, ctx->uid, &ctx->user_name);
        if (r >= 0)
                r = id_to_name(true, ctx->gid, &ctx->group_name);
        if (r >= 0) {
                r = lookup_home_dir(&ctx->home);
                if (r < 0 && r != -ENOMEM)
                        r = 0; /* %h then fails with its own error */
        }
        if (r >= 0) {
                r = manager_shell(&ctx->shell);
                if (r < 0 && r != -ENOMEM)
                        r = 0;
        }
        if (r >= 0) {
                ctx->host_cache = new0(SpecifierHostCache, 1);
                if (!ctx->host_cache)
                        r = -ENOMEM;
        }
        if (r < 0)
                specifier_context_done(ctx);
        return r;
}

void specifier_context_done(SpecifierContext *ctx) {
        if (!ctx)
                return;
        free(ctx->user_name);
        free(ctx->group_name);
        free(ctx->home);
        free(ctx->shell);
        host_cache_free(ctx->host_cache);
        ctx->user_name = ctx->group_name = ctx->home = ctx->shell = NULL;
        ctx->host_cache = NULL;
}

/* ---- host facts ----------------------------------------------------------- */

static int strdup_to(const char *s, char **ret) {
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

/* Read the first line of path (at most 4 KiB) without the newline. */
static int read_first_line(const char *path, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        char buf[4096];

        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (!fgets(buf, sizeof buf, f))
                return ferror(f) ? -EIO : strdup_to("", ret);
        buf[strcspn(buf, "\n")] = '\0';
        return strdup_to(buf, ret);
}

static char *host_path(const SpecifierContext *ctx, const char *path) {
        if (isempty(ctx->host_root) || streq(ctx->host_root, "/"))
                return strdup(path);
        return path_join(ctx->host_root, path);
}

/* A 128-bit id as 32 lower-case hex digits; accepts the UUID form. */
static int normalize_id128(const char *s, char **ret) {
        char out[33];
        size_t n = 0;
        bool uuid = strlen(s) == 36;

        for (size_t i = 0; s[i]; i++) {
                if (uuid && (i == 8 || i == 13 || i == 18 || i == 23)) {
                        if (s[i] != '-')
                                return -EINVAL;
                        continue;
                }
                if (!isxdigit((unsigned char) s[i]) || n >= 32)
                        return -EINVAL;
                out[n++] = (char) tolower((unsigned char) s[i]);
        }
        if (n != 32)
                return -EINVAL;
        out[n] = '\0';
        return strdup_to(out, ret);
}

static int read_id128(const char *path, bool machine_id, char **ret) {
        _cleanup_free_ char *line = NULL;
        int r;

        r = read_first_line(path, &line);
        if (r < 0)
                return r;
        /* An empty or "uninitialized" machine-id means: not set up yet. */
        if (machine_id && (isempty(line) || streq(line, "uninitialized")))
                return -ENOMEDIUM;
        return normalize_id128(line, ret);
}

/* Serve from the cache when there is one, else compute into a temporary. */
static int cached(char **slot, int (*compute)(const SpecifierContext *, char **),
                  const SpecifierContext *ctx, char **ret) {
        int r;

        if (slot && *slot)
                return strdup_to(*slot, ret);
        r = compute(ctx, ret);
        if (r >= 0 && slot)
                *slot = strdup(*ret); /* caching is best effort */
        return r;
}

static int compute_machine_id(const SpecifierContext *ctx, char **ret) {
        _cleanup_free_ char *p = host_path(ctx, "/etc/machine-id");

        return p ? read_id128(p, true, ret) : -ENOMEM;
}

static int compute_boot_id(const SpecifierContext *ctx, char **ret) {
        return read_id128("/proc/sys/kernel/random/boot_id", false, ret);
}

/* One os-release value: double quotes allow \" \\ \$ \` escapes, single
 * quotes none; unquoted text may use backslash escapes. */
static char *os_release_value(const char *v) {
        char *out = malloc(strlen(v) + 1), *o = out;
        char quote = 0;

        if (!out)
                return NULL;
        for (; *v; v++) {
                if (quote == '\'') {
                        if (*v == '\'')
                                quote = 0;
                        else
                                *o++ = *v;
                } else if (*v == '\\' && v[1] && (!quote || strchr("\"\\$`", v[1]))) {
                        *o++ = *++v;
                } else if (*v == '"' || (*v == '\'' && !quote)) {
                        quote = quote ? 0 : *v;
                } else
                        *o++ = *v;
        }
        *o = '\0';
        return out;
}

static int read_os_release(const SpecifierContext *ctx, char *fields[_OS_FIELD_MAX]) {
        static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
        _cleanup_fclose_ FILE *f = NULL;
        char line[4096];

        for (size_t i = 0; i < ELEMENTSOF(paths) && !f; i++) {
                _cleanup_free_ char *p = host_path(ctx, paths[i]);

                if (!p)
                        return -ENOMEM;
                f = fopen(p, "re");
                if (!f && errno != ENOENT)
                        return -errno;
        }
        if (!f)
                return -ENOENT;

        while (fgets(line, sizeof line, f)) {
                char *eq, *key = strstrip(line);

                if (key[0] == '#' || !(eq = strchr(key, '=')))
                        continue;
                *eq = '\0';
                for (size_t i = 0; i < _OS_FIELD_MAX; i++)
                        if (streq(strstrip(key), os_field_names[i])) {
                                char *v = os_release_value(eq + 1);

                                if (!v)
                                        return -ENOMEM;
                                free(fields[i]);
                                fields[i] = v;
                        }
        }
        return 0;
}

/* An os-release field; "" when the field or the file is missing, as in
 * systemd (the fields are optional). */
static int os_release_field(const SpecifierContext *ctx, size_t field, char **ret) {
        SpecifierHostCache *c = ctx->host_cache;
        char *tmp[_OS_FIELD_MAX] = {};
        int r;

        if (c && c->os_release_read)
                return strdup_to(strempty(c->os_release[field]), ret);

        r = read_os_release(ctx, tmp);
        if (r < 0 && r != -ENOENT) {
                for (size_t i = 0; i < _OS_FIELD_MAX; i++)
                        free(tmp[i]);
                return r;
        }
        r = strdup_to(strempty(tmp[field]), ret);
        if (c) {
                memcpy(c->os_release, tmp, sizeof tmp);
                c->os_release_read = true;
        } else
                for (size_t i = 0; i < _OS_FIELD_MAX; i++)
                        free(tmp[i]);
        return r;
}

/* The node name, or "localhost" when unset (systemd's fallback). */
static int hostname_full(char **ret) {
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        if (isempty(u.nodename) || streq(u.nodename, "(none)"))
                return strdup_to("localhost", ret);
        return strdup_to(u.nodename, ret);
}

static int hostname_short(char **ret) {
        int r = hostname_full(ret);

        if (r >= 0)
                (*ret)[strcspn(*ret, ".")] = '\0';
        return r;
}

/* PRETTY_HOSTNAME of /etc/machine-info, else the short host name. */
static int hostname_pretty(const SpecifierContext *ctx, char **ret) {
        _cleanup_free_ char *p = host_path(ctx, "/etc/machine-info");
        _cleanup_fclose_ FILE *f = NULL;
        char line[4096];

        if (!p)
                return -ENOMEM;
        f = fopen(p, "re");
        while (f && fgets(line, sizeof line, f)) {
                char *s = strstrip(line), *v = startswith(s, "PRETTY_HOSTNAME=");

                if (v) {
                        char *val = os_release_value(v);

                        if (!val)
                                return -ENOMEM;
                        if (!isempty(val)) {
                                *ret = val;
                                return 0;
                        }
                        free(val);
                }
        }
        return hostname_short(ret);
}

/* uname's machine in systemd's architecture names (architecture.c). */
static int architecture(char **ret) {
        static const struct {
                const char *machine, *name;
        } table[] = {
                { "x86_64", "x86-64" },   { "i686", "x86" },       { "i586", "x86" },
                { "i486", "x86" },        { "i386", "x86" },       { "aarch64", "arm64" },
                { "aarch64_be", "arm64-be" }, { "armv8l", "arm" }, { "armv7l", "arm" },
                { "armv7b", "arm-be" },   { "armv6l", "arm" },     { "armv5tel", "arm" },
                { "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" },   { "ppcle", "ppc-le" },
                { "ppc", "ppc" },         { "s390x", "s390x" },    { "s390", "s390" },
                { "riscv64", "riscv64" }, { "riscv32", "riscv32" }, { "loongarch64", "loongarch64" },
                { "sparc64", "sparc64" }, { "sparc", "sparc" },    { "alpha", "alpha" },
                { "ia64", "ia64" },       { "m68k", "m68k" },      { "parisc64", "parisc64" },
                { "parisc", "parisc" },   { "sh", "sh" },          { "arc", "arc" },
                { "mips64", "mips64" },   { "mips", "mips" },
        };
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(u.machine, table[i].machine))
                        return strdup_to(table[i].name, ret);
        /* Not in the table: the kernel's own word is the best we know. */
        return strdup_to(u.machine, ret);
}

static int kernel_release(char **ret) {
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        return strdup_to(u.release, ret);
}

/* $TMPDIR, $TEMP, $TMP: the first that is an absolute, normalized path of
 * an existing directory; else def (systemd's tmp_dir / var_tmp_dir). */
static int tmp_dir(const char *def, char **ret) {
        static const char *const vars[] = { "TMPDIR", "TEMP", "TMP" };

        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                const char *e = getenv(vars[i]);
                struct stat st;

                if (!e || !path_is_absolute(e) || !path_is_normalized(e))
                        continue;
                if (stat(e, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                return strdup_to(e, ret);
        }
        return strdup_to(def, ret);
}

/* ---- manager directories ---------------------------------------------- */

typedef enum ManagerDir {
        DIR_RUNTIME,
        DIR_STATE,
        DIR_CACHE,
        DIR_LOGS,
        DIR_CONFIG,
        DIR_DATA,
} ManagerDir;

static int manager_dir(const SpecifierContext *ctx, ManagerDir d, char **ret) {
        static const char *const system_dirs[] = {
                [DIR_RUNTIME] = "/run",
                [DIR_STATE] = "/var/lib",
                [DIR_CACHE] = "/var/cache",
                [DIR_LOGS] = "/var/log",
                [DIR_CONFIG] = "/etc",
                [DIR_DATA] = "/usr/share",
        };
        static const LookupUserDir user_dirs[] = {
                [DIR_RUNTIME] = LOOKUP_USER_RUNTIME,
                [DIR_STATE] = LOOKUP_USER_STATE,
                [DIR_CACHE] = LOOKUP_USER_CACHE,
                [DIR_LOGS] = LOOKUP_USER_STATE,
                [DIR_CONFIG] = LOOKUP_USER_CONFIG,
                [DIR_DATA] = LOOKUP_USER_DATA,
        };
        char *s;
        int r;

        if (!ctx->user)
                return strdup_to(system_dirs[d], ret);
        r = lookup_user_dir(user_dirs[d], &s);
        if (r < 0)
                return r;
        if (d == DIR_LOGS) {
                char *l = path_join(s, "log");

                free(s);
                if (!l)
                        return -ENOMEM;
                s = l;
        }
        *ret = s;
        return 0;
}

/* ---- unit-name specifiers ------------------------------------------------ */

static int unit_name_specifier(char c, const SpecifierContext *ctx, char **ret) {
        _cleanup_free_ char *instance = NULL, *part = NULL;
        const char *n = ctx->unit_name;
        int r;

        if (!n || !unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;

        switch (c) {
        case 'n':
                return strdup_to(n, ret);
        case 'N':
                return unit_name_to_prefix_and_instance(n, ret);
        case 'p':
                return unit_name_to_prefix(n, ret);
        case 'P':
                r = unit_name_to_prefix(n, &part);
                return r < 0 ? r : unit_name_unescape(part, ret);
        case 'i':
        case 'I':
                r = unit_name_to_instance(n, &instance);
                if (r < 0)
                        return r;
                return c == 'i' ? strdup_to(strempty(instance), ret)
                                : unit_name_unescape(strempty(instance), ret);
        case 'j':
                return unit_name_prefix_last_dash(n, ret);
        case 'J':
                r = unit_name_prefix_last_dash(n, &part);
                return r < 0 ? r : unit_name_unescape(part, ret);
        case 'f':
                /* The instance, or without one the prefix, as a path. */
                r = unit_name_to_instance(n, &instance);
                if (r < 0)
                        return r;
                if (!isempty(instance))
                        return unit_name_path_unescape(instance, ret);
                r = unit_name_to_prefix(n, &part);
                return r < 0 ? r : unit_name_path_unescape(part, ret);
        case 'd': {
                _cleanup_free_ char *runtime = NULL;
                char *s;

                r = manager_dir(ctx, DIR_RUNTIME, &runtime);
                if (r < 0)
                        return r;
                s = strjoin(runtime, "/credentials/", n);
                return s ? (*ret = s, 0) : -ENOMEM;
        }
        default:
                return -EBADSLT;
        }
}

static int fragment_specifier(char c, const SpecifierContext *ctx, char **ret) {
        char *real;
        int r;

        if (!ctx->fragment_path)
                return -ENOENT;
        real = realpath(ctx->fragment_path, NULL);
        if (!real)
                return -errno;
        if (c == 'y') {
                *ret = real;
                return 0;
        }
        r = path_extract_directory(real, ret);
        free(real);
        return r;
}

static int identity_specifier(char c, const SpecifierContext *ctx, char **ret) {
        char buf[32];
        const char *v;

        switch (c) {
        case 'u':
                v = ctx->user_name;
                break;
        case 'g':
                v = ctx->group_name;
                break;
        case 'U':
        case 'G':
                snprintf(buf, sizeof buf, "%u", c == 'U' ? (unsigned) ctx->uid : (unsigned) ctx->gid);
                v = buf;
                break;
        case 'h':
                if (!ctx->home)
                        return lookup_home_dir(ret);
                v = ctx->home;
                break;
        case 's':
                if (!ctx->shell)
                        return manager_shell(ret);
                v = ctx->shell;
                break;
        default:
                return -EBADSLT;
        }
        if (!v)
                return -ENXIO; /* context not initialized */
        return strdup_to(v, ret);
}

/* ---- dispatch ------------------------------------------------------------- */

int specifier_lookup(char c, const SpecifierContext *ctx, char **ret) {
        SpecifierHostCache *hc = ctx->host_cache;

        switch (c) {
        case 'n': case 'N': case 'p': case 'P': case 'i': case 'I':
        case 'j': case 'J': case 'f': case 'd':
                return unit_name_specifier(c, ctx, ret);
        case 'y': case 'Y':
                return fragment_specifier(c, ctx, ret);
        case 'u': case 'U': case 'g': case 'G': case 'h': case 's':
                return identity_specifier(c, ctx, ret);
        case 't':
                return manager_dir(ctx, DIR_RUNTIME, ret);
        case 'S':
                return manager_dir(ctx, DIR_STATE, ret);
        case 'C':
                return manager_dir(ctx, DIR_CACHE, ret);
        case 'L':
                return manager_dir(ctx, DIR_LOGS, ret);
        case 'E':
                return manager_dir(ctx, DIR_CONFIG, ret);
        case 'D':
                return manager_dir(ctx, DIR_DATA, ret);
        case 'H':
                return hostname_full(ret);
        case 'l':
                return hostname_short(ret);
        case 'q':
                return hostname_pretty(ctx, ret);
        case 'm':
                return cached(hc ? &hc->machine_id : NULL, compute_machine_id, ctx, ret);
        case 'b':
                return cached(hc ? &hc->boot_id : NULL, compute_boot_id, ctx, ret);
        case 'v':
                return kernel_release(ret);
        case 'a':
                return architecture(ret);
        case 'o':
                return os_release_field(ctx, OS_ID, ret);
        case 'w':
                return os_release_field(ctx, OS_VERSION_ID, ret);
        case 'W':
                return os_release_field(ctx, OS_VARIANT_ID, ret);
        case 'B':
                return os_release_field(ctx, OS_BUILD_ID, ret);
        case 'M':
                return os_release_field(ctx, OS_IMAGE_ID, ret);
        case 'A':
                return os_release_field(ctx, OS_IMAGE_VERSION, ret);
        case 'T':
                return tmp_dir("/tmp", ret);
        case 'V':
                return tmp_dir("/var/tmp", ret);
        case 'c': case 'r': case 'R':
                /* systemd's deprecated cgroup specifiers: porter places
                 * services in no cgroup, so there is no true value. */
                return -EOPNOTSUPP;
        default:
                return -EBADSLT;
        }
}

bool specifier_is_known(char c) {
        return c && strchr("nNpPiIjJfdyYuUgGhstSCLEDHlqmbvaowWBMATV", c);
}

int specifier_expand_full(const char *text, size_t max_length, const SpecifierContext *ctx,
                          char **ret) {
        _cleanup_free_ char *result = NULL;
        size_t n = 0, allocated = 0;
        int r;

        /* Appends l bytes of s to result, enforcing max_length. */
#define APPEND(s, l)                                                            \
        do {                                                                    \
                size_t l_ = (l);                                                \
                if (n + l_ > max_length)                                        \
                        return -ENAMETOOLONG;                                   \
                if (!GREEDY_REALLOC(result, allocated, n + l_ + 1))             \
                        return -ENOMEM;                                         \
                memcpy(result + n, (s), l_);                                    \
                n += l_;                                                        \
        } while (0)

        /* Most values hold no specifier at all: copy them in one go instead
         * of growing the result byte by byte (issue 6, start-up cost). */
        if (!strchr(text, '%')) {
                size_t l = strlen(text);

                if (l > max_length)
                        return -ENAMETOOLONG;
                result = memdup(text, l + 1);
                if (!result)
                        return -ENOMEM;
                *ret = TAKE_PTR(result);
                return 0;
        }

        for (const char *f = text; *f; f++) {
                _cleanup_free_ char *w = NULL;

                if (*f != '%') {
                        APPEND(f, 1);
                        continue;
                }
                f++;
                if (*f == '\0') {
                        /* A stray '%' at the end stays, as in systemd. */
                        APPEND("%", 1);
                        break;
                }
                if (*f == '%') {
                        APPEND("%", 1);
                        continue;
                }
                if (!isalnum((unsigned char) *f)) {
                        /* Not a possible specifier: kept as written. */
                        APPEND(f - 1, 2);
                        continue;
                }
                r = specifier_lookup(*f, ctx, &w);
                if (r < 0)
                        return r;
                APPEND(w, strlen(w));
        }
#undef APPEND

        if (!result) {
                result = strdup("");
                if (!result)
                        return -ENOMEM;
        } else
                result[n] = '\0';
        *ret = TAKE_PTR(result);
        return 0;
}

int specifier_expand(const char *text, const SpecifierContext *ctx, char **ret) {
        return specifier_expand_full(text, LONG_LINE_MAX, ctx, ret);
}
