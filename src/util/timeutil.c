/* timeutil: see timeutil.h. */
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int unit_ms(const char *u, size_t len, int64_t *out)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"ms", 1},          {"s", MS_PER_SEC}, {"m", MS_PER_MIN},
                 {"h", MS_PER_HOUR}, {"d", MS_PER_DAY}, {"w", 7 * MS_PER_DAY}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0) {
            *out = units[i].ms;
            return 0;
        }
    }
    return -1;
}

int time_parse_duration(const char *s, int64_t *out_ms)
{
    if (!s || !*s)
        return -1;
    if (strcmp(s, "0") == 0) {
        *out_ms = 0;
        return 0;
    }
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        if (*p < '0' || *p > '9')
            return -1;
        int64_t n = 0;
        while (*p >= '0' && *p <= '9') {
            int d = *p++ - '0';
            if (n > (INT64_MAX - d) / 10)
                return -1;
            n = n * 10 + d;
        }
        const char *u = p;
        while ((*p >= 'a' && *p <= 'z'))
            p++;
        int64_t mult;
        if (unit_ms(u, (size_t)(p - u), &mult) != 0)
            return -1;
        if (n > (INT64_MAX / mult) || total > INT64_MAX - n * mult)
            return -1;
        total += n * mult;
    }
    *out_ms = total;
    return 0;
}

void time_format_duration(int64_t ms, char *out, size_t n)
{
    static const struct {
        const char *name;
        int64_t ms;
    } parts[] = {
        {"d", MS_PER_DAY}, {"h", MS_PER_HOUR}, {"m", MS_PER_MIN}, {"s", MS_PER_SEC}, {"ms", 1}};
    if (n == 0)
        return;
    out[0] = '\0';
    if (ms <= 0) {
        snprintf(out, n, "0s");
        return;
    }
    size_t used = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && ms > 0; i++) {
        int64_t q = ms / parts[i].ms;
        if (q == 0)
            continue;
        ms -= q * parts[i].ms;
        int w = snprintf(out + used, n - used, "%lld%s", (long long)q, parts[i].name);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

/* ms, clamped into the supported years, as a broken-down UTC time (always valid: gmtime_r cannot
 * fail inside that range). */
static void utc_tm(int64_t ms, struct tm *tm)
{
    ms = ms < TIME_MIN_MS ? TIME_MIN_MS : ms > TIME_MAX_MS ? TIME_MAX_MS : ms;
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    if (!gmtime_r(&t, tm))
        *tm = (struct tm){.tm_year = 70, .tm_mday = 1};
}

void time_format_rfc3339(int64_t ms, char out[RFC3339_LEN])
{
    struct tm tm;
    utc_tm(ms, &tm);
    unsigned v[6] = {(unsigned)(tm.tm_year + 1900) % 10000u,
                     (unsigned)(tm.tm_mon + 1) % 100u,
                     (unsigned)tm.tm_mday % 100u,
                     (unsigned)tm.tm_hour % 100u,
                     (unsigned)tm.tm_min % 100u,
                     (unsigned)tm.tm_sec % 100u};
    snprintf(out, RFC3339_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ", v[0], v[1], v[2], v[3], v[4],
             v[5]);
}

void time_format_day(int64_t ms, char out[11])
{
    struct tm tm;
    utc_tm(ms, &tm);
    /* four-digit years only (utc_tm): the day always fits its 11 bytes */
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u, m = (unsigned)(tm.tm_mon + 1) % 100u,
             d = (unsigned)tm.tm_mday % 100u; /* the ranges utc_tm gives, spelled out */
    snprintf(out, 11, "%04u-%02u-%02u", y, m, d);
}

int time_add_in_range(int64_t a, int64_t b, int64_t *out)
{
    if (a < TIME_MIN_MS || a > TIME_MAX_MS || b < 0 || b > TIME_MAX_MS - a)
        return -1;
    *out = a + b;
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int time_parse_rfc3339(const char *s, int64_t *out_ms)
{
    int y, mo, d, h, mi, se;
    if (!s || strlen(s) < 20)
        return -1;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                frac = frac * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (nd == 0)
            return -1;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 60 + om) * MS_PER_MIN * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    time_t t = timegm(&tm);
    if (tm.tm_mday != d) /* normalised away: Feb 30 and such */
        return -1;
    *out_ms = (int64_t)t * 1000 + frac - offset;
    return 0;
}
