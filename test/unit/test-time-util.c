/* SPDX-License-Identifier: MIT */
#include "time-util.h"
#include "tests.h"

static usec_t sec(const char *s) {
        usec_t u = 4711;
        int r = parse_sec(s, &u);
        if (r < 0) {
                fprintf(stderr, "parse_sec(\"%s\") failed: %d\n", s, r);
                abort();
        }
        return u;
}

/* Expected values below were produced by `systemd-analyze timespan` of
 * systemd 252 on this machine. */
TEST(parse_sec_units) {
        ASSERT_UEQ(sec("5"), 5 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5s"), 5 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5sec"), 5 * USEC_PER_SEC);
        ASSERT_UEQ(sec("1second"), USEC_PER_SEC);
        ASSERT_UEQ(sec("2seconds"), 2 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5us"), 5);
        ASSERT_UEQ(sec("5usec"), 5);
        ASSERT_UEQ(sec("5\xc2\xb5s"), 5);        /* µs MICRO SIGN */
        ASSERT_UEQ(sec("5\xce\xbcs"), 5);        /* μs GREEK MU */
        ASSERT_UEQ(sec("7ms"), 7 * USEC_PER_MSEC);
        ASSERT_UEQ(sec("7msec"), 7 * USEC_PER_MSEC);
        ASSERT_UEQ(sec("3m"), 3 * USEC_PER_MINUTE);
        ASSERT_UEQ(sec("3min"), 3 * USEC_PER_MINUTE);
        ASSERT_UEQ(sec("1minute"), USEC_PER_MINUTE);
        ASSERT_UEQ(sec("3minutes"), 3 * USEC_PER_MINUTE);
        ASSERT_UEQ(sec("2h"), 2 * USEC_PER_HOUR);
        ASSERT_UEQ(sec("2hr"), 2 * USEC_PER_HOUR);
        ASSERT_UEQ(sec("1hour"), USEC_PER_HOUR);
        ASSERT_UEQ(sec("2hours"), 2 * USEC_PER_HOUR);
        ASSERT_UEQ(sec("1d"), USEC_PER_DAY);
        ASSERT_UEQ(sec("1day"), USEC_PER_DAY);
        ASSERT_UEQ(sec("2days"), 2 * USEC_PER_DAY);
        ASSERT_UEQ(sec("1w"), USEC_PER_WEEK);
        ASSERT_UEQ(sec("1week"), USEC_PER_WEEK);
        ASSERT_UEQ(sec("2weeks"), 2 * USEC_PER_WEEK);
        ASSERT_UEQ(sec("1M"), 2629800000000ULL);
        ASSERT_UEQ(sec("1month"), 2629800000000ULL);
        ASSERT_UEQ(sec("2months"), 2 * 2629800000000ULL);
        ASSERT_UEQ(sec("1y"), 31557600000000ULL);
        ASSERT_UEQ(sec("1year"), 31557600000000ULL);
        ASSERT_UEQ(sec("2years"), 2 * 31557600000000ULL);
        ASSERT_UEQ(sec("0"), 0);
        ASSERT_UEQ(sec("infinity"), USEC_INFINITY);
        ASSERT_UEQ(sec(" infinity "), USEC_INFINITY);
}

TEST(parse_sec_sums_and_fractions) {
        ASSERT_UEQ(sec("5min 20s"), 320 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5min20s"), 320 * USEC_PER_SEC);
        ASSERT_UEQ(sec("1h30min"), 5400000000ULL);
        ASSERT_UEQ(sec("1 h 30 min"), 5400000000ULL);
        ASSERT_UEQ(sec("2.5s"), 2500000);
        ASSERT_UEQ(sec(".5s"), 500000);
        ASSERT_UEQ(sec("0.5"), 500000);
        ASSERT_UEQ(sec("1.5"), 1500000);
        ASSERT_UEQ(sec("1.5M"), 3944700000000ULL);
        ASSERT_UEQ(sec("1h 1.5min"), 3690000000ULL);
        ASSERT_UEQ(sec("5 3s"), 8 * USEC_PER_SEC);      /* a bare number anywhere uses the default unit */
        ASSERT_UEQ(sec("5s5"), 10 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5 s 3"), 8 * USEC_PER_SEC);
        ASSERT_UEQ(sec("5sec3"), 8 * USEC_PER_SEC);
        ASSERT_UEQ(sec("3 s"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(sec(" 5s "), 5 * USEC_PER_SEC);
        ASSERT_UEQ(sec("+5s"), 5 * USEC_PER_SEC);
        ASSERT_UEQ(sec("1.000000001s"), USEC_PER_SEC);  /* below 1us: dropped */
        ASSERT_UEQ(sec("0.0000001s"), 0);
        ASSERT_UEQ(sec("1.999999999us"), 1);
        ASSERT_UEQ(sec("100ms"), 100000);
}

TEST(parse_time_errors) {
        usec_t u = 4711;

        ASSERT_ERROR(parse_sec("", &u), EINVAL);
        ASSERT_ERROR(parse_sec("   ", &u), EINVAL);
        ASSERT_ERROR(parse_sec("-1s", &u), ERANGE);
        ASSERT_ERROR(parse_sec("-0", &u), ERANGE);
        ASSERT_ERROR(parse_sec("5s -3s", &u), ERANGE);
        ASSERT_ERROR(parse_sec("5secs", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5mins", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5hrs", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5.s", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5.", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5x", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5e", &u), EINVAL);
        ASSERT_ERROR(parse_sec("1e3s", &u), EINVAL);
        ASSERT_ERROR(parse_sec("12.34.56", &u), EINVAL);
        ASSERT_ERROR(parse_sec("infinity 5s", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5s infinity", &u), EINVAL);
        ASSERT_ERROR(parse_sec("5S", &u), EINVAL);      /* units are case-sensitive */
        ASSERT_ERROR(parse_sec("5 H", &u), EINVAL);
        ASSERT_ERROR(parse_sec("+", &u), EINVAL);
        ASSERT_ERROR(parse_sec(".", &u), EINVAL);
        ASSERT_ERROR(parse_sec("s", &u), EINVAL);
        ASSERT_ERROR(parse_sec("600000000000y", &u), ERANGE);
        ASSERT_ERROR(parse_sec("584542y", &u), ERANGE);
        ASSERT_ERROR(parse_sec("18446744073709551615us", &u), ERANGE);
        ASSERT_ERROR(parse_sec("9223372036854775808us", &u), ERANGE);
        ASSERT_ERROR(parse_sec("584000y 584000y", &u), ERANGE);
        ASSERT_ERROR(parse_sec(NULL, &u), EINVAL);
        ASSERT_EQ(u, 4711);
}

TEST(parse_time_default_unit) {
        usec_t u;

        ASSERT_OK(parse_time("5", &u, 1));
        ASSERT_UEQ(u, 5);
        ASSERT_OK(parse_time("5", &u, USEC_PER_MSEC));
        ASSERT_UEQ(u, 5000);
        ASSERT_OK(parse_time("5s", &u, 1));
        ASSERT_UEQ(u, 5 * USEC_PER_SEC);
        ASSERT_OK(parse_time("1.5", &u, USEC_PER_MSEC));
        ASSERT_UEQ(u, 1500);
}

TEST(parse_sec_fix_0) {
        usec_t u;

        ASSERT_OK(parse_sec_fix_0("0", &u));
        ASSERT_UEQ(u, USEC_INFINITY);
        ASSERT_OK(parse_sec_fix_0("0s", &u));
        ASSERT_UEQ(u, USEC_INFINITY);
        ASSERT_OK(parse_sec_fix_0("5s", &u));
        ASSERT_UEQ(u, 5 * USEC_PER_SEC);
        ASSERT_ERROR(parse_sec_fix_0("", &u), EINVAL);
}

static void check_format(usec_t t, usec_t accuracy, const char *expected) {
        char buf[FORMAT_TIMESPAN_MAX];
        ASSERT_STREQ(format_timespan(buf, sizeof(buf), t, accuracy), expected);
}

/* "Human:" lines of `systemd-analyze timespan` use accuracy 1us. */
TEST(format_timespan) {
        check_format(0, 1, "0");
        check_format(USEC_INFINITY, 1, "infinity");
        check_format(5 * USEC_PER_SEC, 1, "5s");
        check_format(90 * USEC_PER_SEC, 1, "1min 30s");
        check_format(5400000000ULL, 1, "1h 30min");
        check_format(2500000, 1, "2.500000s");
        check_format(2500000, USEC_PER_MSEC, "2.500s");
        check_format(500000, 1, "500ms");
        check_format(3944700000000ULL, 1, "1month 2w 1d 5h 15min");
        check_format(31557600000000ULL, 1, "1y");
        check_format(3690000000ULL, 1, "1h 1min 30s");
        check_format(5, 1, "5us");
        check_format(1500, 1, "1.500ms");
        check_format(61 * USEC_PER_SEC + 500000, 1, "1min 1.500000s");
        check_format(61 * USEC_PER_SEC + 500000, USEC_PER_SEC, "1min 1s");
        check_format(USEC_PER_HOUR + 1, USEC_PER_SEC, "1h");
        check_format(USEC_PER_HOUR + 1, 1, "1h 1us");
        check_format(USEC_PER_DAY * 3 + USEC_PER_SEC, 1, "3d 1s");
        check_format(UINT64_MAX - 1, 1, "584542y 2w 2d 20h 1min 49.551614s");
}

TEST(format_timespan_small_buffer) {
        char buf[4];

        ASSERT_NULL(format_timespan(buf, sizeof(buf), 90 * USEC_PER_SEC, 1));
        ASSERT_NULL(format_timespan(buf, sizeof(buf), USEC_INFINITY, 1));
        ASSERT_STREQ(format_timespan(buf, sizeof(buf), 5 * USEC_PER_SEC, 1), "5s");
        ASSERT_NULL(format_timespan(buf, 0, 5, 1));
}

TEST(round_trip) {
        static const usec_t values[] = { 1, 999, 1000, 1500, USEC_PER_SEC, 2500000, 90 * USEC_PER_SEC,
                                         5400000000ULL, 3944700000000ULL, 31557600000000ULL + 17, 123456789012345ULL,
                                         (usec_t) 584541 * 31557600000000ULL + 3 };

        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                char buf[FORMAT_TIMESPAN_MAX];
                usec_t u;

                ASSERT_NOT_NULL(format_timespan(buf, sizeof(buf), values[i], 1));
                ASSERT_OK(parse_sec(buf, &u));
                ASSERT_UEQ(u, values[i]);
        }
}

TEST(now_and_timespec) {
        struct timespec ts;
        usec_t a, b;

        a = now(CLOCK_MONOTONIC);
        b = now(CLOCK_MONOTONIC);
        ASSERT_TRUE(a > 0 && b >= a);
        ASSERT_UEQ(timespec_load(timespec_store(&ts, 1234567)), 1234567);
        ASSERT_EQ(ts.tv_sec, 1);
        ASSERT_EQ(ts.tv_nsec, 234567000);
        ASSERT_UEQ(timespec_load(timespec_store(&ts, USEC_INFINITY)), USEC_INFINITY);
        ASSERT_UEQ(usec_add(USEC_INFINITY - 1, 5), USEC_INFINITY);
        ASSERT_UEQ(usec_add(5, 6), 11);
}

RUN_TESTS()
