/* SPDX-License-Identifier: MIT */
#include "alloc-util.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

TEST(split_keep_empty) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_OK(strv_split_full(&l, "a::b", ":", true));
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "a");
        ASSERT_STREQ(l[1], "");
        ASSERT_STREQ(l[2], "b");
}

TEST(split_drop_empty) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_OK(strv_split_full(&l, "::a::b:", ":", false));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[1], "b");
}

TEST(join_and_contains) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *j = NULL;

        ASSERT_OK(strv_extend(&l, "foo.socket"));
        ASSERT_OK(strv_extend(&l, "web"));
        j = strv_join(l, ":");
        ASSERT_STREQ(j, "foo.socket:web");
        ASSERT_TRUE(strv_contains(l, "web"));
        ASSERT_FALSE(strv_contains(l, "we"));
}

TEST(string_helpers) {
        char buf[] = "  \tkey = value \r\n";
        _cleanup_free_ char *s = strjoin("a", "-", "b");

        ASSERT_STREQ(strstrip(buf), "key = value");
        ASSERT_STREQ(s, "a-b");
        ASSERT_STREQ(startswith("ListenStream", "Listen"), "Stream");
        ASSERT_NULL(startswith("Listen", "ListenStream"));
        ASSERT_STREQ(endswith("foo.socket", ".socket"), ".socket");
        ASSERT_NULL(endswith("socket", "foo.socket"));
}

RUN_TESTS()
