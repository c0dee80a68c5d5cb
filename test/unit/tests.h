/* SPDX-License-Identifier: MIT */
#pragma once

/* Assertions for porter's C unit tests: one test program per module
 * (test/unit/test-<module>.c).  A failed check prints the expression and both
 * values, then aborts, so that meson test reports the program as failed.
 *
 *   TEST(name) { ... }          declares a test case, run by RUN_TESTS()
 *   ASSERT_OK(r)                r >= 0
 *   ASSERT_ERROR(r, ENOENT)     r == -ENOENT
 *   ASSERT_EQ(a, b) / ASSERT_NE integers (compared as intmax_t)
 *   ASSERT_STREQ(a, b)          strings, NULL-safe
 *   ASSERT_TRUE(x) / ASSERT_FALSE(x) / ASSERT_NULL(p) / ASSERT_NOT_NULL(p)
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_func_t)(void);
struct test_case {
        const char *name;
        test_func_t func;
};

#define TEST_MAX 512
static struct test_case test_cases_[TEST_MAX];
static unsigned test_count_;

#define TEST(n)                                                                 \
        static void test_##n(void);                                             \
        __attribute__((constructor)) static void test_register_##n(void) {      \
                if (test_count_ < TEST_MAX)                                     \
                        test_cases_[test_count_++] = (struct test_case) { #n, test_##n }; \
        }                                                                       \
        static void test_##n(void)

#define TEST_FAIL_(fmt, ...)                                                    \
        do {                                                                    \
                fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__,     \
                        __func__, __VA_ARGS__);                                 \
                abort();                                                        \
        } while (0)

#define ASSERT_TRUE(x)                                                          \
        do {                                                                    \
                if (!(x))                                                       \
                        TEST_FAIL_("assertion failed: %s", #x);                 \
        } while (0)
#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))
#define ASSERT_NULL(p)                                                          \
        do {                                                                    \
                const void *p_ = (p);                                           \
                if (p_)                                                         \
                        TEST_FAIL_("expected NULL: %s = %p", #p, p_);           \
        } while (0)
#define ASSERT_NOT_NULL(p)                                                      \
        do {                                                                    \
                if (!(p))                                                       \
                        TEST_FAIL_("expected non-NULL: %s", #p);                \
        } while (0)

#define ASSERT_EQ(a, b)                                                         \
        do {                                                                    \
                intmax_t a_ = (intmax_t) (a), b_ = (intmax_t) (b);              \
                if (a_ != b_)                                                   \
                        TEST_FAIL_("%s == %s: %jd != %jd", #a, #b, a_, b_);     \
        } while (0)
#define ASSERT_NE(a, b)                                                         \
        do {                                                                    \
                intmax_t a_ = (intmax_t) (a), b_ = (intmax_t) (b);              \
                if (a_ == b_)                                                   \
                        TEST_FAIL_("%s != %s: both %jd", #a, #b, a_);           \
        } while (0)
#define ASSERT_UEQ(a, b)                                                        \
        do {                                                                    \
                uintmax_t a_ = (uintmax_t) (a), b_ = (uintmax_t) (b);           \
                if (a_ != b_)                                                   \
                        TEST_FAIL_("%s == %s: %ju != %ju", #a, #b, a_, b_);     \
        } while (0)

#define ASSERT_OK(r)                                                            \
        do {                                                                    \
                intmax_t r_ = (intmax_t) (r);                                   \
                if (r_ < 0)                                                     \
                        TEST_FAIL_("%s failed: %jd (%s)", #r, r_, strerror((int) -r_)); \
        } while (0)
#define ASSERT_ERROR(r, e)                                                      \
        do {                                                                    \
                intmax_t r_ = (intmax_t) (r);                                   \
                if (r_ != -(intmax_t) (e))                                      \
                        TEST_FAIL_("%s: expected -%s (%d), got %jd (%s)", #r, #e, \
                                   (int) (e), r_, r_ < 0 ? strerror((int) -r_) : "success"); \
        } while (0)

#define ASSERT_STREQ(a, b)                                                      \
        do {                                                                    \
                const char *a_ = (a), *b_ = (b);                                \
                if ((a_ == NULL) != (b_ == NULL) || (a_ && strcmp(a_, b_) != 0)) \
                        TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,        \
                                   a_ ?: "(null)", b_ ?: "(null)");             \
        } while (0)

/* Skip the rest of the program with a printed reason (exit 77: meson's skip). */
#define TEST_SKIP_ALL(...)                                                      \
        do {                                                                    \
                fprintf(stderr, "SKIP: " __VA_ARGS__);                          \
                fputc('\n', stderr);                                            \
                exit(77);                                                       \
        } while (0)

static inline int run_tests_(int argc, char **argv) {
        unsigned ran = 0;
        for (unsigned i = 0; i < test_count_; i++) {
                if (argc > 1 && strcmp(argv[1], test_cases_[i].name) != 0)
                        continue;
                fprintf(stderr, "/* %s */\n", test_cases_[i].name);
                test_cases_[i].func();
                ran++;
        }
        fprintf(stderr, "%u test cases passed\n", ran);
        return ran > 0 ? 0 : 77;
}

#define RUN_TESTS()                                                             \
        int main(int argc, char **argv) {                                       \
                return run_tests_(argc, argv);                                  \
        }
