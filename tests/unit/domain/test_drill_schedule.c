/*
 * Unit tests for drill_schedule.c: calendar months clamp to the month's end, local days keep the
 * wall time across DST, the occurrences around `now`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/drill_schedule.h"
#include "util/timeutil.h"

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    assert_int_equal(time_parse_rfc3339(rfc3339, &ms), 0);
    return ms;
}

static void months_clamp_to_the_end(void **state)
{
    (void)state;
    struct config_drill_schedule s = {.every_months = 1, .y = 2027, .mo = 1, .d = 31, .h = 9};
    const struct tz *utc = tz_utc();
    assert_true(drill_schedule_occurrence(&s, utc, 0) == at("2027-01-31T09:00:00Z"));
    assert_true(drill_schedule_occurrence(&s, utc, 1) == at("2027-02-28T09:00:00Z"));
    assert_true(drill_schedule_occurrence(&s, utc, 2) == at("2027-03-31T09:00:00Z"));
    assert_true(drill_schedule_occurrence(&s, utc, 13) == at("2028-02-29T09:00:00Z"));
    s.every_months = 6; /* semi-annual */
    assert_true(drill_schedule_occurrence(&s, utc, 1) == at("2027-07-31T09:00:00Z"));
}

static void days_keep_the_wall_time_across_dst(void **state)
{
    (void)state;
    const struct tz *paris = tz_get("Europe/Paris");
    assert_non_null(paris);
    /* 2027-03-20 14:00 CET (UTC+1); a week later CEST (UTC+2): still 14:00 local. */
    struct config_drill_schedule s = {.every_days = 7, .y = 2027, .mo = 3, .d = 20, .h = 14};
    assert_true(drill_schedule_occurrence(&s, paris, 0) == at("2027-03-20T13:00:00Z"));
    assert_true(drill_schedule_occurrence(&s, paris, 1) == at("2027-03-27T13:00:00Z"));
    assert_true(drill_schedule_occurrence(&s, paris, 2) == at("2027-04-03T12:00:00Z"));
}

static void around_now(void **state)
{
    (void)state;
    struct config_drill_schedule s = {.every_months = 3, .y = 2027, .mo = 1, .d = 15, .h = 10};
    const struct tz *utc = tz_utc();
    int64_t prev, k, next;
    drill_schedule_around(&s, utc, at("2027-01-01T00:00:00Z"), &prev, &k, &next);
    assert_true(prev == -1 && k == -1 && next == at("2027-01-15T10:00:00Z"));
    drill_schedule_around(&s, utc, at("2027-01-15T10:00:00Z"), &prev, &k, &next);
    assert_true(prev == at("2027-01-15T10:00:00Z") && k == 0);
    assert_true(next == at("2027-04-15T10:00:00Z"));
    drill_schedule_around(&s, utc, at("2031-04-15T09:59:59Z"), &prev, &k, &next);
    assert_true(k == 16 && prev == at("2031-01-15T10:00:00Z"));
    assert_true(next == at("2031-04-15T10:00:00Z"));
    struct config_drill_schedule d = {.every_days = 90, .y = 2027, .mo = 1, .d = 1, .h = 0};
    drill_schedule_around(&d, utc, at("2027-04-01T00:00:00Z"), &prev, &k, &next);
    assert_true(k == 1 && prev == at("2027-04-01T00:00:00Z"));
    assert_true(next == at("2027-06-30T00:00:00Z"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(months_clamp_to_the_end),
        cmocka_unit_test(days_keep_the_wall_time_across_dst),
        cmocka_unit_test(around_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
