/*
 * notify/policy: when to try again. Backoff with jitter, Retry-After (delta-seconds or an
 * HTTP-date, RFC 9110 section 10.2.3). Pure functions (no clock reads: `now` is passed in).
 * The HTTP-date parser is hand-written because strptime depends on the locale and libcurl's
 * curl_getdate accepts far more than the three formats HTTP allows.
 */
#include "domain/notify_policy.h"
#include "util/num.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int64_t notify_backoff(int64_t base, int64_t max, int attempt, uint32_t rnd)
{
    if (base <= 0)
        base = 1;
    if (max < base)
        max = base;
    int64_t d = base;
    for (int i = 1; i < attempt && d < max; i++)
        d = d > max / 2 ? max : d * 2;
    if (d > max)
        d = max;
    int64_t half = d / 2;
    return d - half + (int64_t)(((uint64_t)half * rnd) >> 32);
}

static int month_index(const char *s)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; i++)
        if (strncmp(s, months[i], 3) == 0)
            return i;
    return -1;
}

static bool is_day_name(const char *s, size_t n, bool long_form)
{
    static const char *const shrt[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const lng[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                      "Friday", "Saturday", "Sunday"};
    for (int i = 0; i < 7; i++) {
        const char *d = long_form ? lng[i] : shrt[i];
        if (strlen(d) == n && strncmp(s, d, n) == 0)
            return true;
    }
    return false;
}

/* Exactly n digits at s, as a number; -1 otherwise. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "HH:MM:SS" at s into tm; false when malformed. */
static bool hms(const char *s, struct tm *tm)
{
    if (s[2] != ':' || s[5] != ':')
        return false;
    tm->tm_hour = digits(s, 2);
    tm->tm_min = digits(s + 3, 2);
    tm->tm_sec = digits(s + 6, 2);
    return tm->tm_hour >= 0 && tm->tm_hour < 24 && tm->tm_min >= 0 && tm->tm_min < 60 &&
           tm->tm_sec >= 0 && tm->tm_sec <= 60;
}

static int64_t to_ms(struct tm *tm)
{
    if (tm->tm_mday < 1 || tm->tm_mday > 31 || tm->tm_mon < 0 || tm->tm_year < 70)
        return -1;
    time_t t = timegm(tm);
    return t < 0 ? -1 : (int64_t)t * 1000;
}

int64_t notify_http_date(const char *s)
{
    struct tm tm = {0};
    const char *comma = s ? strchr(s, ',') : NULL;
    size_t len = s ? strlen(s) : 0;
    if (comma && is_day_name(s, (size_t)(comma - s), false) && len == 29) {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        const char *p = comma + 1;
        if (p[0] != ' ' || p[3] != ' ' || p[7] != ' ' || p[12] != ' ' || p[21] != ' ' ||
            strcmp(p + 22, "GMT") != 0)
            return -1;
        tm.tm_mday = digits(p + 1, 2);
        tm.tm_mon = month_index(p + 4);
        tm.tm_year = digits(p + 8, 4) - 1900;
        return hms(p + 13, &tm) ? to_ms(&tm) : -1;
    }
    if (comma && is_day_name(s, (size_t)(comma - s), true)) {
        /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years: 70..99 -> 19xx) */
        const char *p = comma + 1;
        if (strlen(p) != 23 || p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' ||
            p[19] != ' ' || strcmp(p + 20, "GMT") != 0)
            return -1;
        int yy = digits(p + 8, 2);
        tm.tm_mday = digits(p + 1, 2);
        tm.tm_mon = month_index(p + 4);
        tm.tm_year = yy < 0 ? -1 : yy < 70 ? yy + 100 : yy;
        return hms(p + 11, &tm) ? to_ms(&tm) : -1;
    }
    if (len == 24 && is_day_name(s, 3, false) && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' &&
        s[19] == ' ') {
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        tm.tm_mon = month_index(s + 4);
        tm.tm_mday = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
        tm.tm_year = digits(s + 20, 4) - 1900;
        return hms(s + 11, &tm) ? to_ms(&tm) : -1;
    }
    return -1;
}

int notify_retry_after(const char *value, int64_t now, int64_t *at)
{
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    char v[64];
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= sizeof v)
        return -1;
    memcpy(v, value, n);
    v[n] = '\0';
    int64_t secs;
    if (isdigit((unsigned char)v[0]) && num_parse_i64(v, 0, 10LL * 365 * 86400, &secs) == 0) {
        *at = now + secs * 1000;
        return 0;
    }
    int64_t t = notify_http_date(v);
    if (t < 0)
        return -1;
    *at = t;
    return 0;
}
