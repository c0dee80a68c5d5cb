/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "alloc-util.h"
#include "env-util.h"
#include "strv.h"
#include "tests.h"
#include "time-util.h"

static char **make(const char *first, ...) {
        char **l = NULL;
        va_list ap;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                if (strv_extend(&l, s) < 0)
                        abort();
        va_end(ap);
        if (!l)
                l = calloc(1, sizeof(char *));
        return l;
}

static void check_list(char **l, const char *first, ...) {
        va_list ap;
        size_t i = 0;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *), i++) {
                if (!l || !l[i])
                        TEST_FAIL_("list too short at %zu, expected \"%s\"", i, s);
                ASSERT_STREQ(l[i], s);
        }
        va_end(ap);
        if (l && l[i])
                TEST_FAIL_("list too long: extra \"%s\"", l[i]);
}

TEST(names_and_values) {
        ASSERT_TRUE(env_name_is_valid("FOO"));
        ASSERT_TRUE(env_name_is_valid("_foo_1"));
        ASSERT_TRUE(env_name_is_valid("a"));
        ASSERT_FALSE(env_name_is_valid(""));
        ASSERT_FALSE(env_name_is_valid(NULL));
        ASSERT_FALSE(env_name_is_valid("1FOO"));
        ASSERT_FALSE(env_name_is_valid("FOO-BAR"));
        ASSERT_FALSE(env_name_is_valid("FOO="));
        ASSERT_FALSE(env_name_is_valid("FOO BAR"));
        ASSERT_FALSE(env_name_is_valid("F\xc3\xa4"));
        ASSERT_TRUE(env_name_is_valid_n("FOO=bar", 3));
        ASSERT_FALSE(env_name_is_valid_n("FOO=bar", 4));

        ASSERT_TRUE(env_value_is_valid(""));
        ASSERT_TRUE(env_value_is_valid("with spaces = and equals"));
        ASSERT_TRUE(env_value_is_valid("multi\nline\ttab"));
        ASSERT_TRUE(env_value_is_valid("\xe2\x82\xac"));
        ASSERT_TRUE(env_value_is_valid("bell\a"));       /* systemd 252 takes these */
        ASSERT_TRUE(env_value_is_valid("cr\r\x7f"));
        ASSERT_FALSE(env_value_is_valid("\xff"));
        ASSERT_FALSE(env_value_is_valid(NULL));

        ASSERT_TRUE(env_assignment_is_valid("FOO=bar"));
        ASSERT_TRUE(env_assignment_is_valid("FOO="));
        ASSERT_TRUE(env_assignment_is_valid("FOO=a=b"));
        ASSERT_FALSE(env_assignment_is_valid("FOO"));
        ASSERT_FALSE(env_assignment_is_valid("=bar"));
        ASSERT_FALSE(env_assignment_is_valid("1=bar"));
        ASSERT_FALSE(env_assignment_is_valid("FOO=\xff"));

        ASSERT_TRUE(env_name_or_assignment_is_valid("FOO"));
        ASSERT_TRUE(env_name_or_assignment_is_valid("FOO=x"));
        ASSERT_FALSE(env_name_or_assignment_is_valid("FO O"));
}

TEST(get_set_unset) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_NULL(strv_env_get(l, "FOO"));
        ASSERT_OK(strv_env_set(&l, "FOO=1"));
        ASSERT_OK(strv_env_set(&l, "BAR=2"));
        ASSERT_OK(strv_env_set(&l, "FOO=3"));      /* replaced in place */
        check_list(l, "FOO=3", "BAR=2", NULL);
        ASSERT_STREQ(strv_env_get(l, "FOO"), "3");
        ASSERT_STREQ(strv_env_get(l, "BAR"), "2");
        ASSERT_NULL(strv_env_get(l, "FO"));
        ASSERT_NULL(strv_env_get(l, "FOOO"));
        ASSERT_STREQ(strv_env_get_n(l, "BARX", 3), "2");

        ASSERT_ERROR(strv_env_set(&l, "NOEQUALS"), EINVAL);
        ASSERT_ERROR(strv_env_set(&l, "1X=y"), EINVAL);

        ASSERT_OK(strv_env_assign(&l, "BAZ", "with space"));
        ASSERT_STREQ(strv_env_get(l, "BAZ"), "with space");
        ASSERT_OK(strv_env_assign(&l, "FOO", NULL));
        check_list(l, "BAR=2", "BAZ=with space", NULL);
        ASSERT_ERROR(strv_env_assign(&l, "B-AD", "x"), EINVAL);

        strv_env_unset(l, "BAR");
        check_list(l, "BAZ=with space", NULL);
        strv_env_unset(l, "NOPE");
        check_list(l, "BAZ=with space", NULL);
}

TEST(set_drops_duplicates) {
        _cleanup_strv_free_ char **l = make("A=1", "B=2", "A=3", "C=4", NULL);

        ASSERT_STREQ(strv_env_get(l, "A"), "3");   /* the last one wins on lookup */
        ASSERT_OK(strv_env_set(&l, "A=5"));
        check_list(l, "A=5", "B=2", "C=4", NULL);
}

TEST(merge) {
        _cleanup_strv_free_ char **a = make("PATH=/bin", "HOME=/root", "LANG=C", NULL);
        _cleanup_strv_free_ char **b = make("LANG=de_DE", "NEW=1", "NEW=2", "HOME=/home/x", NULL);
        _cleanup_strv_free_ char **m = NULL, **e = NULL, **f = NULL;

        ASSERT_OK(strv_env_merge(&m, a, b));
        check_list(m, "PATH=/bin", "HOME=/home/x", "LANG=de_DE", "NEW=2", NULL);
        /* inputs untouched */
        check_list(a, "PATH=/bin", "HOME=/root", "LANG=C", NULL);

        ASSERT_OK(strv_env_merge(&e, NULL, NULL));
        check_list(e, NULL);
        ASSERT_OK(strv_env_merge(&f, NULL, b));
        check_list(f, "LANG=de_DE", "NEW=2", "HOME=/home/x", NULL);
}

TEST(unset_many) {
        _cleanup_strv_free_ char **l = make("A=1", "B=2", "C=3", "B=4", "D=x=y", NULL);
        _cleanup_strv_free_ char **what = make("B", "C=nope", "D=x=y", "MISSING", NULL);

        ASSERT_EQ(strv_env_unset_many(l, what), 3);
        check_list(l, "A=1", "C=3", NULL);
        ASSERT_EQ(strv_env_unset_many(l, NULL), 0);
        ASSERT_EQ(strv_env_unset_many(NULL, what), 0);
}

TEST(clean) {
        _cleanup_strv_free_ char **l = make("A=1", "bad", "B=2", "A=3", "1=x", "C=\xff", "B=4", NULL);

        ASSERT_EQ(strv_env_clean(l), 2);
        check_list(l, "A=3", "B=4", NULL);
}

TEST(merge_is_linear) {
        /* 20000 + 20000 variables with half the names shared: a quadratic
         * merge would take seconds, ours a few milliseconds. */
        _cleanup_strv_free_ char **a = NULL, **b = NULL, **m = NULL;
        size_t n = 20000;
        usec_t t;

        /* Built directly: strv_extend() in a loop is itself quadratic. */
        a = calloc(n + 1, sizeof(char *));
        b = calloc(n + 1, sizeof(char *));
        ASSERT_NOT_NULL(a);
        ASSERT_NOT_NULL(b);
        for (size_t i = 0; i < n; i++) {
                ASSERT_TRUE(asprintf(&a[i], "VAR_%zu=a", i) > 0);
                ASSERT_TRUE(asprintf(&b[i], "VAR_%zu=b", i + n / 2) > 0);
        }
        t = now(CLOCK_MONOTONIC);
        ASSERT_OK(strv_env_merge(&m, a, b));
        t = now(CLOCK_MONOTONIC) - t;
        ASSERT_EQ(strv_length(m), n + n / 2);
        ASSERT_STREQ(strv_env_get(m, "VAR_0"), "a");
        ASSERT_STREQ(strv_env_get(m, "VAR_15000"), "b");
        ASSERT_STREQ(m[n], "VAR_20000=b");
        fprintf(stderr, "merge of %zu + %zu entries: %llu us\n", n, n, (unsigned long long) t);
        ASSERT_TRUE(t < 2 * USEC_PER_SEC);
}

RUN_TESTS()
