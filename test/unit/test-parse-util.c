/* SPDX-License-Identifier: MIT */
#include <limits.h>

#include "parse-util.h"
#include "tests.h"

TEST(boolean) {
        static const char *const yes[] = { "1", "yes", "YES", "y", "Y", "true", "TRUE", "t", "on", "On" };
        static const char *const no[] = { "0", "no", "NO", "n", "false", "False", "f", "off", "OFF" };

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
                ASSERT_EQ(parse_boolean(yes[i]), 1);
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
                ASSERT_EQ(parse_boolean(no[i]), 0);

        ASSERT_ERROR(parse_boolean(""), EINVAL);
        ASSERT_ERROR(parse_boolean(NULL), EINVAL);
        ASSERT_ERROR(parse_boolean("garbage"), EINVAL);
        ASSERT_ERROR(parse_boolean("2"), EINVAL);
        ASSERT_ERROR(parse_boolean(" yes"), EINVAL);
        ASSERT_ERROR(parse_boolean("yes "), EINVAL);
        ASSERT_ERROR(parse_boolean("ye"), EINVAL);
        ASSERT_ERROR(parse_boolean("yess"), EINVAL);
        ASSERT_ERROR(parse_boolean("00"), EINVAL);
}

TEST(safe_atou) {
        unsigned u = 4711;

        ASSERT_OK(safe_atou("12345", &u));
        ASSERT_EQ(u, 12345);
        ASSERT_OK(safe_atou("  12345", &u));   /* leading whitespace: skipped, as systemd */
        ASSERT_EQ(u, 12345);
        ASSERT_OK(safe_atou("+7", &u));
        ASSERT_EQ(u, 7);
        ASSERT_OK(safe_atou("-0", &u));
        ASSERT_EQ(u, 0);
        ASSERT_OK(safe_atou("4294967295", &u));
        ASSERT_UEQ(u, 4294967295u);
        ASSERT_OK(safe_atou("0x10", &u));
        ASSERT_EQ(u, 16);
        ASSERT_OK(safe_atou("010", &u));       /* strtoul(.., 0) octal */
        ASSERT_EQ(u, 8);
        ASSERT_OK(safe_atou("0o17", &u));
        ASSERT_EQ(u, 15);
        ASSERT_OK(safe_atou("0b101", &u));
        ASSERT_EQ(u, 5);
        ASSERT_OK(safe_atou("0", &u));
        ASSERT_EQ(u, 0);

        u = 4711;
        ASSERT_ERROR(safe_atou("4294967296", &u), ERANGE);
        ASSERT_ERROR(safe_atou("-1", &u), ERANGE);
        ASSERT_ERROR(safe_atou("-12345", &u), ERANGE);
        ASSERT_ERROR(safe_atou("99999999999999999999999", &u), ERANGE);
        ASSERT_ERROR(safe_atou("", &u), EINVAL);
        ASSERT_ERROR(safe_atou("   ", &u), EINVAL);
        ASSERT_ERROR(safe_atou("junk", &u), EINVAL);
        ASSERT_ERROR(safe_atou("123x", &u), EINVAL);
        ASSERT_ERROR(safe_atou("12.3", &u), EINVAL);
        ASSERT_ERROR(safe_atou("12 ", &u), EINVAL);
        ASSERT_ERROR(safe_atou("08", &u), EINVAL);
        ASSERT_ERROR(safe_atou("0x", &u), EINVAL);
        ASSERT_ERROR(safe_atou("0xg", &u), EINVAL);
        ASSERT_ERROR(safe_atou("--1", &u), EINVAL);
        ASSERT_ERROR(safe_atou("- 1", &u), EINVAL);
        ASSERT_ERROR(safe_atou(NULL, &u), EINVAL);
        ASSERT_EQ(u, 4711);     /* untouched on failure */

        ASSERT_OK(safe_atou("5", NULL));
}

TEST(safe_atoi) {
        int i = 4711;

        ASSERT_OK(safe_atoi("-12345", &i));
        ASSERT_EQ(i, -12345);
        ASSERT_OK(safe_atoi("2147483647", &i));
        ASSERT_EQ(i, INT_MAX);
        ASSERT_OK(safe_atoi("-2147483648", &i));
        ASSERT_EQ(i, INT_MIN);
        ASSERT_OK(safe_atoi(" \t-5", &i));
        ASSERT_EQ(i, -5);
        ASSERT_OK(safe_atoi("-0x10", &i));
        ASSERT_EQ(i, -16);
        ASSERT_ERROR(safe_atoi("2147483648", &i), ERANGE);
        ASSERT_ERROR(safe_atoi("-2147483649", &i), ERANGE);
        ASSERT_ERROR(safe_atoi("1-", &i), EINVAL);
        ASSERT_ERROR(safe_atoi("", &i), EINVAL);
        ASSERT_EQ(i, -16);
}

TEST(safe_ato64) {
        uint64_t u;
        int64_t i;
        unsigned long lu;
        long li;
        uint16_t u16;
        uint8_t u8;

        ASSERT_OK(safe_atou64("18446744073709551615", &u));
        ASSERT_UEQ(u, UINT64_MAX);
        ASSERT_ERROR(safe_atou64("18446744073709551616", &u), ERANGE);
        ASSERT_ERROR(safe_atou64("-1", &u), ERANGE);
        ASSERT_OK(safe_atoi64("-9223372036854775808", &i));
        ASSERT_EQ(i, INT64_MIN);
        ASSERT_OK(safe_atoi64("9223372036854775807", &i));
        ASSERT_EQ(i, INT64_MAX);
        ASSERT_ERROR(safe_atoi64("9223372036854775808", &i), ERANGE);
        ASSERT_ERROR(safe_atoi64("-9223372036854775809", &i), ERANGE);
        ASSERT_OK(safe_atolu("42", &lu));
        ASSERT_EQ(lu, 42);
        ASSERT_OK(safe_atoli("-42", &li));
        ASSERT_EQ(li, -42);
        ASSERT_OK(safe_atou16("65535", &u16));
        ASSERT_EQ(u16, 65535);
        ASSERT_ERROR(safe_atou16("65536", &u16), ERANGE);
        ASSERT_OK(safe_atou8("255", &u8));
        ASSERT_EQ(u8, 255);
        ASSERT_ERROR(safe_atou8("256", &u8), ERANGE);
}

TEST(mode) {
        mode_t m;

        ASSERT_OK(parse_mode("0644", &m));
        ASSERT_EQ(m, 0644);
        ASSERT_OK(parse_mode("755", &m));
        ASSERT_EQ(m, 0755);
        ASSERT_OK(parse_mode("4755", &m));
        ASSERT_EQ(m, 04755);
        ASSERT_OK(parse_mode("07777", &m));
        ASSERT_EQ(m, 07777);
        ASSERT_OK(parse_mode("0", &m));
        ASSERT_EQ(m, 0);
        ASSERT_OK(parse_mode(" 600", &m));
        ASSERT_EQ(m, 0600);
        ASSERT_ERROR(parse_mode("0o640", &m), EINVAL);  /* systemd 252 refuses it too */
        ASSERT_ERROR(parse_mode("010000", &m), ERANGE);
        ASSERT_ERROR(parse_mode("777777777777777777777777", &m), ERANGE);
        ASSERT_ERROR(parse_mode("8", &m), EINVAL);
        ASSERT_ERROR(parse_mode("0x1ff", &m), EINVAL);
        ASSERT_ERROR(parse_mode("-644", &m), EINVAL);
        ASSERT_ERROR(parse_mode("+644", &m), EINVAL);
        ASSERT_ERROR(parse_mode("", &m), EINVAL);
        ASSERT_ERROR(parse_mode("644 ", &m), EINVAL);
        ASSERT_ERROR(parse_mode("rw-r--r--", &m), EINVAL);
}

TEST(size) {
        uint64_t s;

        ASSERT_OK(parse_size("111", 1024, &s));
        ASSERT_UEQ(s, 111);
        ASSERT_OK(parse_size("111.4", 1024, &s));
        ASSERT_UEQ(s, 111);
        ASSERT_OK(parse_size(" 112 B", 1024, &s));
        ASSERT_UEQ(s, 112);
        ASSERT_OK(parse_size("3.5 K", 1024, &s));
        ASSERT_UEQ(s, 3 * 1024 + 512);
        ASSERT_OK(parse_size("1.5M", 1024, &s));
        ASSERT_UEQ(s, 1572864);
        ASSERT_OK(parse_size("4K", 1024, &s));
        ASSERT_UEQ(s, 4096);
        ASSERT_OK(parse_size("4K", 1000, &s));
        ASSERT_UEQ(s, 4000);
        ASSERT_OK(parse_size("3.0005K", 1024, &s));
        ASSERT_UEQ(s, 3072);            /* 3072.512 truncated */
        ASSERT_OK(parse_size("12P", 1024, &s));
        ASSERT_UEQ(s, 12ULL << 50);
        ASSERT_OK(parse_size("3E", 1024, &s));
        ASSERT_UEQ(s, 3ULL << 60);
        ASSERT_OK(parse_size("3.5G 512M", 1024, &s));   /* sums, biggest unit first */
        ASSERT_UEQ(s, (3ULL << 30) + (512ULL << 20) + (512ULL << 20));
        ASSERT_OK(parse_size("1G 2 M 3K 4", 1024, &s));
        ASSERT_UEQ(s, (1ULL << 30) + (2ULL << 20) + 3 * 1024 + 4);
        ASSERT_OK(parse_size("10.", 1024, &s));         /* "10." is 10, as systemd */
        ASSERT_UEQ(s, 10);
        ASSERT_OK(parse_size("0", 1024, &s));
        ASSERT_UEQ(s, 0);
        ASSERT_OK(parse_size("15E", 1024, &s));
        ASSERT_UEQ(s, 15ULL << 60);

        ASSERT_ERROR(parse_size("16E", 1024, &s), ERANGE);
        ASSERT_ERROR(parse_size("18446744073709551616", 1024, &s), ERANGE);
        ASSERT_ERROR(parse_size("-1", 1024, &s), ERANGE);
        ASSERT_ERROR(parse_size("-1K", 1024, &s), ERANGE);
        ASSERT_ERROR(parse_size("", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("K", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("1Ki", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("1k", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("1KB", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("1M 1G", 1024, &s), EINVAL);    /* smaller unit first */
        ASSERT_ERROR(parse_size("1K 1K", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("5 5", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("5K ", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size(".5K", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("1.2.3K", 1024, &s), EINVAL);
        ASSERT_ERROR(parse_size("5", 1023, &s), EINVAL);
}

TEST(ip_port) {
        uint16_t p;

        ASSERT_OK(parse_ip_port("1", &p));
        ASSERT_EQ(p, 1);
        ASSERT_OK(parse_ip_port("80", &p));
        ASSERT_EQ(p, 80);
        ASSERT_OK(parse_ip_port("65535", &p));
        ASSERT_EQ(p, 65535);
        ASSERT_ERROR(parse_ip_port("0", &p), EINVAL);
        ASSERT_ERROR(parse_ip_port("65536", &p), ERANGE);
        ASSERT_ERROR(parse_ip_port("100000", &p), ERANGE);
        ASSERT_ERROR(parse_ip_port("-1", &p), ERANGE);
        ASSERT_ERROR(parse_ip_port(" 80", &p), EINVAL);
        ASSERT_ERROR(parse_ip_port("80 ", &p), EINVAL);
        ASSERT_ERROR(parse_ip_port("http", &p), EINVAL);
        ASSERT_ERROR(parse_ip_port("", &p), EINVAL);
}

TEST(nice_and_pid) {
        int n;
        pid_t pid;

        ASSERT_OK(parse_nice("-20", &n));
        ASSERT_EQ(n, -20);
        ASSERT_OK(parse_nice("19", &n));
        ASSERT_EQ(n, 19);
        ASSERT_OK(parse_nice("0", &n));
        ASSERT_EQ(n, 0);
        ASSERT_ERROR(parse_nice("20", &n), ERANGE);
        ASSERT_ERROR(parse_nice("-21", &n), ERANGE);
        ASSERT_ERROR(parse_nice("x", &n), EINVAL);

        ASSERT_OK(parse_pid("1", &pid));
        ASSERT_EQ(pid, 1);
        ASSERT_OK(parse_pid("2147483647", &pid));
        ASSERT_EQ(pid, 2147483647);
        ASSERT_ERROR(parse_pid("0", &pid), ERANGE);
        ASSERT_ERROR(parse_pid("2147483648", &pid), ERANGE);
        ASSERT_ERROR(parse_pid("-1", &pid), ERANGE);
        ASSERT_ERROR(parse_pid("1a", &pid), EINVAL);
}

RUN_TESTS()
