/* SPDX-License-Identifier: MIT */
#include "alloc-util.h"
#include "escape.h"
#include "tests.h"

static void check_unescape(const char *in, unsigned flags, const char *expected) {
        _cleanup_free_ char *out = NULL;
        ssize_t r = cunescape(in, SIZE_MAX, flags, &out);

        if (r < 0)
                TEST_FAIL_("cunescape(\"%s\") failed: %zd", in, r);
        ASSERT_STREQ(out, expected);
        ASSERT_EQ(r, (ssize_t) strlen(expected));
}

static void check_unescape_fails(const char *in) {
        char *out = NULL;
        ASSERT_ERROR(cunescape(in, SIZE_MAX, 0, &out), EINVAL);
        ASSERT_NULL(out);
}

TEST(unescape_table) {
        check_unescape("\\a\\b\\f\\n\\r\\t\\v", 0, "\a\b\f\n\r\t\v");
        check_unescape("\\\\ \\\" \\'", 0, "\\ \" '");
        check_unescape("a\\sb", 0, "a b");
        check_unescape("\\x41\\x62", 0, "Ab");
        check_unescape("\\101\\142", 0, "Ab");
        check_unescape("\\377", 0, "\xff");     /* raw byte, not U+00FF */
        check_unescape("\\xff", 0, "\xff");
        check_unescape("\\u00b5", 0, "\xc2\xb5");
        check_unescape("\\u20AC", 0, "\xe2\x82\xac");
        check_unescape("\\U0001F600", 0, "\xf0\x9f\x98\x80");
        check_unescape("\\U0010ffff", 0, "\xf4\x8f\xbf\xbf");
        check_unescape("plain text", 0, "plain text");
        check_unescape("", 0, "");
}

TEST(unescape_errors) {
        check_unescape_fails("\\");             /* trailing backslash */
        check_unescape_fails("a\\");
        check_unescape_fails("\\q");            /* unknown */
        check_unescape_fails("\\;");
        check_unescape_fails("\\x4");           /* truncated */
        check_unescape_fails("\\xZZ");
        check_unescape_fails("\\x00");          /* NUL */
        check_unescape_fails("\\000");
        check_unescape_fails("\\u0000");
        check_unescape_fails("\\U00000000");
        check_unescape_fails("\\400");          /* above 0377 */
        check_unescape_fails("\\12");
        check_unescape_fails("\\128");
        check_unescape_fails("\\ud800");        /* surrogate */
        check_unescape_fails("\\uDFFF");
        check_unescape_fails("\\U00110000");    /* above U+10FFFF */
        check_unescape_fails("\\uabc");
        check_unescape_fails("\\U1234567");
}

TEST(unescape_relax) {
        check_unescape("\\q\\;", UNESCAPE_RELAX, "\\q\\;");
        check_unescape("a\\", UNESCAPE_RELAX, "a\\");
        check_unescape("\\x4g", UNESCAPE_RELAX, "\\x4g");
        check_unescape("\\n\\q", UNESCAPE_RELAX, "\n\\q");
}

TEST(unescape_length) {
        _cleanup_free_ char *out = NULL;

        ASSERT_EQ(cunescape("ab\\ncd", 4, 0, &out), 3);         /* stops after "\n" */
        ASSERT_STREQ(out, "ab\n");
        free(out);
        out = NULL;
        ASSERT_ERROR(cunescape("ab\\x41", 5, 0, &out), EINVAL); /* cut inside \x41 */
}

TEST(cunescape_one) {
        uint32_t u;
        bool eight;

        ASSERT_EQ(cunescape_one("n", SIZE_MAX, &u, &eight), 1);
        ASSERT_UEQ(u, '\n');
        ASSERT_FALSE(eight);
        ASSERT_EQ(cunescape_one("x41rest", SIZE_MAX, &u, &eight), 3);
        ASSERT_UEQ(u, 0x41);
        ASSERT_TRUE(eight);
        ASSERT_EQ(cunescape_one("u00e9", SIZE_MAX, &u, &eight), 5);
        ASSERT_UEQ(u, 0xe9);
        ASSERT_EQ(cunescape_one("U0001f600", SIZE_MAX, &u, &eight), 9);
        ASSERT_EQ(cunescape_one("101", SIZE_MAX, &u, &eight), 3);
        ASSERT_UEQ(u, 'A');
        ASSERT_ERROR(cunescape_one("", SIZE_MAX, &u, &eight), EINVAL);
        ASSERT_ERROR(cunescape_one("x4", 2, &u, &eight), EINVAL);
}

TEST(cescape) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        a = cescape("abc\\\"\b\f\n\r\t\v\a\003\177\303\244\'");
        ASSERT_STREQ(a, "abc\\\\\\\"\\b\\f\\n\\r\\t\\v\\a\\x03\\x7f\303\244\\'");
        b = cescape("\xff\xfe ok");     /* invalid UTF-8 bytes are escaped */
        ASSERT_STREQ(b, "\\xff\\xfe ok");
        c = cescape("");
        ASSERT_STREQ(c, "");
        d = cescape_length("a\0b", 3);
        ASSERT_STREQ(d, "a\\x00b");
}

TEST(round_trip) {
        static const char *const samples[] = {
                "plain", "tab\there", "quote\"s'", "back\\slash", "\x01\x1f\x7f", "\xc2\xb5s \xe2\x82\xac",
                "\xff\xc0\x80", "new\nline\r",
        };

        for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
                _cleanup_free_ char *e = cescape(samples[i]), *u = NULL;

                ASSERT_NOT_NULL(e);
                ASSERT_OK(cunescape(e, SIZE_MAX, 0, &u));
                ASSERT_STREQ(u, samples[i]);
        }
}

RUN_TESTS()
