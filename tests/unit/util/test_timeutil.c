/*
 * Unit tests for util/timeutil.c: durations ("15m", "1h30m", ...) both ways, RFC 3339 timestamps
 * both ways, and the UTC day. Pure: fixed instants only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

/* 2026-11-23T09:25:32Z */
#define T1 (1795425932LL * 1000)
/* 2026-11-23T00:00:00Z */
#define DAY0 (1795392000LL * 1000)

/* ---- durations ---- */

static void assert_duration(const char *s, int64_t want)
{
    int64_t got = -12345;
    if (time_parse_duration(s, &got) != 0)
        fail_msg("time_parse_duration(\"%s\") failed, want %lld", s, (long long)want);
    if (got != want)
        fail_msg("time_parse_duration(\"%s\") = %lld, want %lld", s, (long long)got,
                 (long long)want);
}

static void assert_bad_duration(const char *s)
{
    int64_t got = -12345;
    if (time_parse_duration(s, &got) != -1)
        fail_msg("time_parse_duration(\"%s\") accepted (%lld)", s ? s : "(null)", (long long)got);
    assert_int_equal(got, -12345); /* untouched on failure */
}

static void test_parse_duration_valid(void **state)
{
    assert_duration("0", 0);
    assert_duration("0m", 0);
    assert_duration("0s", 0);
    assert_duration("30s", 30 * MS_PER_SEC);
    assert_duration("90s", 90 * MS_PER_SEC);
    assert_duration("15m", 15 * MS_PER_MIN);
    assert_duration("1h", MS_PER_HOUR);
    assert_duration("1h30m", MS_PER_HOUR + 30 * MS_PER_MIN);
    assert_duration("2d", 2 * MS_PER_DAY);
    assert_duration("1w", 7 * MS_PER_DAY);
    assert_duration("500ms", 500);
    assert_duration("1s500ms", 1500);
    assert_duration("1w2d3h4m5s6ms",
                    9 * MS_PER_DAY + 3 * MS_PER_HOUR + 4 * MS_PER_MIN + 5 * MS_PER_SEC + 6);
    assert_duration("007m", 7 * MS_PER_MIN);
    /* the largest whole number of hours that fits */
    assert_duration("2562047788015h", 2562047788015LL * MS_PER_HOUR);
    assert_duration("15250284452w", 15250284452LL * 7 * MS_PER_DAY);
}

static void test_parse_duration_invalid(void **state)
{
    assert_bad_duration(NULL);
    assert_bad_duration("");
    assert_bad_duration("15");
    assert_bad_duration("1h30"); /* trailing number without unit */
    assert_bad_duration("15x");
    assert_bad_duration("15M");
    assert_bad_duration("15 m");
    assert_bad_duration("-1m");
    assert_bad_duration("+1m");
    assert_bad_duration("m");
    assert_bad_duration("ms");
    assert_bad_duration("1h 30m");
    assert_bad_duration(" 1h");
    assert_bad_duration("1h ");
    assert_bad_duration("1.5h");
    assert_bad_duration("1y");
    assert_bad_duration("1min");
    assert_bad_duration("1hours");
    assert_bad_duration("00");
    /* overflow: the number itself, the number times its unit, and the sum */
    assert_bad_duration("9999999999999999999h");
    assert_bad_duration("99999999999999999999999999ms");
    assert_bad_duration("10000000000000000h");
    assert_bad_duration("2562047788016h");
    assert_bad_duration("2562047788015h2562047788015h");
    assert_bad_duration("15250284453w");
}

static void assert_format(int64_t ms, const char *want)
{
    char out[64];
    memset(out, 'Z', sizeof out);
    time_format_duration(ms, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("time_format_duration(%lld) = \"%s\", want \"%s\"", (long long)ms, out, want);
}

static void test_format_duration(void **state)
{
    assert_format(0, "0s");
    assert_format(-5, "0s");
    assert_format(1, "1ms");
    assert_format(500, "500ms");
    assert_format(1500, "1s500ms");
    assert_format(30 * MS_PER_SEC, "30s");
    assert_format(90 * MS_PER_SEC, "1m30s");
    assert_format(15 * MS_PER_MIN, "15m");
    assert_format(MS_PER_HOUR + 30 * MS_PER_MIN, "1h30m");
    assert_format(2 * MS_PER_DAY, "2d");
    assert_format(7 * MS_PER_DAY, "7d");
    assert_format(MS_PER_DAY + 1, "1d1ms");
}

static void test_format_duration_small_buffer(void **state)
{
    char out[8];
    memset(out, 'Z', sizeof out);
    time_format_duration(MS_PER_DAY + MS_PER_HOUR + MS_PER_MIN + MS_PER_SEC + 1, out, 4);
    assert_true(strlen(out) < 4);
    assert_int_equal(out[4], 'Z'); /* nothing written past n */
    time_format_duration(MS_PER_HOUR, out, 0);
    assert_int_equal(out[0], '1'); /* n == 0: nothing written at all */
}

static void test_duration_round_trip(void **state)
{
    static const int64_t values[] = {0,
                                     1,
                                     999,
                                     MS_PER_SEC,
                                     59 * MS_PER_SEC,
                                     MS_PER_MIN,
                                     MS_PER_HOUR + 1,
                                     36 * MS_PER_HOUR,
                                     7 * MS_PER_DAY,
                                     400 * MS_PER_DAY + 23 * MS_PER_HOUR + 59 * MS_PER_MIN + 999,
                                     2562047788015LL * MS_PER_HOUR};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char out[64];
        int64_t back = -1;
        time_format_duration(values[i], out, sizeof out);
        if (time_parse_duration(out, &back) != 0 || back != values[i])
            fail_msg("%lld -> \"%s\" -> %lld", (long long)values[i], out, (long long)back);
    }
    /* canonical strings come back unchanged */
    static const char *const canon[] = {"0s", "500ms", "30s", "15m", "1h30m", "2d", "3d4h5m6s7ms"};
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        int64_t ms;
        char out[64];
        assert_int_equal(time_parse_duration(canon[i], &ms), 0);
        time_format_duration(ms, out, sizeof out);
        assert_string_equal(out, canon[i]);
    }
    /* non-canonical input gets its shortest form */
    int64_t ms;
    char out[64];
    assert_int_equal(time_parse_duration("90m", &ms), 0);
    time_format_duration(ms, out, sizeof out);
    assert_string_equal(out, "1h30m");
    assert_int_equal(time_parse_duration("1w", &ms), 0);
    time_format_duration(ms, out, sizeof out);
    assert_string_equal(out, "7d");
}

/* ---- RFC 3339 ---- */

static void assert_rfc(int64_t ms, const char *want)
{
    char out[RFC3339_LEN];
    time_format_rfc3339(ms, out);
    if (strcmp(out, want) != 0)
        fail_msg("time_format_rfc3339(%lld) = \"%s\", want \"%s\"", (long long)ms, out, want);
}

static void test_format_rfc3339(void **state)
{
    assert_rfc(T1, "2026-11-23T09:25:32Z");
    assert_rfc(T1 + 999, "2026-11-23T09:25:32Z"); /* seconds precision, truncated */
    assert_rfc(0, "1970-01-01T00:00:00Z");
    assert_rfc(-1, "1969-12-31T23:59:59Z");
    assert_rfc(-1000, "1969-12-31T23:59:59Z");
    assert_rfc(-1001, "1969-12-31T23:59:58Z");
    assert_rfc(1709208000LL * 1000, "2024-02-29T12:00:00Z");
    assert_rfc(DAY0 - 1, "2026-11-22T23:59:59Z");
}

static void assert_parse(const char *s, int64_t want)
{
    int64_t got = -12345;
    if (time_parse_rfc3339(s, &got) != 0)
        fail_msg("time_parse_rfc3339(\"%s\") failed", s);
    if (got != want)
        fail_msg("time_parse_rfc3339(\"%s\") = %lld, want %lld", s, (long long)got,
                 (long long)want);
}

static void assert_bad_rfc(const char *s)
{
    int64_t got = -12345;
    if (time_parse_rfc3339(s, &got) != -1)
        fail_msg("time_parse_rfc3339(\"%s\") accepted (%lld)", s ? s : "(null)", (long long)got);
    assert_int_equal(got, -12345);
}

static void test_parse_rfc3339_valid(void **state)
{
    assert_parse("2026-11-23T09:25:32Z", T1);
    assert_parse("2026-11-23t09:25:32z", T1);
    assert_parse("2026-11-23 09:25:32Z", T1);
    assert_parse("2026-11-23T09:25:32+00:00", T1);
    assert_parse("2026-11-23T09:25:32-00:00", T1);
    assert_parse("2026-11-23T11:25:32+02:00", T1);
    assert_parse("2026-11-23T03:55:32-05:30", T1);
    assert_parse("2026-11-24T08:25:32+23:00", T1);
    /* fractions: milliseconds kept, shorter padded, longer truncated */
    assert_parse("2026-11-23T09:25:32.123Z", T1 + 123);
    assert_parse("2026-11-23T09:25:32.1Z", T1 + 100);
    assert_parse("2026-11-23T09:25:32.05Z", T1 + 50);
    assert_parse("2026-11-23T09:25:32.000Z", T1);
    assert_parse("2026-11-23T09:25:32.999999999Z", T1 + 999);
    assert_parse("2026-11-23T11:25:32.5+02:00", T1 + 500);
    assert_parse("1970-01-01T00:00:00Z", 0);
    assert_parse("2024-02-29T12:00:00Z", 1709208000LL * 1000);
    assert_parse("2026-11-23T00:00:00Z", DAY0);
    assert_parse("2026-12-31T23:59:59Z", 1798761599LL * 1000);
}

static void test_parse_rfc3339_invalid(void **state)
{
    assert_bad_rfc(NULL);
    assert_bad_rfc("");
    assert_bad_rfc("garbage");
    assert_bad_rfc("not a timestamp at all!");
    assert_bad_rfc("2026-11-23");
    assert_bad_rfc("2026-11-23T09:25:32");   /* no zone */
    assert_bad_rfc("2026-11-23T09:25Z");     /* no seconds */
    assert_bad_rfc("2026-11-23T09:25:32ZZ"); /* trailing junk */
    assert_bad_rfc("2026-11-23T09:25:32Z ");
    assert_bad_rfc(" 2026-11-23T09:25:32Z");
    assert_bad_rfc("2026-11-23T09:25:32.Z"); /* fraction without digits */
    assert_bad_rfc("2026-11-23T09:25:32.12");
    assert_bad_rfc("2026-11-23X09:25:32Z");
    assert_bad_rfc("2026/11/23T09:25:32Z");
    assert_bad_rfc("26-11-23T09:25:32Z");
    assert_bad_rfc("2026-1-23T09:25:32Z");
    assert_bad_rfc("2026-11-23T9:25:32Z");
    assert_bad_rfc("2026-11-23T09:25:32+2:00");
    assert_bad_rfc("2026-11-23T09:25:32+0200");
    assert_bad_rfc("2026-11-23T09:25:32+02");
    assert_bad_rfc("2026-11-23T09:25:32+24:00");
    assert_bad_rfc("2026-11-23T09:25:32+02:60");
    assert_bad_rfc("2026-11-23T09:25:32UTC");
    /* out of range fields */
    assert_bad_rfc("2026-00-10T00:00:00Z");
    assert_bad_rfc("2026-13-10T00:00:00Z");
    assert_bad_rfc("2026-11-00T00:00:00Z");
    assert_bad_rfc("2026-11-32T00:00:00Z");
    assert_bad_rfc("2026-11-23T24:00:00Z");
    assert_bad_rfc("2026-11-23T23:60:00Z");
    assert_bad_rfc("2026-11-23T23:59:61Z");
    /* days that do not exist */
    assert_bad_rfc("2026-02-30T00:00:00Z");
    assert_bad_rfc("2026-02-29T00:00:00Z"); /* 2026 is not a leap year */
    assert_bad_rfc("2100-02-29T00:00:00Z"); /* nor is 2100 */
    assert_bad_rfc("2026-04-31T00:00:00Z");
    assert_bad_rfc("2026-06-31T00:00:00Z");
    assert_bad_rfc("2026-09-31T00:00:00Z");
    assert_bad_rfc("2026-11-31T00:00:00Z");
    /* digits that are not digits */
    assert_bad_rfc("2O26-11-23T09:25:32Z");
    assert_bad_rfc("2026-11-23T09:2a:32Z");
    assert_bad_rfc("-026-11-23T09:25:32Z");
}

static void test_rfc3339_round_trip(void **state)
{
    static const int64_t values[] = {0,
                                     T1,
                                     DAY0,
                                     DAY0 - MS_PER_SEC,
                                     1709208000LL * 1000,
                                     4102444799LL * 1000 /* 2099-12-31T23:59:59Z */};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char out[RFC3339_LEN];
        int64_t back = -1;
        time_format_rfc3339(values[i], out);
        assert_int_equal(strlen(out), 20);
        assert_int_equal(time_parse_rfc3339(out, &back), 0);
        assert_int_equal(back, values[i]);
        /* sub-second parts are dropped by formatting, not rounded */
        time_format_rfc3339(values[i] + 999, out);
        assert_int_equal(time_parse_rfc3339(out, &back), 0);
        assert_int_equal(back, values[i]);
    }
}

/* ---- day ---- */

static void assert_day(int64_t ms, const char *want)
{
    char out[11];
    memset(out, 'Z', sizeof out);
    time_format_day(ms, out);
    if (strcmp(out, want) != 0)
        fail_msg("time_format_day(%lld) = \"%s\", want \"%s\"", (long long)ms, out, want);
}

static void test_format_day(void **state)
{
    assert_day(T1, "2026-11-23");
    assert_day(DAY0, "2026-11-23");
    assert_day(DAY0 + MS_PER_DAY - 1, "2026-11-23");
    assert_day(DAY0 + MS_PER_DAY, "2026-11-24");
    assert_day(DAY0 - 1, "2026-11-22");
    assert_day(0, "1970-01-01");
    assert_day(1709208000LL * 1000, "2024-02-29");
}

/* The day containing -1 ms is 1969-12-31 (as time_format_rfc3339 agrees): the day must floor, not
 * truncate toward zero. */
static void test_format_day_before_epoch(void **state)
{
    char rfc[RFC3339_LEN];
    time_format_rfc3339(-1, rfc);
    assert_string_equal(rfc, "1969-12-31T23:59:59Z");
    assert_day(-1, "1969-12-31");
    assert_day(-MS_PER_DAY, "1969-12-31");
    assert_day(-MS_PER_DAY - 1, "1969-12-30");
}

/* Every year formats within its buffer (issue 14: year 10000 overran the day and id buffers): past
 * 9999 and before 0000 the formatters clamp to the supported range, never overrun or leave garbage.
 */
static void test_format_bounded_for_every_year(void **state)
{
    char rfc[RFC3339_LEN];
    time_format_rfc3339(TIME_MAX_MS, rfc);
    assert_string_equal(rfc, TIME_MAX_TEXT);
    assert_day(TIME_MAX_MS, "9999-12-31");
    const int64_t past[] = {TIME_MAX_MS + 1, TIME_MAX_MS + MS_PER_DAY * 400, INT64_MAX};
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        time_format_rfc3339(past[i], rfc);
        assert_string_equal(rfc, TIME_MAX_TEXT);
        assert_day(past[i], "9999-12-31");
    }
    time_format_rfc3339(INT64_MIN, rfc);
    assert_string_equal(rfc, "0000-01-01T00:00:00Z");
    assert_day(INT64_MIN, "0000-01-01");
    assert_day(TIME_MIN_MS, "0000-01-01");
}

static void test_add_in_range(void **state)
{
    int64_t out = -1;
    assert_int_equal(time_add_in_range(T1, MS_PER_DAY, &out), 0);
    assert_int_equal(out, T1 + MS_PER_DAY);
    assert_int_equal(time_add_in_range(TIME_MAX_MS - 5, 5, &out), 0);
    assert_int_equal(out, TIME_MAX_MS);
    out = -1;
    assert_int_equal(time_add_in_range(TIME_MAX_MS - 5, 6, &out), -1);
    assert_int_equal(time_add_in_range(T1, INT64_MAX, &out), -1); /* no int64 overflow */
    assert_int_equal(time_add_in_range(TIME_MAX_MS + 1, 0, &out), -1);
    assert_int_equal(time_add_in_range(T1, -1, &out), -1);
    assert_int_equal(out, -1); /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_duration_valid),
        cmocka_unit_test(test_parse_duration_invalid),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_format_duration_small_buffer),
        cmocka_unit_test(test_duration_round_trip),
        cmocka_unit_test(test_format_rfc3339),
        cmocka_unit_test(test_parse_rfc3339_valid),
        cmocka_unit_test(test_parse_rfc3339_invalid),
        cmocka_unit_test(test_rfc3339_round_trip),
        cmocka_unit_test(test_format_day),
        cmocka_unit_test(test_format_day_before_epoch),
        cmocka_unit_test(test_format_bounded_for_every_year),
        cmocka_unit_test(test_add_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
