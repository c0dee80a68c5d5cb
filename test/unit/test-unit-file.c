/* SPDX-License-Identifier: MIT */
/* Fragment lookup, aliases, masking, drop-ins and .wants/.requires/.upholds
 * over directory trees built in a temporary directory with three search
 * directories standing for /etc, /run and /usr/lib (highest first). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"
#include "tmp-tree.h"
#include "unit-file.h"

/* A fresh tree; lp searches etc, run, usr (in that order). */
static void setup(LookupPaths *lp) {
        char **l = NULL;

        tmp_tree_new("test-unit-file");
        make_dir("etc");
        make_dir("run");
        make_dir("usr");
        ASSERT_OK(strv_extend(&l, p("etc")));
        ASSERT_OK(strv_extend(&l, p("run")));
        ASSERT_OK(strv_extend(&l, p("usr")));
        *lp = (LookupPaths) { .search_path = l };
}

static void teardown(LookupPaths *lp) {
        lookup_paths_done(lp);
        tmp_tree_remove();
}

/* l equals the NULL-terminated list of root-relative paths / names. */
static void assert_strv(char **l, int paths, ...) {
        va_list ap;
        size_t i = 0;

        va_start(ap, paths);
        for (const char *e; (e = va_arg(ap, const char *)); i++) {
                ASSERT_NOT_NULL(l);
                ASSERT_NOT_NULL(l[i]);
                ASSERT_STREQ(l[i], paths ? p(e) : e);
        }
        va_end(ap);
        if (l)
                ASSERT_NULL(l[i]);
}

TEST(first_match_wins) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/foo.socket", "[Socket]\nListenStream=1\n");
        write_file("etc/foo.socket", "[Socket]\nListenStream=2\n");
        write_file("run/bar.socket", "[Socket]\n");
        make_dir("usr/dir.socket"); /* a directory is not a unit file */

        ASSERT_OK(unit_file_find(&lp, "foo.socket", &i));
        ASSERT_STREQ(i.name, "foo.socket");
        ASSERT_STREQ(i.id, "foo.socket");
        ASSERT_STREQ(i.fragment_path, p("etc/foo.socket"));
        ASSERT_FALSE(i.masked);
        assert_strv(i.aliases, false, NULL);
        assert_strv(i.dropin_paths, true, NULL);
        assert_strv(i.wants, false, NULL);
        unit_file_info_done(&i);
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "bar.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("run/bar.socket"));
        unit_file_info_done(&i);

        ASSERT_ERROR(unit_file_find(&lp, "dir.socket", &i), ENOENT);
        ASSERT_NULL(i.fragment_path);
        ASSERT_STREQ(i.id, "dir.socket");
        unit_file_info_done(&i);

        ASSERT_ERROR(unit_file_find(&lp, "missing.socket", &i), ENOENT);
        unit_file_info_done(&i);
        ASSERT_ERROR(unit_file_find(&lp, "not a name", &i), EINVAL);
        ASSERT_NULL(i.name);
        ASSERT_ERROR(unit_file_find(&lp, "", &i), EINVAL);
        teardown(&lp);
}

TEST(instances_and_templates) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/foo@.socket", "[Socket]\n");
        write_file("usr/foo@special.socket", "[Socket]\n");

        ASSERT_OK(unit_file_find(&lp, "foo@bar.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/foo@.socket"));
        ASSERT_STREQ(i.id, "foo@bar.socket");
        assert_strv(i.aliases, false, NULL);
        unit_file_info_done(&i);

        /* The literal instance file comes first. */
        ASSERT_OK(unit_file_find(&lp, "foo@special.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/foo@special.socket"));
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "foo@.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/foo@.socket"));
        ASSERT_STREQ(i.id, "foo@.socket");
        unit_file_info_done(&i);

        ASSERT_ERROR(unit_file_find(&lp, "other@x.socket", &i), ENOENT);
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(aliases) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/real.service", "[Service]\n");
        make_link("real.service", "usr/alias1.service");            /* relative */
        make_link(p("usr/real.service"), "etc/alias2.service");     /* absolute */
        make_link("../usr/alias1.service", "run/alias3.service");   /* chain */
        write_file("usr/tmpl@.service", "[Service]\n");
        make_link("tmpl@.service", "usr/tmpl-alias@.service");
        make_link("tmpl@.service", "usr/inst@one.service");         /* instance -> template */

        ASSERT_OK(unit_file_find(&lp, "real.service", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/real.service"));
        ASSERT_STREQ(i.id, "real.service");
        assert_strv(i.aliases, false, "alias1.service", "alias2.service", "alias3.service", NULL);
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "alias3.service", &i));
        ASSERT_STREQ(i.name, "alias3.service");
        ASSERT_STREQ(i.id, "real.service");
        ASSERT_STREQ(i.fragment_path, p("usr/real.service"));
        assert_strv(i.aliases, false, "alias1.service", "alias2.service", "alias3.service", NULL);
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "tmpl@x.service", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/tmpl@.service"));
        ASSERT_STREQ(i.id, "tmpl@x.service");
        assert_strv(i.aliases, false, "tmpl-alias@x.service", NULL);
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "tmpl-alias@y.service", &i));
        ASSERT_STREQ(i.id, "tmpl@y.service");
        assert_strv(i.aliases, false, "tmpl-alias@y.service", NULL);
        unit_file_info_done(&i);

        /* inst@one.service is an alias of tmpl@one.service only. */
        ASSERT_OK(unit_file_find(&lp, "inst@one.service", &i));
        ASSERT_STREQ(i.id, "tmpl@one.service");
        assert_strv(i.aliases, false, "inst@one.service", "tmpl-alias@one.service", NULL);
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_find(&lp, "tmpl@one.service", &i));
        assert_strv(i.aliases, false, "inst@one.service", "tmpl-alias@one.service", NULL);
        unit_file_info_done(&i);
        ASSERT_ERROR(unit_file_find(&lp, "inst@two.service", &i), ENOENT);
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(bad_aliases_are_ignored) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/a.service", "[Service]\n");
        make_link("a.service", "usr/b.socket");       /* type changes */
        write_file("usr/m.mount", "[Mount]\n");
        make_link("m.mount", "usr/n.mount");          /* mounts may not alias */
        write_file("usr/t@.service", "[Service]\n");
        make_link("t@.service", "usr/plain.service"); /* template-ness changes */
        /* Same name in a higher directory: not an alias, looked up further. */
        write_file("usr/self.service", "[Service]\n");
        make_link(p("usr/self.service"), "etc/self.service");

        ASSERT_ERROR(unit_file_find(&lp, "b.socket", &i), ENOENT);
        unit_file_info_done(&i);
        ASSERT_ERROR(unit_file_find(&lp, "n.mount", &i), ENOENT);
        unit_file_info_done(&i);
        ASSERT_ERROR(unit_file_find(&lp, "plain.service", &i), ENOENT);
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_find(&lp, "a.service", &i));
        assert_strv(i.aliases, false, NULL);
        /* systemd's notices for the rejected symlinks, not for self.service */
        ASSERT_EQ(strv_length(i.notices), 3);
        ASSERT_TRUE(strv_contains(i.notices,
                                  "b.socket: symlink target \"a.service\" has incompatible suffix, rejecting."));
        ASSERT_TRUE(strv_contains(i.notices, "n.mount: symlinks are not allowed for units of this type, rejecting."));
        ASSERT_TRUE(strv_contains(i.notices,
                                  "plain.service: symlink target name type \"t@.service\" does not match source, rejecting."));
        unit_file_info_done(&i);
        make_link("x@y.service", "usr/z@w.service");
        make_link("a.conf", "usr/c.service");
        make_link("t@.service", "usr/d@.socket");
        ASSERT_OK(unit_file_find(&lp, "a.service", &i));
        ASSERT_EQ(strv_length(i.notices), 6);
        ASSERT_TRUE(strv_contains(i.notices,
                                  "z@w.service: unit symlink target \"x@y.service\" instance name doesn't match, rejecting."));
        ASSERT_TRUE(strv_contains(i.notices,
                                  "c.service points to \"a.conf\" which is not a valid unit name: Invalid cross-device link"));
        ASSERT_TRUE(strv_contains(i.notices,
                                  "d@.socket: symlink target \"t@.service\" has incompatible suffix, rejecting."));
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_find(&lp, "self.service", &i));
        ASSERT_STREQ(i.fragment_path, p("usr/self.service"));
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(alias_loop) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        make_link("b.service", "usr/a.service");
        make_link("a.service", "usr/b.service");
        ASSERT_ERROR(unit_file_find(&lp, "a.service", &i), ELOOP);
        ASSERT_NULL(i.name);
        teardown(&lp);
}

TEST(linked_and_masked) {
        LookupPaths lp;
        UnitFileInfo i;
        int fd;

        setup(&lp);
        write_file("outside/ext.socket", "[Socket]\n");
        make_link(p("outside/ext.socket"), "etc/ext.socket");
        write_file("outside/other-name.socket", "[Socket]\n");
        make_link(p("outside/other-name.socket"), "etc/linked.socket");
        write_file("usr/masked.socket", "[Socket]\n");
        make_link("/dev/null", "etc/masked.socket");
        write_file("usr/empty.socket", "");
        make_link("/dev/null", "usr/null-alias.socket");
        write_file("etc/masked.socket.d/x.conf", "[Socket]\n");
        make_link("/nonexistent/dangling.socket", "etc/dangling.socket");

        /* A symlink out of the search path is the fragment itself. */
        ASSERT_OK(unit_file_find(&lp, "ext.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("etc/ext.socket"));
        ASSERT_STREQ(i.id, "ext.socket");
        ASSERT_FALSE(i.masked);
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_find(&lp, "linked.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("etc/linked.socket"));
        ASSERT_STREQ(i.id, "linked.socket");
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "masked.socket", &i));
        ASSERT_TRUE(i.masked);
        ASSERT_STREQ(i.fragment_path, p("etc/masked.socket"));
        assert_strv(i.dropin_paths, true, "etc/masked.socket.d/x.conf", NULL); /* parsed anyway */
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "empty.socket", &i));
        ASSERT_TRUE(i.masked);
        ASSERT_STREQ(i.fragment_path, p("usr/empty.socket"));
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "null-alias.socket", &i));
        ASSERT_TRUE(i.masked);
        unit_file_info_done(&i);

        /* A dangling link is still the fragment; loading it will fail. */
        ASSERT_OK(unit_file_find(&lp, "dangling.socket", &i));
        ASSERT_FALSE(i.masked);
        ASSERT_STREQ(i.fragment_path, p("etc/dangling.socket"));
        unit_file_info_done(&i);

        ASSERT_EQ(null_or_empty_path("/dev/null"), 1);
        ASSERT_EQ(null_or_empty_path(p("usr/empty.socket")), 1);
        ASSERT_EQ(null_or_empty_path(p("usr/masked.socket")), 0);
        ASSERT_ERROR(null_or_empty_path(p("nope")), ENOENT);
        fd = open(p("usr/masked.socket"), O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        safe_close(fd);
        teardown(&lp);
}

TEST(dropins_order_and_hiding) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/a-b-c.socket", "[Socket]\n");
        write_file("usr/a-b-c.socket.d/10-usr.conf", "");
        write_file("usr/a-b-c.socket.d/50-same.conf", "usr");
        write_file("etc/a-b-c.socket.d/50-same.conf", "etc");    /* hides usr's */
        write_file("run/a-b-.socket.d/20-prefix.conf", "");
        write_file("usr/a-.socket.d/05-top-prefix.conf", "");
        write_file("usr/a-.socket.d/10-usr.conf", "");           /* hidden: more specific wins */
        write_file("usr/socket.d/00-type.conf", "");
        write_file("etc/socket.d/10-usr.conf", "");              /* names come before socket.d */
        write_file("usr/a-b-c.socket.d/.hidden.conf", "");
        write_file("usr/a-b-c.socket.d/x.conf~", "");
        write_file("usr/a-b-c.socket.d/notconf.txt", "");
        make_dir("usr/a-b-c.socket.d/dir.conf");
        make_link("/dev/null", "etc/a-b-c.socket.d/60-masked.conf");
        write_file("usr/60-masked-src.conf", "");
        make_link(p("usr/60-masked-src.conf"), "usr/a-b-c.socket.d/60-masked.conf");
        write_file("usr/other.socket.d/99-other.conf", "");       /* another unit */

        ASSERT_OK(unit_file_find(&lp, "a-b-c.socket", &i));
        assert_strv(i.dropin_paths, true,
                    "usr/socket.d/00-type.conf",
                    "usr/a-.socket.d/05-top-prefix.conf",
                    "usr/a-b-c.socket.d/10-usr.conf",
                    "run/a-b-.socket.d/20-prefix.conf",
                    "etc/a-b-c.socket.d/50-same.conf",
                    "etc/a-b-c.socket.d/60-masked.conf",
                    NULL);
        unit_file_info_done(&i);

        /* The search directory counts before specificity: /etc's prefix
         * directory hides /usr's exact one. */
        write_file("etc/a-.socket.d/20-prefix.conf", "");
        ASSERT_OK(unit_file_find(&lp, "a-b-c.socket", &i));
        ASSERT_STREQ(i.dropin_paths[3], p("etc/a-.socket.d/20-prefix.conf"));
        unit_file_info_done(&i);

        /* A trailing dash is chopped once: a-b-.socket looks in a-.socket.d */
        write_file("usr/x-y-.socket", "[Socket]\n");
        write_file("usr/x-.socket.d/1.conf", "");
        ASSERT_OK(unit_file_find(&lp, "x-y-.socket", &i));
        assert_strv(i.dropin_paths, true, "usr/socket.d/00-type.conf", "usr/x-.socket.d/1.conf",
                    "etc/socket.d/10-usr.conf", NULL);
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(dropins_templates_and_aliases) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/t-x@.service", "[Service]\n");
        write_file("usr/t-x@.service.d/1-template.conf", "");
        write_file("etc/t-x@i.service.d/2-instance.conf", "");
        write_file("usr/t-@.service.d/3-prefix-template.conf", "");
        write_file("usr/t-@i.service.d/4-prefix-instance.conf", "");
        write_file("usr/service.d/5-type.conf", "");
        write_file("usr/real.service", "[Service]\n");
        make_link("real.service", "usr/nick.service");
        write_file("usr/nick.service.d/6-alias.conf", "");
        write_file("usr/real.service.d/6-alias.conf", "");  /* the unit's own name first */

        ASSERT_OK(unit_file_find(&lp, "t-x@i.service", &i));
        assert_strv(i.dropin_paths, true,
                    "usr/t-x@.service.d/1-template.conf",
                    "etc/t-x@i.service.d/2-instance.conf",
                    "usr/t-@.service.d/3-prefix-template.conf",
                    "usr/t-@i.service.d/4-prefix-instance.conf",
                    "usr/service.d/5-type.conf",
                    NULL);
        unit_file_info_done(&i);

        ASSERT_OK(unit_file_find(&lp, "nick.service", &i));
        assert_strv(i.dropin_paths, true,
                    "usr/service.d/5-type.conf",
                    "usr/real.service.d/6-alias.conf",
                    NULL);
        unit_file_info_done(&i);
        rm_rf(p("usr/real.service.d"));
        ASSERT_OK(unit_file_find(&lp, "real.service", &i));
        assert_strv(i.dropin_paths, true,
                    "usr/service.d/5-type.conf",
                    "usr/nick.service.d/6-alias.conf",
                    NULL);
        unit_file_info_done(&i);

        /* Drop-ins are reported for a unit without a fragment too. */
        write_file("etc/ghost.service.d/1.conf", "");
        ASSERT_ERROR(unit_file_find(&lp, "ghost.service", &i), ENOENT);
        assert_strv(i.dropin_paths, true, "etc/ghost.service.d/1.conf", "usr/service.d/5-type.conf", NULL);
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(dependencies) {
        LookupPaths lp;
        UnitFileInfo i;

        setup(&lp);
        write_file("usr/w@.target", "[Unit]\n");
        make_link("/usr/lib/systemd/system/a.service", "etc/w@.target.wants/a.service");
        make_link("/x/b@.service", "usr/w@.target.wants/b@.service");     /* gets the instance */
        make_link("/dev/null", "etc/w@.target.wants/masked.service");
        make_link("/x/masked.service", "usr/w@.target.wants/masked.service"); /* hidden by the mask */
        write_file("usr/w@.target.wants/regular.service", "");            /* not a symlink */
        make_link("/x/bad", "usr/w@.target.wants/not-a-unit");
        make_link("/x/c.socket", "usr/w@i.target.requires/c.socket");
        make_link("/x/d.service", "run/target.d/../w-.target.upholds/d.service");
        make_link("/x/e.service", "run/w-.target.upholds/e.service");

        ASSERT_OK(unit_file_find(&lp, "w@i.target", &i));
        assert_strv(i.wants, false, "a.service", "b@i.service", NULL);
        assert_strv(i.requires, false, "c.socket", NULL);
        assert_strv(i.upholds, false, NULL);
        unit_file_info_done(&i);

        /* Without an instance a template entry cannot be used. */
        ASSERT_OK(unit_file_find(&lp, "w@.target", &i));
        assert_strv(i.wants, false, "a.service", NULL);
        unit_file_info_done(&i);

        write_file("usr/w-x.target", "[Unit]\n");
        ASSERT_OK(unit_file_find(&lp, "w-x.target", &i));
        assert_strv(i.upholds, false, "d.service", "e.service", NULL);
        unit_file_info_done(&i);
        teardown(&lp);
}

TEST(by_path) {
        LookupPaths lp;
        UnitFileInfo i;
        _cleanup_free_ char *cwd = getcwd(NULL, 0);

        setup(&lp);
        write_file("work/my.socket", "[Socket]\n");
        write_file("work/my.socket.d/1-local.conf", "");
        write_file("etc/my.socket.d/2-etc.conf", "");
        write_file("usr/my.socket", "[Socket]\n");  /* not used: the file given wins */
        write_file("work/empty.socket", "");

        ASSERT_OK(unit_file_find(&lp, p("work//my.socket"), &i));
        ASSERT_STREQ(i.name, "my.socket");
        ASSERT_STREQ(i.id, "my.socket");
        ASSERT_STREQ(i.fragment_path, p("work/my.socket"));
        assert_strv(i.dropin_paths, true, "work/my.socket.d/1-local.conf", "etc/my.socket.d/2-etc.conf", NULL);
        unit_file_info_done(&i);

        /* relative to the current directory */
        ASSERT_EQ(chdir(p("work")), 0);
        ASSERT_OK(unit_file_find(&lp, "./my.socket", &i));
        ASSERT_STREQ(i.fragment_path, p("work/my.socket"));
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_find(&lp, "./empty.socket", &i));
        ASSERT_TRUE(i.masked);
        unit_file_info_done(&i);
        ASSERT_EQ(chdir(cwd), 0);

        ASSERT_ERROR(unit_file_find(&lp, p("work/nope.socket"), &i), ENOENT);
        ASSERT_NULL(i.name);
        ASSERT_ERROR(unit_file_find(&lp, p("work/not-a-unit"), &i), EINVAL);
        ASSERT_ERROR(unit_file_find(&lp, "/", &i), EINVAL);
        teardown(&lp);
}

TEST(real_system_units) {
        LookupPaths lp = {};
        UnitFileInfo i;
        int r;

        /* The machine's own units, read-only: whatever is installed must
         * load or be reported missing, never crash or leak. */
        unsetenv("PORTER_UNIT_PATH");
        unsetenv("SYSTEMD_UNIT_PATH");
        ASSERT_OK(lookup_paths_init(&lp, false, NULL));
        static const char *const names[] = {
                "systemd-journald.socket", "dbus.socket", "ssh.socket", "getty@tty1.service",
                "multi-user.target", "ctrl-alt-del.target", "sshd.service",
        };
        for (size_t k = 0; k < ELEMENTSOF(names); k++) {
                r = unit_file_find(&lp, names[k], &i);
                ASSERT_TRUE(r == 0 || r == -ENOENT);
                fprintf(stderr, "%s -> %s%s (%zu aliases, %zu drop-ins, %zu wants)\n", names[k],
                        strna(i.fragment_path), i.masked ? " masked" : "", strv_length(i.aliases),
                        strv_length(i.dropin_paths), strv_length(i.wants));
                unit_file_info_done(&i);
        }
        lookup_paths_done(&lp);
}

/* ---- random trees against systemd-analyze verify ------------------------
 *
 * systemd-analyze verify parses a unit's drop-ins in the order it applies
 * them and warns "PATH:2: Unknown key 'Marker' ..." for each: the fragment
 * and every drop-in below carry that key, so the warnings name systemd's
 * fragment and then its drop-ins, in order.  Random trees mix dash prefixes, templates, aliases, the type's
 * top-level directory, masked drop-ins and same-named files in several
 * search directories. */

static const char *const dirs3[] = { "etc", "run", "usr" };

static void random_tree(unsigned seed, bool instance, char *ret_name, size_t n) {
        static const char *const plain_dirs[] = {
                "a-b-c.service.d", "a-b-.service.d", "a-.service.d", "service.d", "nick.service.d",
        };
        static const char *const inst_dirs[] = {
                "a-b@i.service.d", "a-b@.service.d", "a-@i.service.d", "a-@.service.d", "service.d",
                "nick@.service.d", "nick@i.service.d",
        };
        static const char *const files[] = { "10.conf", "20.conf", "30.conf", "40.conf" };
        const char *const *cands = instance ? inst_dirs : plain_dirs;
        size_t ncands = instance ? ELEMENTSOF(inst_dirs) : ELEMENTSOF(plain_dirs);
        const char *frag = instance ? "a-b@.service" : "a-b-c.service";
        const char *fdir = dirs3[rand_r(&seed) % 3];
        char rel[300];

        snprintf(rel, sizeof rel, "%s/%s", fdir, frag);
        write_file(rel, "[Service]\nExecStart=/bin/true\nMarker=1\n");
        /* sometimes a second copy elsewhere: the first directory wins */
        snprintf(rel, sizeof rel, "%s/%s", dirs3[rand_r(&seed) % 3], frag);
        if (rand_r(&seed) % 2 && access(p(rel), F_OK) < 0)
                write_file(rel, "[Service]\nExecStart=/bin/true\nMarker=1\n");
        /* an alias in some directory, pointing at the fragment */
        snprintf(rel, sizeof rel, "%s/%s", dirs3[rand_r(&seed) % 3], instance ? "nick@.service" : "nick.service");
        {
                char target[600];
                snprintf(target, sizeof target, "%s/%s/%s", root, fdir, frag);
                make_link(target, rel);
        }

        for (int k = 0; k < 8; k++) {
                const char *d = dirs3[rand_r(&seed) % 3];
                const char *c = cands[rand_r(&seed) % ncands];
                const char *f = files[rand_r(&seed) % ELEMENTSOF(files)];

                snprintf(rel, sizeof rel, "%s/%s/%s", d, c, f);
                if (access(p(rel), F_OK) == 0)
                        continue;
                if (rand_r(&seed) % 6 == 0)
                        make_link("/dev/null", rel);
                else
                        write_file(rel, "[Service]\nMarker=1\n");
        }

        static const char *const plain_names[] = { "a-b-c.service", "nick.service" };
        static const char *const inst_names[] = { "a-b@i.service", "nick@i.service" };
        snprintf(ret_name, n, "%s", (instance ? inst_names : plain_names)[rand_r(&seed) % 2]);
}

/* The drop-ins systemd-analyze verify parses for name, in order. */
static char **systemd_dropins(const char *name) {
        char cmd[1200], line[2048];
        char **l = NULL;
        FILE *f;

        snprintf(cmd, sizeof cmd,
                 "cd / && SYSTEMD_UNIT_PATH=%s/etc:%s/run:%s/usr systemd-analyze verify %s 2>&1",
                 root, root, root, name);
        f = popen(cmd, "r");
        ASSERT_NOT_NULL(f);
        while (fgets(line, sizeof line, f)) {
                char *e = strstr(line, ": Unknown key");

                if (!startswith(line, root) || !e)
                        continue;
                *e = '\0';
                *strrchr(line, ':') = '\0'; /* the line number */
                ASSERT_OK(strv_extend(&l, line));
        }
        pclose(f);
        return l;
}

TEST(same_as_systemd_analyze_verify) {
        unsigned compared = 0;

        if (access("/usr/bin/systemd-analyze", X_OK) < 0) {
                fprintf(stderr, "systemd-analyze not installed, not comparing\n");
                return;
        }
        for (unsigned seed = 1; seed <= 40; seed++) {
                _cleanup_strv_free_ char **theirs = NULL, **ours = NULL;
                LookupPaths lp;
                UnitFileInfo i;
                char name[64];

                setup(&lp);
                random_tree(seed, seed % 2 == 0, name, sizeof name);
                theirs = systemd_dropins(name);

                ASSERT_OK(unit_file_find(&lp, name, &i));
                /* the fragment is parsed first */
                ASSERT_OK(strv_extend(&ours, i.fragment_path));
                STRV_FOREACH(d, i.dropin_paths)
                        if (null_or_empty_path(*d) == 0)
                                ASSERT_OK(strv_extend(&ours, *d));
                bool same = strv_length(ours) == strv_length(theirs);
                for (size_t k = 0; same && ours && ours[k]; k++)
                        same = streq(ours[k], theirs[k]);
                if (!same) {
                        fprintf(stderr, "seed %u, %s:\n", seed, name);
                        STRV_FOREACH(d, ours)
                                fprintf(stderr, "  ours   %s\n", *d);
                        STRV_FOREACH(d, theirs)
                                fprintf(stderr, "  theirs %s\n", *d);
                        ASSERT_TRUE(false);
                }
                compared += strv_length(ours) - 1;
                unit_file_info_done(&i);
                teardown(&lp);
        }
        fprintf(stderr, "40 random trees, %u drop-ins, same as systemd-analyze verify\n", compared);
}

TEST(dropin_and_wants_entry_types) {
        LookupPaths lp;
        UnitFileInfo i;
        char target[400];

        setup(&lp);
        write_file("usr/x.socket", "[Socket]\nListenStream=1\n");
        /* A file named like a drop-in directory is not one ... */
        write_file("etc/x.socket.d", "not a directory\n");
        write_file("usr/x.socket.d/a.conf", "[Socket]\n");
        /* ... a symlink to a directory is. */
        write_file("elsewhere/b.conf", "[Socket]\n");
        snprintf(target, sizeof target, "%s", p("elsewhere"));
        make_link(target, "run/x.socket.d");
        /* A regular file in .wants hides a symlink of its name lower down,
         * and is no dependency itself. */
        write_file("etc/x.socket.wants/a.service", "");
        make_link("../a.service", "usr/x.socket.wants/a.service");
        make_link("../b.service", "usr/x.socket.wants/b.service");
        make_dir("usr/x.socket.wants/c.service");

        for (int cached = 0; cached < 2; cached++) {
                if (cached)
                        ASSERT_OK(unit_file_cache_build(&lp));
                ASSERT_OK(unit_file_find(&lp, "x.socket", &i));
                assert_strv(i.dropin_paths, 1, "usr/x.socket.d/a.conf", "run/x.socket.d/b.conf", NULL);
                assert_strv(i.wants, 0, "b.service", NULL);
                unit_file_info_done(&i);
        }
        teardown(&lp);
}

/* ---- the cache: the same answers as a fresh scan ------------------------ */

static void assert_strv_equal(char **a, char **b) {
        ASSERT_EQ(strv_length(a), strv_length(b));
        for (size_t k = 0; a && a[k]; k++)
                ASSERT_STREQ(a[k], b[k]);
}

/* unit_file_find() with lp->cache gives exactly what a scan gives. */
static void assert_cache_same(LookupPaths *lp, const char *name) {
        UnitFileInfo scanned, cached;
        int rs, rc;

        ASSERT_NULL(lp->cache);
        rs = unit_file_find(lp, name, &scanned);
        ASSERT_OK(unit_file_cache_build(lp));
        ASSERT_NOT_NULL(lp->cache);
        rc = unit_file_find(lp, name, &cached);
        unit_file_cache_flush(lp);
        ASSERT_EQ(rs, rc);
        ASSERT_TRUE(streq_ptr(scanned.name, cached.name));
        ASSERT_TRUE(streq_ptr(scanned.id, cached.id));
        ASSERT_TRUE(streq_ptr(scanned.fragment_path, cached.fragment_path));
        ASSERT_EQ(scanned.masked, cached.masked);
        assert_strv_equal(scanned.aliases, cached.aliases);
        assert_strv_equal(scanned.dropin_paths, cached.dropin_paths);
        assert_strv_equal(scanned.wants, cached.wants);
        assert_strv_equal(scanned.requires, cached.requires);
        assert_strv_equal(scanned.upholds, cached.upholds);
        assert_strv_equal(scanned.notices, cached.notices);
        unit_file_info_done(&scanned);
        unit_file_info_done(&cached);
}

TEST(cache_same_as_scan) {
        static const char *const names[] = {
                "a-b-c.service", "nick.service", "a-b@i.service", "nick@i.service", "a-b@.service",
                "nick@.service", "a-b@j.service", "missing.service", "a-.service",
        };
        unsigned compared = 0;

        for (unsigned seed = 1; seed <= 40; seed++) {
                LookupPaths lp;
                char name[64];

                setup(&lp);
                random_tree(seed, seed % 2 == 0, name, sizeof name);
                /* dependencies and a rejected alias, so those are compared too */
                make_dir("run/a-b-c.service.wants");
                make_link("../../usr/x.socket", "run/a-b-c.service.wants/x.socket");
                make_link("/dev/null", "run/a-b-c.service.wants/masked.socket");
                make_link("a-b-c.service", "usr/bad.socket");
                for (size_t k = 0; k < ELEMENTSOF(names); k++, compared++)
                        assert_cache_same(&lp, names[k]);
                teardown(&lp);
        }
        fprintf(stderr, "%u lookups, cached and scanned alike\n", compared);
}

TEST(cache_is_a_snapshot) {
        LookupPaths lp, copy;
        UnitFileInfo i;
        char abs[400];

        setup(&lp);
        write_file("usr/a.socket", "[Socket]\nListenStream=1\n");
        ASSERT_OK(unit_file_cache_build(&lp));
        /* A file added after the scan is not seen until the cache is rebuilt. */
        write_file("etc/b.socket", "[Socket]\nListenStream=2\n");
        ASSERT_ERROR(unit_file_find(&lp, "b.socket", &i), ENOENT);
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_cache_build(&lp));
        ASSERT_OK(unit_file_find(&lp, "b.socket", &i));
        unit_file_info_done(&i);

        /* Masking is checked at each lookup, not cached. */
        write_file("usr/a.socket", "");
        ASSERT_OK(unit_file_find(&lp, "a.socket", &i));
        ASSERT_TRUE(i.masked);
        unit_file_info_done(&i);

        /* A copy with another search path does not use the cache. */
        copy = lp;
        copy.search_path = lp.search_path + 1;
        write_file("run/c.socket", "[Socket]\nListenStream=3\n");
        ASSERT_OK(unit_file_find(&copy, "c.socket", &i));
        unit_file_info_done(&i);
        /* Nor does a path lookup (its directory goes first). */
        snprintf(abs, sizeof abs, "%s", p("run/c.socket"));
        ASSERT_OK(unit_file_find(&lp, abs, &i));
        ASSERT_STREQ(i.fragment_path, abs);
        unit_file_info_done(&i);

        /* Staleness: directories last changed an hour ago are not ... */
        ASSERT_FALSE(unit_file_cache_is_stale(&(LookupPaths) { .search_path = lp.search_path })); /* no cache */
        STRV_FOREACH(d, lp.search_path)
                ASSERT_OK(utimensat(AT_FDCWD, *d, (struct timespec[2]) {
                        { .tv_sec = time(NULL) - 3600 }, { .tv_sec = time(NULL) - 3600 } }, 0));
        ASSERT_OK(unit_file_cache_build(&lp));
        ASSERT_FALSE(unit_file_cache_is_stale(&lp));
        /* ... until a file is added, whatever the timestamp granularity. */
        write_file("usr/d.socket", "[Socket]\nListenStream=4\n");
        ASSERT_TRUE(unit_file_cache_is_stale(&lp));
        /* A file added right after a scan (same tick) is seen as a change. */
        ASSERT_OK(unit_file_cache_build(&lp));
        write_file("usr/e.socket", "[Socket]\nListenStream=5\n");
        ASSERT_TRUE(unit_file_cache_is_stale(&lp));

        unit_file_cache_flush(&lp);
        unit_file_cache_flush(&lp); /* idempotent */
        ASSERT_OK(unit_file_find(&lp, "c.socket", &i));
        unit_file_info_done(&i);
        ASSERT_OK(unit_file_cache_build(&lp));
        teardown(&lp); /* lookup_paths_done() frees the cache */
}

RUN_TESTS();
