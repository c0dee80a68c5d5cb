/* SPDX-License-Identifier: MIT */
#include "user-util.h"
#include "tests.h"

TEST(strict_names) {
        ASSERT_TRUE(valid_user_group_name("root", 0));
        ASSERT_TRUE(valid_user_group_name("_apt", 0));
        ASSERT_TRUE(valid_user_group_name("www-data", 0));
        ASSERT_TRUE(valid_user_group_name("Foo_Bar-9", 0));
        ASSERT_TRUE(valid_user_group_name("a234567890123456789012345678901", 0));        /* 31 */
        ASSERT_FALSE(valid_user_group_name("a2345678901234567890123456789012", 0));      /* 32 */
        ASSERT_FALSE(valid_user_group_name("", 0));
        ASSERT_FALSE(valid_user_group_name(NULL, 0));
        ASSERT_FALSE(valid_user_group_name("0day", 0));
        ASSERT_FALSE(valid_user_group_name("-x", 0));
        ASSERT_FALSE(valid_user_group_name("a.b", 0));
        ASSERT_FALSE(valid_user_group_name("a b", 0));
        ASSERT_FALSE(valid_user_group_name("1000", 0));
        ASSERT_FALSE(valid_user_group_name("\xc3\xa4rger", 0));
}

TEST(relaxed_names) {
        unsigned f = VALID_USER_RELAX;

        ASSERT_TRUE(valid_user_group_name("root", f));
        ASSERT_TRUE(valid_user_group_name("0day", f));          /* digits first, but not all digits */
        ASSERT_TRUE(valid_user_group_name("a.b", f));
        ASSERT_TRUE(valid_user_group_name("Domain User", f));
        ASSERT_TRUE(valid_user_group_name("\xc3\xa4rger", f));
        ASSERT_TRUE(valid_user_group_name("trailing-", f));
        ASSERT_TRUE(valid_user_group_name("a2345678901234567890123456789012345678901234567890", f));
        ASSERT_FALSE(valid_user_group_name("", f));
        ASSERT_FALSE(valid_user_group_name("1000", f));         /* only with ALLOW_NUMERIC */
        ASSERT_FALSE(valid_user_group_name("010", VALID_USER_UNIT_FILE)); /* not a UID, all digits */
        ASSERT_TRUE(valid_user_group_name("-x", f));          /* systemd 252 accepts it */
        ASSERT_TRUE(valid_user_group_name("+1", f));
        ASSERT_FALSE(valid_user_group_name("010", f));
        ASSERT_FALSE(valid_user_group_name(".", f));
        ASSERT_FALSE(valid_user_group_name("..", f));
        ASSERT_FALSE(valid_user_group_name("a:b", f));
        ASSERT_FALSE(valid_user_group_name("a/b", f));
        ASSERT_FALSE(valid_user_group_name("a\tb", f));
        ASSERT_FALSE(valid_user_group_name("a\nb", f));
        ASSERT_FALSE(valid_user_group_name("a\x7f", f));
        ASSERT_FALSE(valid_user_group_name("\xff", f));
}

TEST(numeric) {
        unsigned f = VALID_USER_UNIT_FILE;

        ASSERT_TRUE(valid_user_group_name("0", f));
        ASSERT_TRUE(valid_user_group_name("1000", f));
        ASSERT_TRUE(valid_user_group_name("4294967294", f));
        ASSERT_FALSE(valid_user_group_name("4294967295", f));   /* (uid_t) -1 */
        ASSERT_FALSE(valid_user_group_name("65535", f));        /* 16-bit -1 */
        ASSERT_FALSE(valid_user_group_name("4294967296", f));
        ASSERT_TRUE(valid_user_group_name("1000", VALID_USER_ALLOW_NUMERIC));
        ASSERT_TRUE(valid_user_group_name("nobody", f));
}

TEST(parse_uid) {
        uid_t u = 4711;
        gid_t g;

        ASSERT_OK(parse_uid("0", &u));
        ASSERT_EQ(u, 0);
        ASSERT_OK(parse_uid("1000", &u));
        ASSERT_EQ(u, 1000);
        ASSERT_OK(parse_uid("65534", &u));
        ASSERT_EQ(u, 65534);
        ASSERT_OK(parse_uid("65536", &u));
        ASSERT_EQ(u, 65536);
        ASSERT_OK(parse_uid("4294967294", &u));
        ASSERT_UEQ(u, 4294967294u);
        ASSERT_ERROR(parse_uid("4294967295", &u), ENXIO);
        ASSERT_ERROR(parse_uid("65535", &u), ENXIO);
        ASSERT_ERROR(parse_uid("4294967296", &u), ERANGE);
        ASSERT_ERROR(parse_uid("99999999999999999999", &u), ERANGE);
        ASSERT_ERROR(parse_uid("", &u), EINVAL);
        ASSERT_ERROR(parse_uid(NULL, &u), EINVAL);
        ASSERT_ERROR(parse_uid("-1", &u), EINVAL);
        ASSERT_ERROR(parse_uid("+1", &u), EINVAL);
        ASSERT_ERROR(parse_uid(" 1", &u), EINVAL);
        ASSERT_ERROR(parse_uid("1 ", &u), EINVAL);
        ASSERT_ERROR(parse_uid("0x10", &u), EINVAL);
        ASSERT_ERROR(parse_uid("010", &u), EINVAL);
        ASSERT_ERROR(parse_uid("99999999999999999999x", &u), EINVAL);
        ASSERT_ERROR(parse_uid("root", &u), EINVAL);
        ASSERT_UEQ(u, 4294967294u);

        ASSERT_OK(parse_gid("100", &g));
        ASSERT_EQ(g, 100);
        ASSERT_ERROR(parse_gid("65535", &g), ENXIO);
        ASSERT_OK(parse_uid("7", NULL));
}

RUN_TESTS()
