/* SPDX-License-Identifier: MIT */
/* enable/disable/mask/unmask/is-enabled on a tree in a temporary root
 * directory (lookup_paths_init with root_dir), checked against what
 * systemctl --root=DIR does (test/pytest/test_porterctl_install.py runs
 * systemctl itself on the same kind of tree). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"
#include "tmp-tree.h"
#include "unit-install.h"
#include "unit-path.h"

/* The text of the link at rel, or NULL if there is none. */
static const char *link_text(const char *rel) {
        static char buf[PATH_MAX];
        ssize_t n = readlink(p(rel), buf, sizeof buf - 1);

        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return buf;
}

static bool exists(const char *rel) {
        struct stat st;
        return lstat(p(rel), &st) >= 0;
}

#define U "usr/lib/systemd/system/"
#define E "etc/systemd/system/"

static void setup(LookupPaths *lp, InstallPaths *ip) {
        tmp_tree_new("test-unit-install");
        write_file(U "foo.service",
                   "[Service]\nExecStart=/bin/true\n"
                   "[Install]\nWantedBy=multi-user.target\nRequiredBy=bar.target\nUpheldBy=up.target\n"
                   "Alias=foo2.service\nAlso=foo.socket\n");
        write_file(U "foo.socket", "[Socket]\nListenStream=1234\n[Install]\nWantedBy=sockets.target\n");
        write_file(U "sockets.target", "[Unit]\nDescription=Sockets\n");
        write_file(U "tmpl@.service",
                   "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=def\n");
        write_file(U "notmpl@.service", "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        write_file(U "st.service", "[Service]\nExecStart=/bin/true\n");
        write_file(U "alsoonly.service", "[Service]\nExecStart=/bin/true\n[Install]\nAlso=foo.socket\n");
        write_file("run/systemd/generator/gen.service",
                   "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        write_file("opt/linked.service", "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        make_link("/opt/linked.service", E "linked.service");
        (void) unsetenv("PORTER_UNIT_PATH");
        (void) unsetenv("SYSTEMD_UNIT_PATH");
        ASSERT_OK(lookup_paths_init(lp, false, root));
        ASSERT_OK(install_paths_init(ip, lp, false));
        ASSERT_STREQ(ip->config, p("etc/systemd/system"));
}

static void teardown(LookupPaths *lp, InstallPaths *ip) {
        install_paths_done(ip);
        lookup_paths_done(lp);
        tmp_tree_remove();
}

static UnitFileState state(const InstallPaths *ip, const char *name) {
        UnitFileState s = _UNIT_FILE_STATE_INVALID;
        ASSERT_OK(unit_file_get_state(ip, name, &s));
        return s;
}

static size_t count_type(const InstallChanges *c, int type) {
        size_t n = 0;
        for (size_t i = 0; i < c->n; i++)
                n += c->changes[i].type == type;
        return n;
}

TEST(enable_disable_plain) {
        LookupPaths lp = {};
        InstallPaths ip = {};
        InstallChanges c = {};

        setup(&lp, &ip);
        ASSERT_EQ(state(&ip, "foo.service"), UNIT_FILE_DISABLED);
        ASSERT_EQ(state(&ip, "foo.socket"), UNIT_FILE_DISABLED);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("foo.service"), false, &c));
        /* Link texts are the fragment's path below the root. */
        ASSERT_STREQ(link_text(E "foo2.service"), "/usr/lib/systemd/system/foo.service");
        ASSERT_STREQ(link_text(E "multi-user.target.wants/foo.service"), "/usr/lib/systemd/system/foo.service");
        ASSERT_STREQ(link_text(E "bar.target.requires/foo.service"), "/usr/lib/systemd/system/foo.service");
        ASSERT_STREQ(link_text(E "up.target.upholds/foo.service"), "/usr/lib/systemd/system/foo.service");
        ASSERT_STREQ(link_text(E "sockets.target.wants/foo.socket"), "/usr/lib/systemd/system/foo.socket");
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_SYMLINK), 5);
        /* multi-user.target, bar.target and up.target do not exist; sockets.target does */
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_DESTINATION_NOT_PRESENT), 3);
        ASSERT_STREQ(c.changes[0].path, p(E "foo2.service"));
        ASSERT_FALSE(install_changes_have_error(&c));
        install_changes_done(&c);

        ASSERT_EQ(state(&ip, "foo.service"), UNIT_FILE_ENABLED);
        ASSERT_EQ(state(&ip, "foo2.service"), UNIT_FILE_ALIAS);
        ASSERT_EQ(state(&ip, "foo.socket"), UNIT_FILE_ENABLED);
        ASSERT_EQ(state(&ip, "alsoonly.service"), UNIT_FILE_INDIRECT);

        /* Enabling again changes nothing. */
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("foo.service"), false, &c));
        ASSERT_EQ(c.n, 3u); /* only the missing-target notes */
        install_changes_done(&c);

        ASSERT_OK(unit_file_disable(&ip, STRV_MAKE("foo.service"), &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_UNLINK), 5);
        install_changes_done(&c);
        ASSERT_FALSE(exists(E "multi-user.target.wants"));
        ASSERT_FALSE(exists(E "foo2.service"));
        ASSERT_FALSE(exists(E "sockets.target.wants"));
        ASSERT_TRUE(exists(E "linked.service"));
        ASSERT_EQ(state(&ip, "foo.service"), UNIT_FILE_DISABLED);
        teardown(&lp, &ip);
}

TEST(states) {
        LookupPaths lp = {};
        InstallPaths ip = {};
        UnitFileState s;

        setup(&lp, &ip);
        ASSERT_EQ(state(&ip, "st.service"), UNIT_FILE_STATIC);
        ASSERT_EQ(state(&ip, "gen.service"), UNIT_FILE_GENERATED);
        ASSERT_EQ(state(&ip, "linked.service"), UNIT_FILE_LINKED);
        ASSERT_EQ(state(&ip, "alsoonly.service"), UNIT_FILE_INDIRECT);
        ASSERT_ERROR(unit_file_get_state(&ip, "nope.service", &s), ENOENT);
        ASSERT_ERROR(unit_file_get_state(&ip, "no/pe.service", &s), EINVAL);
        ASSERT_STREQ(unit_file_state_to_string(UNIT_FILE_ENABLED_RUNTIME), "enabled-runtime");
        ASSERT_TRUE(unit_file_state_is_enabled(UNIT_FILE_STATIC));
        ASSERT_FALSE(unit_file_state_is_enabled(UNIT_FILE_LINKED));
        ASSERT_FALSE(unit_file_state_is_enabled(UNIT_FILE_DISABLED));
        /* A link in a .wants dir of /run: enabled-runtime. */
        make_link("/usr/lib/systemd/system/st.service", "run/systemd/system/multi-user.target.wants/st.service");
        ASSERT_EQ(state(&ip, "st.service"), UNIT_FILE_ENABLED_RUNTIME);
        teardown(&lp, &ip);
}

TEST(templates) {
        LookupPaths lp = {};
        InstallPaths ip = {};
        InstallChanges c = {};

        setup(&lp, &ip);
        ASSERT_EQ(state(&ip, "tmpl@.service"), UNIT_FILE_DISABLED);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("tmpl@.service"), false, &c));
        ASSERT_STREQ(link_text(E "multi-user.target.wants/tmpl@def.service"), "/usr/lib/systemd/system/tmpl@.service");
        install_changes_done(&c);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("tmpl@x.service"), false, &c));
        ASSERT_STREQ(link_text(E "multi-user.target.wants/tmpl@x.service"), "/usr/lib/systemd/system/tmpl@.service");
        install_changes_done(&c);
        ASSERT_EQ(state(&ip, "tmpl@.service"), UNIT_FILE_ENABLED);
        ASSERT_EQ(state(&ip, "tmpl@x.service"), UNIT_FILE_ENABLED);
        ASSERT_EQ(state(&ip, "tmpl@def.service"), UNIT_FILE_ENABLED);
        ASSERT_EQ(state(&ip, "tmpl@y.service"), UNIT_FILE_DISABLED);

        /* disabling the instance leaves the default instance */
        ASSERT_OK(unit_file_disable(&ip, STRV_MAKE("tmpl@x.service"), &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_UNLINK), 1);
        install_changes_done(&c);
        ASSERT_TRUE(exists(E "multi-user.target.wants/tmpl@def.service"));
        /* disabling the template removes every instance */
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("tmpl@z.service"), false, &c));
        install_changes_done(&c);
        ASSERT_OK(unit_file_disable(&ip, STRV_MAKE("tmpl@.service"), &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_UNLINK), 2);
        install_changes_done(&c);

        /* A template without DefaultInstance= needs an instance: the
         * target multi-user.target is not a template (-EIDRM). */
        ASSERT_ERROR(unit_file_enable(&ip, STRV_MAKE("notmpl@.service"), false, &c), EIDRM);
        ASSERT_TRUE(install_changes_have_error(&c));
        install_changes_done(&c);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("notmpl@a.service"), false, &c));
        ASSERT_STREQ(link_text(E "multi-user.target.wants/notmpl@a.service"),
                     "/usr/lib/systemd/system/notmpl@.service");
        install_changes_done(&c);
        teardown(&lp, &ip);
}

TEST(mask_unmask_and_errors) {
        LookupPaths lp = {};
        InstallPaths ip = {};
        InstallChanges c = {};

        setup(&lp, &ip);
        ASSERT_OK(unit_file_mask(&ip, STRV_MAKE("st.service"), false, &c));
        ASSERT_STREQ(link_text(E "st.service"), "/dev/null");
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_SYMLINK), 1);
        install_changes_done(&c);
        ASSERT_EQ(state(&ip, "st.service"), UNIT_FILE_MASKED);
        ASSERT_ERROR(unit_file_enable(&ip, STRV_MAKE("st.service"), false, &c), ERFKILL);
        install_changes_done(&c);
        /* disable of a masked unit notes it and removes nothing */
        ASSERT_OK(unit_file_disable(&ip, STRV_MAKE("st.service"), &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_IS_MASKED), 1);
        install_changes_done(&c);
        ASSERT_OK(unit_file_unmask(&ip, STRV_MAKE("st.service"), &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_UNLINK), 1);
        install_changes_done(&c);
        ASSERT_FALSE(exists(E "st.service"));
        ASSERT_EQ(state(&ip, "st.service"), UNIT_FILE_STATIC);

        /* a unit without [Install] rules is not an error, only noted */
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("st.service"), false, &c));
        ASSERT_EQ(count_type(&c, INSTALL_CHANGE_NO_INSTALL_INFO), 1);
        install_changes_done(&c);

        ASSERT_ERROR(unit_file_enable(&ip, STRV_MAKE("nope.service"), false, &c), ENOENT);
        install_changes_done(&c);
        /* a regular file where the Alias= link goes */
        write_file(E "foo2.service", "[Service]\nExecStart=/bin/true\n");
        ASSERT_ERROR(unit_file_enable(&ip, STRV_MAKE("foo.service"), false, &c), EEXIST);
        install_changes_done(&c);
        /* a foreign alias link is replaced only with force */
        ASSERT_EQ(unlink(p(E "foo2.service")), 0);
        make_link("/usr/lib/systemd/system/st.service", E "foo2.service");
        ASSERT_ERROR(unit_file_enable(&ip, STRV_MAKE("foo.service"), false, &c), EEXIST);
        install_changes_done(&c);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("foo.service"), true, &c));
        ASSERT_STREQ(link_text(E "foo2.service"), "/usr/lib/systemd/system/foo.service");
        install_changes_done(&c);
        teardown(&lp, &ip);
}

TEST(custom_search_path) {
        LookupPaths lp = {};
        InstallPaths ip = {};
        InstallChanges c = {};

        setup(&lp, &ip);
        install_paths_done(&ip);
        /* porterd --unit-path DIR: DIR is where the links go. */
        strv_free(lp.search_path);
        lp.search_path = NULL;
        ASSERT_OK(strv_extend(&lp.search_path, p("usr/lib/systemd/system")));
        free(lp.root_dir);
        lp.root_dir = NULL;
        ASSERT_OK(install_paths_init(&ip, &lp, false));
        ASSERT_STREQ(ip.config, p("usr/lib/systemd/system"));
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("foo.socket"), false, &c));
        ASSERT_STREQ(link_text("usr/lib/systemd/system/sockets.target.wants/foo.socket"), p(U "foo.socket"));
        install_changes_done(&c);
        ASSERT_EQ(state(&ip, "foo.socket"), UNIT_FILE_ENABLED);
        teardown(&lp, &ip);
}

TEST(user_scope) {
        LookupPaths lp = {}, dummy = {};
        InstallPaths ip = {}, dummy_ip = {};
        InstallChanges c = {};
        char want[4200];

        setup(&dummy, &dummy_ip);
        install_paths_done(&dummy_ip);
        lookup_paths_done(&dummy);
        ASSERT_OK(setenv("XDG_CONFIG_HOME", p("cfg"), 1));
        ASSERT_OK(setenv("XDG_DATA_HOME", p("data"), 1));
        ASSERT_OK(setenv("XDG_RUNTIME_DIR", p("rt"), 1));
        write_file("data/systemd/user/u.service",
                   "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n");
        ASSERT_OK(lookup_paths_init(&lp, true, NULL));
        ASSERT_OK(install_paths_init(&ip, &lp, false));
        ASSERT_STREQ(ip.config, p("cfg/systemd/user"));
        ASSERT_STREQ(ip.runtime_config, p("rt/systemd/user"));
        ASSERT_EQ(state(&ip, "u.service"), UNIT_FILE_DISABLED);
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("u.service"), false, &c));
        snprintf(want, sizeof want, "%s", p("data/systemd/user/u.service"));
        ASSERT_STREQ(link_text("cfg/systemd/user/default.target.wants/u.service"), want);
        install_changes_done(&c);
        ASSERT_EQ(state(&ip, "u.service"), UNIT_FILE_ENABLED);
        install_paths_done(&ip);
        /* --runtime: below $XDG_RUNTIME_DIR, enabled-runtime */
        ASSERT_OK(install_paths_init(&ip, &lp, true));
        ASSERT_OK(unit_file_disable(&ip, STRV_MAKE("u.service"), &c));
        ASSERT_EQ(c.n, 0u); /* nothing below the runtime directory */
        ASSERT_OK(unit_file_enable(&ip, STRV_MAKE("u.service"), false, &c));
        install_changes_done(&c);
        ASSERT_TRUE(exists("rt/systemd/user/default.target.wants/u.service"));
        ASSERT_EQ(state(&ip, "u.service"), UNIT_FILE_ENABLED);   /* the persistent link still wins */
        ASSERT_OK(unlink(p("cfg/systemd/user/default.target.wants/u.service")));
        ASSERT_EQ(state(&ip, "u.service"), UNIT_FILE_ENABLED_RUNTIME);
        (void) unsetenv("XDG_CONFIG_HOME");
        (void) unsetenv("XDG_DATA_HOME");
        (void) unsetenv("XDG_RUNTIME_DIR");
        teardown(&lp, &ip);
}

RUN_TESTS()
