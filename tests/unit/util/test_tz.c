/*
 * Unit tests for util/tz.c: offsets, local times and wall time -> UTC compared with glibc
 * (TZ + tzset + localtime_r/mktime, fine here: this test is single-threaded) over 2020-2040 for
 * zones on both hemispheres, with half- and quarter-hour offsets and without DST; the spring
 * gap and autumn overlap rules; the POSIX footer rule alone (hand-made TZif files with no
 * transitions); bad names; the cache from several threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/tz.h"

static const char *const zones[] = {"Europe/Berlin",
                                    "America/New_York",
                                    "Australia/Sydney",
                                    "Asia/Kolkata",
                                    "Pacific/Chatham",
                                    "America/Sao_Paulo",
                                    "UTC"};
#define NZONES (sizeof zones / sizeof zones[0])

/* 2020-01-01T00:00:00Z and 2041-01-01T00:00:00Z */
#define T_FROM 1577836800LL
#define T_TO 2240611200LL

static void use_glibc_zone(const char *name)
{
    char tzval[160];
    snprintf(tzval, sizeof tzval, ":%s", name);
    setenv("TZ", tzval, 1);
    tzset();
}

static void compare_instant(const struct tz *z, const char *name, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm g;
    localtime_r(&tt, &g);
    struct tz_tm m;
    tz_local(z, t * 1000, &m);
    if (m.offset != g.tm_gmtoff || tz_offset(z, t * 1000) != g.tm_gmtoff)
        fail_msg("%s at %lld: offset %d, glibc %ld", name, (long long)t, m.offset, g.tm_gmtoff);
    if (m.year != g.tm_year + 1900 || m.month != g.tm_mon + 1 || m.day != g.tm_mday ||
        m.hour != g.tm_hour || m.minute != g.tm_min || m.second != g.tm_sec ||
        m.wday != (g.tm_wday + 6) % 7)
        fail_msg("%s at %lld: %04d-%02d-%02d %02d:%02d:%02d wday %d, glibc %04d-%02d-%02d "
                 "%02d:%02d:%02d wday %d",
                 name, (long long)t, m.year, m.month, m.day, m.hour, m.minute, m.second, m.wday,
                 g.tm_year + 1900, g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec,
                 (g.tm_wday + 6) % 7);
}

/* Every ~7h13m over 2020-2040, and one second on each side of every offset change. */
static void test_offsets_match_glibc(void **state)
{
    for (size_t i = 0; i < NZONES; i++) {
        const struct tz *z = tz_get(zones[i]);
        assert_non_null(z);
        use_glibc_zone(zones[i]);
        long prev_off = 0;
        int changes = 0;
        for (int64_t t = T_FROM; t < T_TO; t += 7 * 3600 + 13 * 60 + 17) {
            compare_instant(z, zones[i], t);
            time_t tt = (time_t)t;
            struct tm g;
            localtime_r(&tt, &g);
            if (t != T_FROM && g.tm_gmtoff != prev_off) {
                /* find the change to the second by bisection, check both sides */
                int64_t lo = t - (7 * 3600 + 13 * 60 + 17), hi = t;
                while (hi - lo > 1) {
                    int64_t mid = lo + (hi - lo) / 2;
                    time_t mt = (time_t)mid;
                    struct tm gm;
                    localtime_r(&mt, &gm);
                    if (gm.tm_gmtoff == prev_off)
                        lo = mid;
                    else
                        hi = mid;
                }
                compare_instant(z, zones[i], lo);
                compare_instant(z, zones[i], hi);
                changes++;
            }
            prev_off = g.tm_gmtoff;
        }
        if (strcmp(zones[i], "Europe/Berlin") == 0 || strcmp(zones[i], "Pacific/Chatham") == 0)
            assert_int_equal(changes, 42); /* two a year, 2020-2040 */
        if (strcmp(zones[i], "Asia/Kolkata") == 0 || strcmp(zones[i], "UTC") == 0)
            assert_int_equal(changes, 0);
    }
}

/* Wall times away from any change map to the same instant as glibc's mktime. */
static void test_to_utc_matches_mktime(void **state)
{
    for (size_t i = 0; i < NZONES; i++) {
        const struct tz *z = tz_get(zones[i]);
        use_glibc_zone(zones[i]);
        int checked = 0;
        for (int64_t t = T_FROM; t < T_TO; t += 5 * 3600 + 17 * 60) {
            time_t tt = (time_t)t;
            struct tm g;
            localtime_r(&tt, &g);
            g.tm_sec = 0;
            struct tm in = g;
            in.tm_isdst = -1;
            time_t want = mktime(&in);
            if (tz_offset(z, ((int64_t)want - 3 * 3600) * 1000) !=
                tz_offset(z, ((int64_t)want + 3 * 3600) * 1000))
                continue; /* near a change: tested on its own below */
            int64_t got =
                tz_to_utc(z, g.tm_year + 1900, g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min);
            if (got != (int64_t)want * 1000)
                fail_msg("%s %04d-%02d-%02d %02d:%02d: %lld, mktime %lld", zones[i],
                         g.tm_year + 1900, g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min,
                         (long long)got / 1000, (long long)want);
            checked++;
        }
        assert_true(checked > 30000);
    }
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_to_utc(tz_utc(), y, mo, d, h, mi);
}

/* Spring-forward gaps move forward by the gap; fall-back overlaps take the first occurrence. */
static void test_gap_and_overlap(void **state)
{
    const struct tz *be = tz_get("Europe/Berlin"), *ny = tz_get("America/New_York");
    const struct tz *sy = tz_get("Australia/Sydney"), *ch = tz_get("Pacific/Chatham");
    /* Berlin 2025-03-30 02:30 does not exist -> 03:30 CEST = 01:30Z */
    assert_int_equal(tz_to_utc(be, 2025, 3, 30, 2, 30), utc(2025, 3, 30, 1, 30));
    assert_int_equal(tz_to_utc(be, 2025, 3, 30, 2, 0), utc(2025, 3, 30, 1, 0));
    assert_int_equal(tz_to_utc(be, 2025, 3, 30, 3, 0), utc(2025, 3, 30, 1, 0));
    /* Berlin 2025-10-26 02:30 happens twice: first at CEST = 00:30Z */
    assert_int_equal(tz_to_utc(be, 2025, 10, 26, 2, 30), utc(2025, 10, 26, 0, 30));
    assert_int_equal(tz_to_utc(be, 2025, 10, 26, 3, 0), utc(2025, 10, 26, 2, 0));
    /* New York 2025-03-09 02:30 -> 03:30 EDT = 07:30Z; 2025-11-02 01:30 -> EDT = 05:30Z */
    assert_int_equal(tz_to_utc(ny, 2025, 3, 9, 2, 30), utc(2025, 3, 9, 7, 30));
    assert_int_equal(tz_to_utc(ny, 2025, 11, 2, 1, 30), utc(2025, 11, 2, 5, 30));
    assert_int_equal(tz_to_utc(ny, 2025, 11, 2, 2, 0), utc(2025, 11, 2, 7, 0));
    /* Sydney 2025-10-05 02:30 -> 03:30 AEDT = 2025-10-04 16:30Z; 2025-04-06 02:30 twice ->
     * first at AEDT (+11) = 2025-04-05 15:30Z */
    assert_int_equal(tz_to_utc(sy, 2025, 10, 5, 2, 30), utc(2025, 10, 4, 16, 30));
    assert_int_equal(tz_to_utc(sy, 2025, 4, 6, 2, 30), utc(2025, 4, 5, 15, 30));
    /* Chatham (+12:45 / +13:45) 2025-09-28 03:00 does not exist -> 04:00 = 2025-09-27 14:15Z */
    assert_int_equal(tz_to_utc(ch, 2025, 9, 28, 3, 0), utc(2025, 9, 27, 14, 15));
    /* normalisation: 24:00 is the next day's midnight; month 13 is next January */
    assert_int_equal(tz_to_utc(be, 2025, 1, 31, 24, 0), tz_to_utc(be, 2025, 2, 1, 0, 0));
    assert_int_equal(tz_to_utc(be, 2025, 13, 1, 0, 0), tz_to_utc(be, 2026, 1, 1, 0, 0));
    assert_int_equal(tz_to_utc(be, 2025, 3, 32, 0, 0), tz_to_utc(be, 2025, 4, 1, 0, 0));
}

static void test_civil(void **state)
{
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tz_weekday(0), 3);                                /* Thursday */
    assert_int_equal(tz_weekday(tz_days_from_civil(2024, 1, 1)), 0);   /* Monday */
    assert_int_equal(tz_weekday(tz_days_from_civil(1969, 12, 28)), 6); /* Sunday */
    for (int64_t d = -800000; d < 800000; d += 37) {
        int y, m, dd;
        tz_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(tz_days_from_civil(y, m, dd), d);
    }
}

static void test_bad_names(void **state)
{
    static const char *const bad[] = {"",
                                      "Mars/Olympus_Mons",
                                      "../../etc/passwd",
                                      "/etc/localtime",
                                      "Europe//Berlin",
                                      "Europe/Berlin ",
                                      "zone.tab",
                                      "Europe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tz_get(bad[i]) != NULL)
            fail_msg("tz_get(\"%s\") accepted", bad[i]);
    assert_null(tz_get(NULL));
    assert_non_null(tz_check_name("a..b"));
    assert_null(tz_check_name("America/Argentina/Buenos_Aires"));
    assert_non_null(tz_get("America/Argentina/Buenos_Aires"));
    assert_string_equal(tz_name(tz_get("Asia/Kolkata")), "Asia/Kolkata");
    assert_ptr_equal(tz_get("Asia/Kolkata"), tz_get("Asia/Kolkata"));
    assert_int_equal(tz_offset(tz_utc(), 123456789), 0);
}

/* ---- the footer rule alone: TZif files with no transitions ---- */

static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

/* A v2 file: no transitions, one type (std_off), "STD\0" as its abbreviation, then the footer. */
static void write_footer_zone(const char *path, int32_t std_off, const char *footer)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int part = 0; part < 2; part++) {
        fwrite("TZif2", 1, 5, f);
        for (int i = 0; i < 15; i++)
            fputc(0, f);
        put32(f, 0); /* isut */
        put32(f, 0); /* isstd */
        put32(f, 0); /* leap */
        put32(f, 0); /* time */
        put32(f, 1); /* type */
        put32(f, 4); /* chars */
        put32(f, (uint32_t)std_off);
        fputc(0, f);
        fputc(0, f);
        fwrite("STD", 1, 4, f);
    }
    fprintf(f, "\n%s\n", footer);
    fclose(f);
}

static void test_footer_rules(void **state)
{
    char dir[] = "/tmp/tocsin-tz-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    static const struct {
        const char *file, *footer, *same_as;
        int32_t std;
    } cases[] = {
        {"FooterCET", "CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin", 3600},
        {"FooterNY", "EST5EDT,M3.2.0,M11.1.0", "America/New_York", -5 * 3600},
        {"FooterSYD", "AEST-10AEDT,M10.1.0,M4.1.0/3", "Australia/Sydney", 10 * 3600},
        {"FooterCHAT", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", "Pacific/Chatham",
         12 * 3600 + 45 * 60},
        {"FooterIST", "IST-5:30", "Asia/Kolkata", 5 * 3600 + 30 * 60},
        {"FooterBRT", "<-03>3", "America/Sao_Paulo", -3 * 3600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
        write_footer_zone(path, cases[i].std, cases[i].footer);
    }
    /* the real zones first (they read the default directory), then the footer-only ones */
    const struct tz *real[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        real[i] = tz_get(cases[i].same_as);
    setenv("TZDIR", dir, 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct tz *f = tz_get(cases[i].file);
        assert_non_null(f);
        /* from 2025 on (Sao Paulo dropped DST in 2019) every ~3h7m */
        for (int64_t t = 1735689600LL; t < T_TO; t += 3 * 3600 + 7 * 60 + 11)
            if (tz_offset(f, t * 1000) != tz_offset(real[i], t * 1000))
                fail_msg("%s at %lld: %d, %s %d", cases[i].footer, (long long)t,
                         tz_offset(f, t * 1000), cases[i].same_as, tz_offset(real[i], t * 1000));
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
        unlink(path);
    }
    /* a file that is not TZif, and one that is cut short */
    snprintf(path, sizeof path, "%s/NotTzif", dir);
    FILE *fp = fopen(path, "wb");
    fputs("hello world, not a zone file at all........................", fp);
    fclose(fp);
    assert_null(tz_get("NotTzif"));
    unlink(path);
    unsetenv("TZDIR");
    rmdir(dir);
}

static void *get_many(void *arg)
{
    const struct tz **out = arg;
    for (int round = 0; round < 50; round++)
        for (size_t i = 0; i < NZONES; i++)
            out[i] = tz_get(zones[i]);
    return NULL;
}

static void test_threads(void **state)
{
    enum { N = 4 };
    pthread_t th[N];
    const struct tz *got[N][NZONES];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, get_many, got[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 1; i < N; i++)
        for (size_t j = 0; j < NZONES; j++)
            assert_ptr_equal(got[i][j], got[0][j]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_offsets_match_glibc),
        cmocka_unit_test(test_to_utc_matches_mktime),
        cmocka_unit_test(test_gap_and_overlap),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_footer_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
