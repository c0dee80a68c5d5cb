/* SPDX-License-Identifier: MIT */
/* Search paths: systemd's order for system and user managers, the
 * environment overrides, the root prefix, and a comparison with
 * `systemd-analyze unit-paths` where systemd is installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"
#include "unit-path.h"

static void clear_env(void) {
        static const char *const vars[] = {
                "PORTER_UNIT_PATH", "SYSTEMD_UNIT_PATH", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS",
                "XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_RUNTIME_DIR", "XDG_STATE_HOME",
                "XDG_CACHE_HOME",
        };
        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                unsetenv(vars[i]);
}

static void assert_list(char **got, const char *const *expected) {
        size_t i = 0;

        for (; expected[i]; i++) {
                ASSERT_NOT_NULL(got[i]);
                ASSERT_STREQ(got[i], expected[i]);
        }
        ASSERT_NULL(got[i]);
}

TEST(system_default) {
        static const char *const expected[] = {
                "/etc/systemd/system.control", "/run/systemd/system.control",
                "/run/systemd/transient", "/run/systemd/generator.early",
                "/etc/systemd/system", "/etc/systemd/system.attached",
                "/run/systemd/system", "/run/systemd/system.attached",
                "/run/systemd/generator", "/usr/local/lib/systemd/system",
                "/usr/lib/systemd/system", "/run/systemd/generator.late", NULL,
        };
        LookupPaths lp = {};

        clear_env();
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        ASSERT_FALSE(lp.user);
        ASSERT_NULL(lp.root_dir);
        assert_list(lp.search_path, expected);
        lookup_paths_done(&lp);
        lookup_paths_done(&lp); /* idempotent */
        ASSERT_NULL(lp.search_path);

        ASSERT_OK(lookup_paths_init(&lp, false, "/"));
        assert_list(lp.search_path, expected);
        lookup_paths_done(&lp);
}

TEST(user_default) {
        static const char *const expected[] = {
                "/home/u/.config/systemd/user.control",
                "/run/user/7/systemd/user.control",
                "/run/user/7/systemd/transient",
                "/run/user/7/systemd/generator.early",
                "/home/u/.config/systemd/user",
                "/etc/xdg/systemd/user",
                "/etc/systemd/user",
                "/run/user/7/systemd/user",
                "/run/systemd/user",
                "/run/user/7/systemd/generator",
                "/home/u/.local/share/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/lib/systemd/user",
                "/run/user/7/systemd/generator.late",
                NULL,
        };
        static const char *const no_runtime[] = {
                "/home/u/.config/systemd/user.control",
                "/home/u/.config/systemd/user",
                "/etc/xdg/systemd/user",
                "/etc/systemd/user",
                "/run/systemd/user",
                "/home/u/.local/share/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/lib/systemd/user",
                NULL,
        };
        static const char *const xdg[] = {
                "/cfg/systemd/user.control",
                "/rt/systemd/user.control",
                "/rt/systemd/transient",
                "/rt/systemd/generator.early",
                "/cfg/systemd/user",
                "/c1/systemd/user",
                "/relative-from-cwd/systemd/user", /* patched below */
                "/c2/systemd/user",
                "/etc/systemd/user",
                "/rt/systemd/user",
                "/run/systemd/user",
                "/rt/systemd/generator",
                "/data/systemd/user",
                "/d1/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/lib/systemd/user",
                "/usr/share/systemd/user",
                "/rt/systemd/generator.late",
                NULL,
        };
        LookupPaths lp = {};
        char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

        clear_env();
        setenv("HOME", "/home/u/", 1);
        setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        ASSERT_TRUE(lp.user);
        assert_list(lp.search_path, expected);
        lookup_paths_done(&lp);

        unsetenv("XDG_RUNTIME_DIR");
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        assert_list(lp.search_path, no_runtime);
        lookup_paths_done(&lp);

        setenv("XDG_RUNTIME_DIR", "/rt", 1);
        setenv("XDG_CONFIG_HOME", "/cfg", 1);
        setenv("XDG_CONFIG_DIRS", "/c1::relative:/c2", 1);
        setenv("XDG_DATA_HOME", "/data", 1);
        setenv("XDG_DATA_DIRS", "/d1", 1);
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        {
                /* a relative entry is taken against the current directory */
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                _cleanup_free_ char *rel = strjoin(cwd, "/relative/systemd/user");
                const char *with_rel[ELEMENTSOF(xdg)];

                memcpy(with_rel, xdg, sizeof xdg);
                with_rel[6] = rel;
                assert_list(lp.search_path, with_rel);
        }
        lookup_paths_done(&lp);

        /* Set but empty: no entries at all, not the defaults. */
        setenv("XDG_CONFIG_DIRS", "", 1);
        setenv("XDG_DATA_DIRS", "", 1);
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        ASSERT_FALSE(strv_contains(lp.search_path, "/etc/xdg/systemd/user"));
        ASSERT_FALSE(strv_contains(lp.search_path, "/d1/systemd/user"));
        ASSERT_TRUE(strv_contains(lp.search_path, "/usr/share/systemd/user"));
        lookup_paths_done(&lp);

        /* A relative XDG_CONFIG_HOME is ignored, as the spec says. */
        setenv("XDG_CONFIG_HOME", "rel", 1);
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        ASSERT_STREQ(lp.search_path[0], "/home/u/.config/systemd/user.control");
        lookup_paths_done(&lp);

        ASSERT_ERROR(lookup_paths_init(&lp, true, "/some/root"), EINVAL);

        clear_env();
        if (old_home)
                setenv("HOME", old_home, 1);
        free(old_home);
}

TEST(environment_override) {
        LookupPaths lp = {};
        _cleanup_free_ char *cwd = getcwd(NULL, 0), *rel = NULL;

        clear_env();
        setenv("PORTER_UNIT_PATH", "/a::/b//c/", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        assert_list(lp.search_path, (const char *const[]) { "/a", "/b/c", NULL });
        lookup_paths_done(&lp);

        /* A trailing ':' appends the defaults; duplicates are dropped. */
        setenv("PORTER_UNIT_PATH", "/a:/etc/systemd/system:", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        ASSERT_STREQ(lp.search_path[0], "/a");
        ASSERT_STREQ(lp.search_path[1], "/etc/systemd/system");
        ASSERT_STREQ(lp.search_path[2], "/etc/systemd/system.control");
        ASSERT_EQ(strv_length(lp.search_path), 13);
        lookup_paths_done(&lp);

        /* Relative entries are taken against the current directory. */
        setenv("PORTER_UNIT_PATH", "rel/./x", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        rel = strjoin(cwd, "/rel/x");
        assert_list(lp.search_path, (const char *const[]) { rel, NULL });
        lookup_paths_done(&lp);

        /* An empty value gives an empty list: no unit files at all. */
        setenv("PORTER_UNIT_PATH", "", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        ASSERT_NOT_NULL(lp.search_path);
        ASSERT_NULL(lp.search_path[0]);
        lookup_paths_done(&lp);

        /* ":" alone: just the defaults. */
        setenv("PORTER_UNIT_PATH", ":", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        ASSERT_EQ(strv_length(lp.search_path), 12);
        lookup_paths_done(&lp);

        /* systemd's variable when porter's is unset; porter's wins. */
        unsetenv("PORTER_UNIT_PATH");
        setenv("SYSTEMD_UNIT_PATH", "/s", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        assert_list(lp.search_path, (const char *const[]) { "/s", NULL });
        lookup_paths_done(&lp);
        setenv("PORTER_UNIT_PATH", "/p", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        assert_list(lp.search_path, (const char *const[]) { "/p", NULL });
        lookup_paths_done(&lp);
        clear_env();
}

TEST(root_prefix) {
        LookupPaths lp = {};

        clear_env();
        ASSERT_OK(lookup_paths_init(&lp, false, "/tmp/root/"));
        ASSERT_STREQ(lp.root_dir, "/tmp/root/");
        ASSERT_STREQ(lp.search_path[0], "/tmp/root/etc/systemd/system.control");
        ASSERT_STREQ(lp.search_path[11], "/tmp/root/run/systemd/generator.late");
        lookup_paths_done(&lp);

        setenv("PORTER_UNIT_PATH", "/x", 1);
        ASSERT_OK(lookup_paths_init(&lp, false, "/r"));
        assert_list(lp.search_path, (const char *const[]) { "/r/x", NULL });
        lookup_paths_done(&lp);
        clear_env();
}

TEST(user_dirs) {
        char *s = NULL;
        char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

        clear_env();
        setenv("HOME", "/h", 1);
        ASSERT_OK(lookup_user_dir(LOOKUP_USER_STATE, &s));
        ASSERT_STREQ(s, "/h/.local/state");
        free(s);
        ASSERT_OK(lookup_user_dir(LOOKUP_USER_CACHE, &s));
        ASSERT_STREQ(s, "/h/.cache");
        free(s);
        setenv("XDG_CACHE_HOME", "/cc//", 1);
        ASSERT_OK(lookup_user_dir(LOOKUP_USER_CACHE, &s));
        ASSERT_STREQ(s, "/cc");
        free(s);
        ASSERT_ERROR(lookup_user_dir(LOOKUP_USER_RUNTIME, &s), ENXIO);
        setenv("XDG_RUNTIME_DIR", "relative", 1);
        ASSERT_ERROR(lookup_user_dir(LOOKUP_USER_RUNTIME, &s), ENXIO);
        ASSERT_ERROR(lookup_user_dir((LookupUserDir) 99, &s), EINVAL);

        /* No usable $HOME: root's is fixed, others come from passwd. */
        setenv("HOME", "not/absolute", 1);
        ASSERT_OK(lookup_home_dir(&s));
        if (getuid() == 0)
                ASSERT_STREQ(s, "/root");
        free(s);

        clear_env();
        if (old_home)
                setenv("HOME", old_home, 1);
        else
                unsetenv("HOME");
        free(old_home);
}

/* Our list against `systemd-analyze [--user] unit-paths`, minus the
 * /lib/systemd/system entry of Debian's split-/usr build of systemd 252. */
static void compare_with_systemd(bool user) {
        _cleanup_strv_free_ char **theirs = NULL;
        LookupPaths lp = {};
        char line[4096];
        FILE *f;

        f = popen(user ? "systemd-analyze --user unit-paths 2>/dev/null"
                       : "systemd-analyze unit-paths 2>/dev/null", "r");
        ASSERT_NOT_NULL(f);
        while (fgets(line, sizeof line, f)) {
                strstrip(line);
                if (!streq(line, "/lib/systemd/system"))
                        ASSERT_OK(strv_extend(&theirs, line));
        }
        if (pclose(f) != 0 || !theirs) {
                fprintf(stderr, "systemd-analyze not usable, not comparing (%s)\n",
                        user ? "user" : "system");
                return;
        }
        ASSERT_OK(lookup_paths_init(&lp, user, NULL));
        ASSERT_EQ(strv_length(lp.search_path), strv_length(theirs));
        for (size_t i = 0; theirs[i]; i++)
                ASSERT_STREQ(lp.search_path[i], theirs[i]);
        lookup_paths_done(&lp);
}

TEST(same_as_systemd_analyze) {
        clear_env();
        compare_with_systemd(false);
        setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
        compare_with_systemd(true);
        unsetenv("XDG_RUNTIME_DIR");
        compare_with_systemd(true);
        setenv("XDG_CONFIG_DIRS", "rel:/c", 1);
        setenv("XDG_DATA_DIRS", "/d::x", 1);
        setenv("XDG_DATA_HOME", "/dh", 1);
        compare_with_systemd(true);
        setenv("XDG_CONFIG_DIRS", "", 1);
        setenv("XDG_DATA_DIRS", "", 1);
        compare_with_systemd(true);
        clear_env();
        setenv("SYSTEMD_UNIT_PATH", "/one:rel::/two:", 1);
        compare_with_systemd(false);
        clear_env();
}

RUN_TESTS();
