/* SPDX-License-Identifier: MIT */
/* Unit names: validation, instance/template helpers and escaping.  The
 * escaping expectations were produced by systemd-escape 252 on Debian 12
 * (test/pytest/test_escape.py compares the two programs on many more). */
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "path-util.h"
#include "string-util.h"
#include "tests.h"
#include "unit-name.h"

TEST(type_strings) {
        ASSERT_STREQ(unit_type_to_string(UNIT_SOCKET), "socket");
        ASSERT_STREQ(unit_type_to_string(UNIT_SCOPE), "scope");
        ASSERT_NULL(unit_type_to_string(_UNIT_TYPE_MAX));
        ASSERT_NULL(unit_type_to_string(_UNIT_TYPE_INVALID));
        for (UnitType t = 0; t < _UNIT_TYPE_MAX; t++)
                ASSERT_EQ(unit_type_from_string(unit_type_to_string(t)), t);
        ASSERT_EQ(unit_type_from_string("Socket"), -EINVAL);
        ASSERT_EQ(unit_type_from_string(".socket"), -EINVAL);
        ASSERT_EQ(unit_type_from_string(""), -EINVAL);
        ASSERT_EQ(unit_type_from_string(NULL), -EINVAL);
}

TEST(is_valid) {
        ASSERT_TRUE(unit_name_is_valid("foo.socket", UNIT_NAME_PLAIN));
        ASSERT_FALSE(unit_name_is_valid("foo.socket", UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE));
        ASSERT_TRUE(unit_name_is_valid("foo@.socket", UNIT_NAME_TEMPLATE));
        ASSERT_FALSE(unit_name_is_valid("foo@.socket", UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE));
        ASSERT_TRUE(unit_name_is_valid("foo@bar.socket", UNIT_NAME_INSTANCE));
        ASSERT_FALSE(unit_name_is_valid("foo@bar.socket", UNIT_NAME_PLAIN | UNIT_NAME_TEMPLATE));
        ASSERT_TRUE(unit_name_is_valid("foo@bar@baz.service", UNIT_NAME_INSTANCE));
        ASSERT_TRUE(unit_name_is_valid("a:b-c_d.e\\x2d.service", UNIT_NAME_PLAIN));
        ASSERT_TRUE(unit_name_is_valid("foo.bar.service", UNIT_NAME_PLAIN));
        ASSERT_TRUE(unit_name_is_valid(".foo.service", UNIT_NAME_PLAIN)); /* '.' is allowed */
        ASSERT_TRUE(unit_name_is_valid("-.mount", UNIT_NAME_PLAIN));

        ASSERT_FALSE(unit_name_is_valid("foo.socket", 0));
        ASSERT_FALSE(unit_name_is_valid("", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid(NULL, UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid(".socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo.", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo.sock", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo.Socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("@.socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("@bar.socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo bar.socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo/bar.socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("f\xc3\xbc.socket", UNIT_NAME_ANY));
        ASSERT_FALSE(unit_name_is_valid("foo%i.socket", UNIT_NAME_ANY));

        /* 255 characters is the limit. */
        char buf[300];
        memset(buf, 'a', sizeof buf);
        strcpy(buf + 255 - strlen(".service"), ".service");
        ASSERT_EQ(strlen(buf), 255);
        ASSERT_TRUE(unit_name_is_valid(buf, UNIT_NAME_PLAIN));
        memset(buf, 'a', sizeof buf);
        strcpy(buf + 256 - strlen(".service"), ".service");
        ASSERT_FALSE(unit_name_is_valid(buf, UNIT_NAME_PLAIN));
}

TEST(part_validity) {
        ASSERT_TRUE(unit_prefix_is_valid("foo-bar"));
        ASSERT_FALSE(unit_prefix_is_valid("foo@bar"));
        ASSERT_FALSE(unit_prefix_is_valid(""));
        ASSERT_TRUE(unit_instance_is_valid("a@b"));
        ASSERT_FALSE(unit_instance_is_valid(""));
        ASSERT_FALSE(unit_instance_is_valid("a b"));
        ASSERT_TRUE(unit_suffix_is_valid(".socket"));
        ASSERT_FALSE(unit_suffix_is_valid("socket"));
        ASSERT_FALSE(unit_suffix_is_valid("."));
        ASSERT_FALSE(unit_suffix_is_valid(""));
}

TEST(to_type) {
        ASSERT_EQ(unit_name_to_type("foo.socket"), UNIT_SOCKET);
        ASSERT_EQ(unit_name_to_type("foo@x.service"), UNIT_SERVICE);
        ASSERT_EQ(unit_name_to_type("a.b.timer"), UNIT_TIMER);
        ASSERT_EQ(unit_name_to_type("foo.bogus"), _UNIT_TYPE_INVALID);
        ASSERT_EQ(unit_name_to_type("foo"), _UNIT_TYPE_INVALID);
        ASSERT_TRUE(unit_type_may_alias(UNIT_SOCKET));
        ASSERT_FALSE(unit_type_may_alias(UNIT_MOUNT));
        ASSERT_TRUE(unit_type_may_template(UNIT_SERVICE));
        ASSERT_FALSE(unit_type_may_template(UNIT_DEVICE));
}

/* Run expr (which fills s), then compare s and free it.  A macro, so that s
 * is read after the call has written it. */
#define check_str(expr, s, expected)            \
        do {                                    \
                ASSERT_OK(expr);                \
                ASSERT_STREQ(s, expected);      \
                free(s);                        \
                s = NULL;                       \
        } while (0)

TEST(prefix_instance) {
        char *s = NULL;

        check_str(unit_name_to_prefix("foo@bar.socket", &s), s, "foo");
        check_str(unit_name_to_prefix("foo@.socket", &s), s, "foo");
        check_str(unit_name_to_prefix("foo.bar.socket", &s), s, "foo.bar");
        ASSERT_ERROR(unit_name_to_prefix("foo", &s), EINVAL);

        check_str(unit_name_to_prefix_and_instance("foo@bar.socket", &s), s, "foo@bar");
        check_str(unit_name_to_prefix_and_instance("foo.socket", &s), s, "foo");

        s = (char *) "sentinel";
        ASSERT_EQ(unit_name_to_instance("foo.socket", &s), UNIT_NAME_PLAIN);
        ASSERT_NULL(s);
        ASSERT_EQ(unit_name_to_instance("foo@.socket", &s), UNIT_NAME_TEMPLATE);
        check_str(0, s, "");
        ASSERT_EQ(unit_name_to_instance("foo@a@b.c.socket", &s), UNIT_NAME_INSTANCE);
        check_str(0, s, "a@b.c");
        ASSERT_EQ(unit_name_to_instance("foo@bar.socket", NULL), UNIT_NAME_INSTANCE);
        ASSERT_ERROR(unit_name_to_instance("foo@bar", &s), EINVAL);

        check_str(unit_name_prefix_last_dash("a-b-c@x-y.service", &s), s, "c");
        check_str(unit_name_prefix_last_dash("abc.service", &s), s, "abc");
        check_str(unit_name_prefix_last_dash("abc-.service", &s), s, "");
}

TEST(template_and_instance) {
        char *s = NULL;

        check_str(unit_name_template("foo@bar.socket", &s), s, "foo@.socket");
        check_str(unit_name_template("foo@.socket", &s), s, "foo@.socket");
        check_str(unit_name_template("foo@a.b@c.socket", &s), s, "foo@.socket");
        ASSERT_ERROR(unit_name_template("foo.socket", &s), EINVAL);

        check_str(unit_name_replace_instance("foo@.socket", "x", &s), s, "foo@x.socket");
        check_str(unit_name_replace_instance("foo@old.socket", "n@w", &s), s, "foo@n@w.socket");
        ASSERT_ERROR(unit_name_replace_instance("foo.socket", "x", &s), EINVAL);
        ASSERT_ERROR(unit_name_replace_instance("foo@.socket", "", &s), EINVAL);
        ASSERT_ERROR(unit_name_replace_instance("foo@.socket", "a/b", &s), EINVAL);
        char longinst[300];
        memset(longinst, 'i', 250);
        longinst[250] = '\0';
        ASSERT_ERROR(unit_name_replace_instance("foo@.socket", longinst, &s), EINVAL);

        check_str(unit_name_build("foo", NULL, ".socket", &s), s, "foo.socket");
        check_str(unit_name_build("foo", "bar", ".service", &s), s, "foo@bar.service");
        ASSERT_ERROR(unit_name_build("foo", NULL, "socket", &s), EINVAL);
        ASSERT_ERROR(unit_name_build("fo@o", NULL, ".socket", &s), EINVAL);
        ASSERT_ERROR(unit_name_build("foo", "", ".socket", &s), EINVAL);

        check_str(unit_name_change_suffix("foo.socket", ".service", &s), s, "foo.service");
        check_str(unit_name_change_suffix("foo@x.socket", ".service", &s), s, "foo@x.service");
        check_str(unit_name_change_suffix("a.b.socket", ".service", &s), s, "a.b.service");
        ASSERT_ERROR(unit_name_change_suffix("foo.socket", "service", &s), EINVAL);
        ASSERT_ERROR(unit_name_change_suffix("foo", ".service", &s), EINVAL);
        /* growing past 255 characters */
        char name[300];
        memset(name, 'n', 248);
        strcpy(name + 248, ".path"); /* 253 */
        ASSERT_TRUE(unit_name_is_valid(name, UNIT_NAME_PLAIN));
        ASSERT_ERROR(unit_name_change_suffix(name, ".automount", &s), EINVAL);
}

TEST(escape) {
        static const struct { const char *in, *out; } cases[] = {
                { "", "" },
                { "hello", "hello" },
                { "hello-world", "hello\\x2dworld" },
                { "hello world", "hello\\x20world" },
                { "a/b/c", "a-b-c" },
                { "/a/b", "-a-b" },
                { ".foo", "\\x2efoo" },
                { "..foo", "\\x2e.foo" },
                { "a.b", "a.b" },
                { "a\\b", "a\\x5cb" },
                { "a@b", "a\\x40b" },
                { "a:b_c", "a:b_c" },
                { "\xc3\xbc", "\\xc3\\xbc" },
                { "\x01\x7f\xff", "\\x01\\x7f\\xff" },
                { "*?[]", "\\x2a\\x3f\\x5b\\x5d" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *e = unit_name_escape(cases[i].in), *u = NULL;

                ASSERT_STREQ(e, cases[i].out);
                /* and back, except '/' which escapes to '-' and stays '/' */
                ASSERT_OK(unit_name_unescape(e, &u));
                ASSERT_STREQ(u, cases[i].in);
                free(e);
                free(u);
        }
}

TEST(unescape) {
        char *s = NULL;

        check_str(unit_name_unescape("a\\x2Db-c", &s), s, "a-b/c");
        check_str(unit_name_unescape("-", &s), s, "/");
        check_str(unit_name_unescape("a\\x00b", &s), s, "a"); /* NUL ends it, as in systemd */
        ASSERT_ERROR(unit_name_unescape("a\\X2db", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("\\", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("\\x", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("\\x2", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("\\xg0", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("\\n", &s), EINVAL);
}

TEST(path_escape) {
        static const struct { const char *in, *out; } ok[] = {
                { "/", "-" },
                { "", "-" },
                { "//", "-" },
                { "/.", "-" },
                { "/tmp//waldi/foobar/", "tmp-waldi-foobar" },
                { "a//b/./c/", "a-b-c" },
                { "/.foo", "\\x2efoo" },
                { "/foo-bar/baz", "foo\\x2dbar-baz" },
                { "/dev/disk/by-label/x y", "dev-disk-by\\x2dlabel-x\\x20y" },
                { "./foo", "foo" },
        };
        static const char *const bad[] = {
                ".", "./", "..", "/..", "/../foo", "foo/..", "/a/../b",
        };
        char *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                check_str(unit_name_path_escape(ok[i].in, &s), s, ok[i].out);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(unit_name_path_escape(bad[i], &s), EINVAL);

        char longc[300] = "/";
        memset(longc + 1, 'c', 256);
        longc[257] = '\0';
        ASSERT_ERROR(unit_name_path_escape(longc, &s), EINVAL);

        check_str(unit_name_from_path("/tmp/x", ".mount", &s), s, "tmp-x.mount");
        check_str(unit_name_from_path("/", ".mount", &s), s, "-.mount");
        ASSERT_ERROR(unit_name_from_path("/tmp/x", "mount", &s), EINVAL);
        char longp[400] = "/";
        for (int i = 0; i < 60; i++)
                strcat(longp, "abcd/");
        ASSERT_ERROR(unit_name_from_path(longp, ".mount", &s), ENAMETOOLONG);
}

TEST(path_unescape) {
        char *s = NULL;

        check_str(unit_name_path_unescape("-", &s), s, "/");
        check_str(unit_name_path_unescape("tmp-waldi", &s), s, "/tmp/waldi");
        check_str(unit_name_path_unescape("a\\x2db", &s), s, "/a-b");
        ASSERT_ERROR(unit_name_path_unescape("", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a-", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("-a", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a--b", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a-..-b", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a-.-b", &s), EINVAL);
}

TEST(mangle) {
        char *s = NULL;

        ASSERT_EQ(unit_name_mangle("foo.socket", ".service", &s), 0);
        check_str(0, s, "foo.socket");
        ASSERT_EQ(unit_name_mangle("foo", ".service", &s), 1);
        check_str(0, s, "foo.service");
        check_str(unit_name_mangle("foo bar", ".service", &s), s, "foo\\x20bar.service");
        check_str(unit_name_mangle("foo-bar@x", ".socket", &s), s, "foo-bar@x.socket");
        check_str(unit_name_mangle("a*b", ".service", &s), s, "a\\x2ab.service");
        check_str(unit_name_mangle("/dev/sda1", ".service", &s), s, "dev-sda1.device");
        check_str(unit_name_mangle("/sys/x", ".service", &s), s, "sys-x.device");
        check_str(unit_name_mangle("//x//y/", ".service", &s), s, "x-y.mount");
        check_str(unit_name_mangle("/", ".service", &s), s, "-.mount");
        check_str(unit_name_mangle("a/b", ".service", &s), s, "a-b.service");
        check_str(unit_name_mangle("\xc3\xbc.socket", ".service", &s), s, "\\xc3\\xbc.socket");
        ASSERT_ERROR(unit_name_mangle("", ".service", &s), EINVAL);
        ASSERT_ERROR(unit_name_mangle("foo", "service", &s), EINVAL);
        ASSERT_ERROR(unit_name_mangle("@foo", ".service", &s), EINVAL);
}

TEST(path_util) {
        char p[64];
        char *s = NULL;

        strcpy(p, "//a/./b//c/.");
        ASSERT_STREQ(path_simplify(p), "/a/b/c");
        strcpy(p, "./.");
        ASSERT_STREQ(path_simplify(p), ".");
        strcpy(p, "a/../b/");
        ASSERT_STREQ(path_simplify(p), "a/../b");
        ASSERT_TRUE(path_is_valid("/a/../b"));
        ASSERT_FALSE(path_is_safe("/a/../b"));
        ASSERT_FALSE(path_is_valid(""));
        ASSERT_TRUE(path_is_normalized("/a/b"));
        ASSERT_FALSE(path_is_normalized("/a//b"));
        ASSERT_FALSE(path_is_normalized("/a/./b"));
        ASSERT_FALSE(path_is_normalized("./a"));
        ASSERT_FALSE(path_is_normalized("a/."));

        check_str((s = path_join("/a/", "/b")) ? 0 : -ENOMEM, s, "/a/b");
        check_str((s = path_join("", "b")) ? 0 : -ENOMEM, s, "/b");
        check_str(path_extract_filename("/a/b//", &s), s, "b");
        ASSERT_ERROR(path_extract_filename("/", &s), EINVAL);
        check_str(path_extract_directory("/a/b", &s), s, "/a");
        check_str(path_extract_directory("/a", &s), s, "/");
        check_str(path_extract_directory("a//b", &s), s, "a");
        ASSERT_ERROR(path_extract_directory("b", &s), EDESTADDRREQ);
        ASSERT_STREQ(path_startswith("/a/b/c", "/a//b"), "c");
        ASSERT_STREQ(path_startswith("/a/b", "/a/b/"), "");
        ASSERT_NULL(path_startswith("/a/bc", "/a/b"));
        ASSERT_NULL(path_startswith("a/b", "/a"));
}

RUN_TESTS();
