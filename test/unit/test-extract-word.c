/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "alloc-util.h"
#include "extract-word.h"
#include "strv.h"
#include "tests.h"

/* Split `in` with the given flags and compare with the NULL-terminated
 * expected words; `expected_error` (0 if none) must be the final result. */
static void check_words(const char *in, const char *separators, ExtractFlags flags, int expected_error, ...) {
        const char *p = in;
        va_list ap;

        va_start(ap, expected_error);
        for (;;) {
                const char *want = va_arg(ap, const char *);
                char *w = NULL;
                int r = extract_first_word(&p, &w, separators, flags);

                if (!want) {
                        if (expected_error)
                                ASSERT_ERROR(r, expected_error);
                        else {
                                ASSERT_EQ(r, 0);
                                ASSERT_NULL(w);
                                ASSERT_NULL(p);
                        }
                        free(w);
                        break;
                }
                if (r != 1)
                        TEST_FAIL_("\"%s\": expected word \"%s\", got r=%d", in, want, r);
                ASSERT_STREQ(w, want);
                free(w);
        }
        va_end(ap);
}

#define U (EXTRACT_UNQUOTE)
#define UC (EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE)

TEST(plain_words) {
        check_words("foo bar  baz", NULL, 0, 0, "foo", "bar", "baz", NULL);
        check_words("  lead and trail  ", NULL, 0, 0, "lead", "and", "trail", NULL);
        check_words("tabs\tand\nnewlines", NULL, 0, 0, "tabs", "and", "newlines", NULL);
        check_words("", NULL, 0, 0, NULL);
        check_words("   ", NULL, 0, 0, NULL);
        check_words("\"a b\"", NULL, 0, 0, "\"a", "b\"", NULL);         /* no UNQUOTE: quotes are text */
}

TEST(quotes) {
        check_words("\"a b\" 'c d'", NULL, U, 0, "a b", "c d", NULL);
        check_words("\"\" x ''", NULL, U, 0, "", "x", "", NULL);
        check_words("'a \"b\" c'", NULL, U, 0, "a \"b\" c", NULL);
        check_words("\"it's\"", NULL, U, 0, "it's", NULL);
        /* Quotes inside a word: systemd's implementation accepts them and so
         * do we (unit files in the wild write --name="a b"). */
        check_words("--name=\"a b\" next", NULL, U, 0, "--name=a b", "next", NULL);
        check_words("a\"b c\"d", NULL, U, 0, "ab cd", NULL);
        check_words("\"a\"\"b\"", NULL, U, 0, "ab", NULL);
        check_words("FOO=\"bar baz\"", NULL, UC, 0, "FOO=bar baz", NULL);
}

TEST(quotes_unbalanced) {
        check_words("\"abc", NULL, U, EINVAL, NULL);
        check_words("ok 'abc", NULL, U, EINVAL, "ok", NULL);
        check_words("\"abc", NULL, U | EXTRACT_RELAX, 0, "abc", NULL);
        check_words("x\"", NULL, U, EINVAL, NULL);
}

TEST(backslashes) {
        check_words("a\\ b c", NULL, 0, 0, "a b", "c", NULL);   /* escaped separator */
        check_words("a\\nb", NULL, 0, 0, "anb", NULL);          /* plain: next char literal */
        check_words("a\\nb", NULL, EXTRACT_CUNESCAPE, 0, "a\nb", NULL);
        check_words("\\x41\\u00e9", NULL, EXTRACT_CUNESCAPE, 0, "A\xc3\xa9", NULL);
        check_words("\"a\\\"b\"", NULL, UC, 0, "a\"b", NULL);
        check_words("'a\\'b'", NULL, UC, 0, "a'b", NULL);       /* escapes work inside single quotes */
        check_words("\"a\\tb\"", NULL, UC, 0, "a\tb", NULL);
        check_words("\\d", NULL, UC, EINVAL, NULL);
        check_words("\\d \\;", NULL, UC | EXTRACT_CUNESCAPE_RELAX, 0, "\\d", "\\;", NULL);
        check_words("abc\\", NULL, UC, EINVAL, NULL);
        check_words("abc\\", NULL, UC | EXTRACT_RELAX, 0, "abc", NULL);
        check_words("abc\\", NULL, UC | EXTRACT_CUNESCAPE_RELAX, 0, "abc\\", NULL);
        check_words("\"abc\\", NULL, UC | EXTRACT_CUNESCAPE_RELAX, EINVAL, NULL);
        check_words("\\\\", NULL, UC, 0, "\\", NULL);
        check_words("\\x00", NULL, UC, EINVAL, NULL);           /* NUL refused */
}

TEST(retain_escape) {
        check_words("a\\ b", NULL, EXTRACT_RETAIN_ESCAPE, 0, "a\\", "b", NULL);
        check_words("a\\:b", ":", EXTRACT_RETAIN_ESCAPE, 0, "a\\", "b", NULL);
}

TEST(separators) {
        check_words("a::b:", ":", 0, 0, "a", "b", NULL);
        check_words("a::b:", ":", EXTRACT_DONT_COALESCE_SEPARATORS, 0, "a", "", "b", "", NULL);
        check_words(":", ":", EXTRACT_DONT_COALESCE_SEPARATORS, 0, "", "", NULL);
        check_words("", ":", EXTRACT_DONT_COALESCE_SEPARATORS, 0, "", NULL);
        check_words("a\\:b:c", ":", EXTRACT_CUNESCAPE | EXTRACT_UNESCAPE_SEPARATORS, 0, "a:b", "c", NULL);
        check_words("a\\:b", ":", EXTRACT_CUNESCAPE, EINVAL, NULL);
        check_words("\"a:b\":c", ":", U, 0, "a:b", "c", NULL);
}

TEST(retain_separators) {
        const char *p = "a:b";
        char *w = NULL;

        ASSERT_EQ(extract_first_word(&p, &w, ":", EXTRACT_RETAIN_SEPARATORS), 1);
        ASSERT_STREQ(w, "a");
        ASSERT_STREQ(p, ":b");
        free(w);
}

TEST(null_input) {
        const char *p = NULL;
        char *w = (char *) 1;

        ASSERT_EQ(extract_first_word(&p, &w, NULL, 0), 0);
        ASSERT_NULL(w);
}

TEST(split_quoted) {
        _cleanup_strv_free_ char **l = NULL, **e = NULL, **x = NULL;

        ASSERT_EQ(strv_split_quoted(&l, "\"ONE=one\" 'TWO=two two' THREE= FOUR=\\x41"), 4);
        ASSERT_STREQ(l[0], "ONE=one");
        ASSERT_STREQ(l[1], "TWO=two two");
        ASSERT_STREQ(l[2], "THREE=");
        ASSERT_STREQ(l[3], "FOUR=A");
        ASSERT_NULL(l[4]);

        ASSERT_EQ(strv_split_quoted(&e, "   "), 0);
        ASSERT_NOT_NULL(e);
        ASSERT_NULL(e[0]);

        ASSERT_ERROR(strv_split_quoted(&x, "ok \"broken"), EINVAL);
        ASSERT_NULL(x);
}

TEST(long_input) {
        /* Many words in one long line: linear time, no quadratic blow-up. */
        size_t n = 200000;
        _cleanup_free_ char *s = malloc(n * 2 + 1);
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_NOT_NULL(s);
        for (size_t i = 0; i < n; i++) {
                s[2 * i] = 'x';
                s[2 * i + 1] = ' ';
        }
        s[2 * n] = '\0';
        ASSERT_EQ(strv_split_extract(&l, s, NULL, UC), (int) n);
        ASSERT_STREQ(l[n - 1], "x");
}

RUN_TESTS()
