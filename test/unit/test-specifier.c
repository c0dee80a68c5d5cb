/* SPDX-License-Identifier: MIT */
/* Specifiers: every letter of spec §1.6 for system and user managers, the
 * grammar around '%', and a comparison with systemd-tmpfiles (which shares
 * systemd's system specifiers) where it is installed and we are root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "alloc-util.h"
#include "path-util.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

static char tmp[] = "/tmp/test-specifier-XXXXXX";

static void write_text(const char *rel, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", tmp, rel);
        for (char *s = path + strlen(tmp) + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        (void) mkdir(path, 0755);
                        *s = '/';
                }
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

/* Expand text in ctx and compare with expected. */
static void check(const SpecifierContext *ctx, const char *text, const char *expected) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(specifier_expand(text, ctx, &s));
        if (!streq(s, expected))
                fprintf(stderr, "'%s' expanded to '%s', expected '%s'\n", text, s, expected);
        ASSERT_STREQ(s, expected);
}

static void check_error(const SpecifierContext *ctx, const char *text, int error) {
        char *s = (char *) "untouched";

        ASSERT_ERROR(specifier_expand(text, ctx, &s), error);
        ASSERT_STREQ(s, "untouched");
}

TEST(grammar) {
        SpecifierContext ctx = { .unit_name = "foo.socket" };
        char *s = NULL;

        check(&ctx, "", "");
        check(&ctx, "plain text", "plain text");
        check(&ctx, "%%", "%");
        check(&ctx, "100%%-%n", "100%-foo.socket");
        check(&ctx, "%%n", "%n");
        check(&ctx, "x%", "x%");        /* a stray '%' at the end stays */
        check(&ctx, "%", "%");
        check(&ctx, "y%!z", "y%!z");    /* not alphanumeric: kept */
        check(&ctx, "%_%-%/", "%_%-%/");
        check(&ctx, "%i", "");          /* empty values vanish */
        check_error(&ctx, "%x", EBADSLT);
        check_error(&ctx, "ok %Z", EBADSLT);
        check_error(&ctx, "%0", EBADSLT);
        check_error(&ctx, "%c", EOPNOTSUPP);
        check_error(&ctx, "%r", EOPNOTSUPP);
        check_error(&ctx, "%R", EOPNOTSUPP);

        ASSERT_OK(specifier_expand_full("%n", 10, &ctx, &s));
        ASSERT_STREQ(s, "foo.socket");
        free(s);
        ASSERT_ERROR(specifier_expand_full("%n", 9, &ctx, &s), ENAMETOOLONG);
        ASSERT_ERROR(specifier_expand_full("abc%%", 3, &ctx, &s), ENAMETOOLONG);

        ASSERT_TRUE(specifier_is_known('n'));
        ASSERT_TRUE(specifier_is_known('V'));
        ASSERT_FALSE(specifier_is_known('x'));
        ASSERT_FALSE(specifier_is_known('%'));
        ASSERT_FALSE(specifier_is_known('\0'));
}

TEST(unit_names) {
        SpecifierContext ctx = { .unit_name = "foo-bar-baz@a\\x2db-c.socket" };

        check(&ctx, "%n", "foo-bar-baz@a\\x2db-c.socket");
        check(&ctx, "%N", "foo-bar-baz@a\\x2db-c");
        check(&ctx, "%p", "foo-bar-baz");
        check(&ctx, "%P", "foo/bar/baz");
        check(&ctx, "%i", "a\\x2db-c");
        check(&ctx, "%I", "a-b/c");
        check(&ctx, "%j", "baz");
        check(&ctx, "%J", "baz");
        check(&ctx, "%f", "/a-b/c");
        check(&ctx, "%d", "/run/credentials/foo-bar-baz@a\\x2db-c.socket");

        ctx.unit_name = "dev-disk-by\\x2dlabel-x.socket";
        check(&ctx, "%i", "");
        check(&ctx, "%I", "");
        check(&ctx, "%N", "dev-disk-by\\x2dlabel-x");
        check(&ctx, "%j", "x");
        check(&ctx, "%f", "/dev/disk/by-label/x");
        check(&ctx, "%p.service", "dev-disk-by\\x2dlabel-x.service");

        ctx.unit_name = "a\\x2db.service";
        check(&ctx, "%j", "a\\x2db");
        check(&ctx, "%J", "a-b");

        ctx.unit_name = "tmpl@.service";
        check(&ctx, "[%i]", "[]");
        check(&ctx, "%p", "tmpl");

        /* %f of an instance that is no valid path */
        ctx.unit_name = "x@a-.service";
        check_error(&ctx, "%f", EINVAL);
        ctx.unit_name = "x@bad\\q.service";
        check_error(&ctx, "%I", EINVAL);

        ctx.unit_name = NULL;
        check_error(&ctx, "%n", EINVAL);
        ctx.unit_name = "not a unit";
        check_error(&ctx, "%p", EINVAL);
}

TEST(fragment) {
        SpecifierContext ctx = { .unit_name = "foo.socket" };
        char link[600], target[600];

        check_error(&ctx, "%y", ENOENT);
        check_error(&ctx, "%Y", ENOENT);

        ASSERT_NOT_NULL(mkdtemp(tmp));
        write_text("real/foo.socket", "[Socket]\n");
        snprintf(target, sizeof target, "%s/real/foo.socket", tmp);
        snprintf(link, sizeof link, "%s/foo.socket", tmp);
        ASSERT_EQ(symlink(target, link), 0);

        ctx.fragment_path = link; /* the real path is reported */
        check(&ctx, "%y", target);
        *strrchr(target, '/') = '\0';
        check(&ctx, "%Y", target);

        snprintf(link, sizeof link, "%s/missing.socket", tmp);
        check_error(&ctx, "%y", ENOENT);
}

TEST(system_dirs) {
        SpecifierContext ctx = { .unit_name = "u.service" };

        check(&ctx, "%t|%S|%C|%L|%E|%D", "/run|/var/lib|/var/cache|/var/log|/etc|/usr/share");
}

TEST(user_dirs) {
        SpecifierContext ctx = { .unit_name = "u.service", .user = true };
        char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
        static const char *const vars[] = {
                "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
        };

        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                unsetenv(vars[i]);
        setenv("HOME", "/home/x", 1);
        check_error(&ctx, "%t", ENXIO);
        check_error(&ctx, "%d", ENXIO);
        check(&ctx, "%S|%C|%L|%E|%D",
              "/home/x/.local/state|/home/x/.cache|/home/x/.local/state/log|/home/x/.config|/home/x/.local/share");

        setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
        setenv("XDG_STATE_HOME", "/st", 1);
        setenv("XDG_CACHE_HOME", "/ca", 1);
        setenv("XDG_CONFIG_HOME", "/co", 1);
        setenv("XDG_DATA_HOME", "/da", 1);
        check(&ctx, "%t|%S|%C|%L|%E|%D", "/run/user/1000|/st|/ca|/st/log|/co|/da");
        check(&ctx, "%d", "/run/user/1000/credentials/u.service");

        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                unsetenv(vars[i]);
        if (home)
                setenv("HOME", home, 1);
        free(home);
}

TEST(identity) {
        SpecifierContext ctx = {};
        char buf[64];

        /* Before init_manager the identity is unknown. */
        check_error(&ctx, "%u", ENXIO);

        ASSERT_OK(specifier_context_init_manager(&ctx, false));
        ASSERT_FALSE(ctx.user);
        ASSERT_EQ(ctx.uid, getuid());
        snprintf(buf, sizeof buf, "%u:%u", (unsigned) getuid(), (unsigned) getgid());
        check(&ctx, "%U:%G", buf);
        if (getuid() == 0) {
                check(&ctx, "%u:%g", "root:root");
        }
        ASSERT_NOT_NULL(ctx.home);
        check(&ctx, "%h", ctx.home);
        check(&ctx, "%s", ctx.shell);
        specifier_context_done(&ctx);
        specifier_context_done(&ctx);

        /* $HOME and $SHELL come first; a user manager's %u is $USER. */
        char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
        char *old_shell = getenv("SHELL") ? strdup(getenv("SHELL")) : NULL;
        char *old_user = getenv("USER") ? strdup(getenv("USER")) : NULL;
        setenv("HOME", "/somewhere//else/", 1);
        setenv("SHELL", "/bin/zsh", 1);
        setenv("USER", "someone", 1);
        ASSERT_OK(specifier_context_init_manager(&ctx, true));
        check(&ctx, "%h %s %u", "/somewhere/else /bin/zsh someone");
        specifier_context_done(&ctx);

        /* Without them root gets systemd's fixed values. */
        setenv("HOME", "relative", 1);
        setenv("SHELL", "relative", 1);
        ASSERT_OK(specifier_context_init_manager(&ctx, false));
        if (getuid() == 0)
                check(&ctx, "%h %s", "/root /bin/sh");
        specifier_context_done(&ctx);

        if (old_home) setenv("HOME", old_home, 1); else unsetenv("HOME");
        if (old_shell) setenv("SHELL", old_shell, 1); else unsetenv("SHELL");
        if (old_user) setenv("USER", old_user, 1); else unsetenv("USER");
        free(old_home);
        free(old_shell);
        free(old_user);
}

TEST(host_facts_from_a_fake_root) {
        SpecifierContext ctx = { .unit_name = "a.service" };
        char root[600];

        if (tmp[strlen(tmp) - 1] == 'X')
                ASSERT_NOT_NULL(mkdtemp(tmp));
        snprintf(root, sizeof root, "%s/root", tmp);
        ctx.host_root = root;
        write_text("root/etc/machine-id", "0123456789ABCDEF0123456789abcdef\n");
        write_text("root/etc/os-release",
                   "# comment\n"
                   "NAME=\"Porter OS\"\n"
                   "ID=porteros\n"
                   "VERSION_ID=\"1.2\"\n"
                   "VARIANT_ID='server'\n"
                   "BUILD_ID=\"b\\\"q\\\\\"\n"
                   "IMAGE_ID=img\n"
                   "IMAGE_VERSION=\"9\"\n");
        write_text("root/etc/machine-info", "PRETTY_HOSTNAME=\"Lab Box\"\n");

        ASSERT_OK(specifier_context_init_manager(&ctx, false));
        check(&ctx, "%m", "0123456789abcdef0123456789abcdef");
        check(&ctx, "%o|%w|%W|%B|%M|%A", "porteros|1.2|server|b\"q\\|img|9");
        check(&ctx, "%q", "Lab Box");
        /* cached: changing the files does not change the answers */
        write_text("root/etc/machine-id", "ffffffffffffffffffffffffffffffff\n");
        check(&ctx, "%m", "0123456789abcdef0123456789abcdef");
        specifier_context_done(&ctx);

        /* without a cache every use reads again */
        check(&ctx, "%m", "ffffffffffffffffffffffffffffffff");

        write_text("root/etc/machine-id", "uninitialized\n");
        check_error(&ctx, "%m", ENOMEDIUM);
        write_text("root/etc/machine-id", "xyz\n");
        check_error(&ctx, "%m", EINVAL);

        /* os-release falls back to /usr/lib; missing fields are empty */
        snprintf(root, sizeof root, "%s/root2", tmp);
        write_text("root2/usr/lib/os-release", "ID=fallback\n");
        check(&ctx, "[%o][%w][%A]", "[fallback][][]");
        snprintf(root, sizeof root, "%s/root3", tmp);
        write_text("root3/etc/placeholder", "");
        check(&ctx, "[%o]", "[]");
        check_error(&ctx, "%m", ENOENT);
        /* no machine-info: the short host name */
        {
                _cleanup_free_ char *l = NULL, *q = NULL;
                ASSERT_OK(specifier_lookup('l', &ctx, &l));
                ASSERT_OK(specifier_lookup('q', &ctx, &q));
                ASSERT_STREQ(q, l);
        }
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", tmp);
        ASSERT_EQ(system(cmd), 0);
}

TEST(host_facts_real) {
        SpecifierContext ctx = { .unit_name = "a.service" };
        struct utsname u;
        _cleanup_free_ char *b = NULL, *l = NULL, *a = NULL;
        char expect[300];
        FILE *f;

        ASSERT_EQ(uname(&u), 0);
        check(&ctx, "%v", u.release);
        check(&ctx, "%H", u.nodename);
        ASSERT_OK(specifier_expand("%l", &ctx, &l));
        ASSERT_TRUE(startswith(u.nodename, l));
        ASSERT_NULL(strchr(l, '.'));
        ASSERT_OK(specifier_expand("%a", &ctx, &a));
        if (streq(u.machine, "x86_64"))
                ASSERT_STREQ(a, "x86-64");

        f = fopen("/proc/sys/kernel/random/boot_id", "re");
        ASSERT_NOT_NULL(f);
        ASSERT_NOT_NULL(fgets(expect, sizeof expect, f));
        fclose(f);
        ASSERT_OK(specifier_expand("%b", &ctx, &b));
        ASSERT_EQ(strlen(b), 32);
        ASSERT_EQ(strncmp(b, expect, 8), 0);
        ASSERT_EQ(strncmp(b + 8, expect + 9, 4), 0);
}

TEST(tmp_dirs) {
        SpecifierContext ctx = {};
        static const char *const vars[] = { "TMPDIR", "TEMP", "TMP" };
        char *saved[3];

        for (size_t i = 0; i < 3; i++) {
                saved[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
                unsetenv(vars[i]);
        }
        check(&ctx, "%T %V", "/tmp /var/tmp");
        setenv("TMPDIR", "/nonexistent-dir", 1); /* must exist */
        setenv("TEMP", "/usr/../tmp", 1);        /* must be normalized */
        setenv("TMP", "/proc", 1);
        check(&ctx, "%T %V", "/proc /proc");
        setenv("TMPDIR", "/dev", 1);
        check(&ctx, "%T %V", "/dev /dev");
        setenv("TMPDIR", "relative", 1);
        unsetenv("TMP");
        check(&ctx, "%T %V", "/tmp /var/tmp");
        for (size_t i = 0; i < 3; i++) {
                if (saved[i])
                        setenv(vars[i], saved[i], 1);
                else
                        unsetenv(vars[i]);
                free(saved[i]);
        }
}

/* systemd-tmpfiles writes the expanded argument of an 'f' line into the
 * file: run it over every specifier it shares with units (system scope)
 * and compare with ours. */
TEST(same_as_systemd_tmpfiles) {
        static const char letters[] = "abBgGhHlmoSCLtTuUvVwW";
        char dir[] = "/tmp/test-specifier-tmpfiles-XXXXXX";
        char conf[200], cmd[600];
        SpecifierContext ctx = {};
        FILE *f;

        if (getuid() != 0 || access("/usr/bin/systemd-tmpfiles", X_OK) < 0 ||
            access("/etc/machine-id", R_OK) < 0) {
                fprintf(stderr, "systemd-tmpfiles unusable here, not comparing\n");
                return;
        }
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(conf, sizeof conf, "%s/t.conf", dir);
        f = fopen(conf, "we");
        ASSERT_NOT_NULL(f);
        for (const char *c = letters; *c; c++)
                fprintf(f, "f %s/out-%c - - - - <%%%c>\n", dir, *c, *c);
        fclose(f);
        snprintf(cmd, sizeof cmd, "systemd-tmpfiles --create '%s' >/dev/null 2>&1", conf);
        ASSERT_EQ(system(cmd), 0);

        ASSERT_OK(specifier_context_init_manager(&ctx, false));
        for (const char *c = letters; *c; c++) {
                char path[300], theirs[4096] = "", text[8];
                _cleanup_free_ char *ours = NULL;

                snprintf(path, sizeof path, "%s/out-%c", dir, *c);
                f = fopen(path, "re");
                ASSERT_NOT_NULL(f);
                if (!fgets(theirs, sizeof theirs, f))
                        theirs[0] = '\0';
                fclose(f);
                snprintf(text, sizeof text, "<%%%c>", *c);
                ASSERT_OK(specifier_expand(text, &ctx, &ours));
                if (!streq(ours, theirs))
                        fprintf(stderr, "%%%c: ours '%s', systemd-tmpfiles '%s'\n", *c, ours, theirs);
                ASSERT_STREQ(ours, theirs);
        }
        specifier_context_done(&ctx);
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
        ASSERT_EQ(system(cmd), 0);
}

RUN_TESTS();
