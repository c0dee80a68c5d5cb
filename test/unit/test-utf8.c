/* SPDX-License-Identifier: MIT */
#include "utf8.h"
#include "tests.h"

TEST(valid) {
        ASSERT_TRUE(utf8_is_valid(""));
        ASSERT_TRUE(utf8_is_valid("ascii only"));
        ASSERT_TRUE(utf8_is_valid("\xc2\xb5s"));                 /* U+00B5 */
        ASSERT_TRUE(utf8_is_valid("\xe2\x82\xac"));              /* U+20AC */
        ASSERT_TRUE(utf8_is_valid("\xf0\x9f\x98\x80"));          /* U+1F600 */
        ASSERT_TRUE(utf8_is_valid("\xf4\x8f\xbf\xbf"));          /* U+10FFFF, the last one */
        ASSERT_TRUE(utf8_is_valid("\xed\x9f\xbf"));              /* U+D7FF, just below surrogates */
        ASSERT_TRUE(utf8_is_valid("\xee\x80\x80"));              /* U+E000, just above */
        ASSERT_TRUE(utf8_is_valid("\xc2\x80"));                  /* U+0080, smallest 2-byte */
        ASSERT_TRUE(utf8_is_valid("\xe0\xa0\x80"));              /* U+0800, smallest 3-byte */
        ASSERT_TRUE(utf8_is_valid("\xf0\x90\x80\x80"));          /* U+10000, smallest 4-byte */
        ASSERT_FALSE(utf8_is_valid(NULL));
}

TEST(invalid) {
        static const char *const bad[] = {
                "\x80",                         /* stray continuation */
                "\xbf",
                "a\xc2",                        /* truncated */
                "\xe2\x82",
                "\xf0\x9f\x98",
                "\xc0\x80",                     /* overlong NUL */
                "\xc1\xbf",                     /* overlong 2-byte */
                "\xe0\x80\xaf",                 /* overlong '/' */
                "\xe0\x9f\xbf",                 /* overlong below U+0800 */
                "\xf0\x8f\xbf\xbf",             /* overlong below U+10000 */
                "\xed\xa0\x80",                 /* U+D800 surrogate */
                "\xed\xbf\xbf",                 /* U+DFFF surrogate */
                "\xf4\x90\x80\x80",             /* U+110000 */
                "\xf5\x80\x80\x80",
                "\xfe",
                "\xff",
                "\xc2\x41",                     /* continuation missing */
                "\xe2\x28\xa1",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (utf8_is_valid(bad[i]))
                        TEST_FAIL_("accepted invalid sequence #%zu", i);
        }
}

TEST(valid_n) {
        ASSERT_TRUE(utf8_is_valid_n("a\0b", 3));       /* NUL is U+0000 here */
        ASSERT_FALSE(utf8_is_valid_n("\xe2\x82\xac", 2));
        ASSERT_TRUE(utf8_is_valid_n("\xe2\x82\xac", 3));
        ASSERT_TRUE(utf8_is_valid_n("", 0));
}

TEST(encode_decode_round_trip) {
        /* Every scalar value encodes to something utf8_decode_one reads back,
         * and every surrogate is refused. */
        for (uint32_t c = 1; c <= 0x10FFFF; c++) {
                char buf[4];
                uint32_t d;
                size_t n;

                if (!unichar_is_valid(c)) {
                        ASSERT_TRUE(c >= 0xD800 && c <= 0xDFFF);
                        continue;
                }
                n = utf8_encode_unichar(buf, c);
                ASSERT_EQ(utf8_decode_one(buf, n, &d), (int) n);
                ASSERT_UEQ(d, c);
                ASSERT_EQ(n, c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
        }
        ASSERT_FALSE(unichar_is_valid(0x110000));
        ASSERT_FALSE(unichar_is_valid(0xD800));
}

RUN_TESTS()
