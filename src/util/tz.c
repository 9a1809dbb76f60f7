/*
 * tz: TZif reader and POSIX TZ rule evaluator (see tz.h for the contract).
 *
 * Layout of a TZif v2+ file (RFC 8536): a 44-byte header and the 32-bit data block (skipped),
 * a second header and the 64-bit data block (transition times, their type indexes, the local
 * time types {utoff, isdst, abbrind}, abbreviations, leap seconds, two indicator arrays), then
 * the footer "\n<POSIX TZ string>\n" that says what happens after the last transition.
 *
 * Why hand-written: glibc has the data but only behind the global TZ variable, and no Debian
 * library offers a per-zone, thread-safe lookup in C (libical carries its own zone copies and
 * keeps global state). The format is small and stable; the unit test compares every answer
 * with glibc's over 2020-2040 for zones on both hemispheres and with half-hour offsets.
 */
#include "util/tz.h"
#include "util/log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    TZ_FILE_MAX = 256 * 1024,
    TZ_NAME_MAX = 128,
    TZ_MAX_TRANSITIONS = 5000,
    TZ_MAX_TYPES = 256,
    SECS_PER_DAY = 86400,
};

struct tz_type {
    int32_t off; /* seconds east */
};

/* One end of daylight saving time in a POSIX rule: Jn, n or Mm.w.d, at `time` local seconds. */
struct tz_when {
    char kind; /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
    int a, b, c;
    int32_t time;
};

struct tz_rule {
    bool valid, has_dst;
    int32_t std_off, dst_off; /* seconds east */
    struct tz_when start, end;
};

struct tz {
    char *name;
    int64_t *trans; /* seconds since the epoch, ascending */
    unsigned char *idx;
    size_t ntrans;
    struct tz_type *types;
    size_t ntypes;
    struct tz_rule rule;
    struct tz *next;
};

static struct tz_type utc_type = {0};
static struct tz utc_zone = {.name = "UTC", .types = &utc_type, .ntypes = 1};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *cache;

/* ---- civil calendar ------------------------------------------------------------------------ */

int64_t tz_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

int tz_weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ---- POSIX TZ footer ----------------------------------------------------------------------- */

/* A zone abbreviation: letters, or <...> quoted. */
static const char *parse_abbr(const char *p)
{
    if (*p == '<') {
        const char *e = strchr(p, '>');
        return e && e - p >= 2 ? e + 1 : NULL;
    }
    const char *s = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h, into seconds. */
static const char *parse_hms(const char *p, int max_h, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int32_t part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0 && *p != ':')
            break;
        if (i > 0)
            p++;
        if (*p < '0' || *p > '9')
            return NULL;
        int32_t v = 0;
        for (int n = 0; *p >= '0' && *p <= '9' && n < 3; n++)
            v = v * 10 + (*p++ - '0');
        part[i] = v;
    }
    if (part[0] > max_h || part[1] > 59 || part[2] > 59)
        return NULL;
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return p;
}

static const char *parse_num(const char *p, int lo, int hi, int *out)
{
    if (*p < '0' || *p > '9')
        return NULL;
    int v = 0;
    for (int n = 0; *p >= '0' && *p <= '9' && n < 4; n++)
        v = v * 10 + (*p++ - '0');
    if (v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *parse_when(const char *p, struct tz_when *w)
{
    w->time = 7200;
    if (*p == 'J') {
        w->kind = 'J';
        p = parse_num(p + 1, 1, 365, &w->a);
    } else if (*p == 'M') {
        w->kind = 'M';
        p = parse_num(p + 1, 1, 12, &w->a);
        if (p && *p == '.')
            p = parse_num(p + 1, 1, 5, &w->b);
        else
            p = NULL;
        if (p && *p == '.')
            p = parse_num(p + 1, 0, 6, &w->c);
        else
            p = NULL;
    } else {
        w->kind = 'N';
        p = parse_num(p, 0, 365, &w->a);
    }
    if (p && *p == '/')
        p = parse_hms(p + 1, 167, &w->time);
    return p;
}

/* "CET-1CEST,M3.5.0,M10.5.0/3", "<+0530>-5:30", "EST5EDT" (US rules then). */
static bool parse_rule(const char *s, struct tz_rule *r)
{
    int32_t west;
    const char *p = parse_abbr(s);
    if (!p || !(p = parse_hms(p, 24, &west)))
        return false;
    r->std_off = r->dst_off = -west;
    if (*p == '\0') {
        r->valid = true;
        return true;
    }
    if (!(p = parse_abbr(p)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = parse_hms(p, 24, &west)))
            return false;
        r->dst_off = -west;
    }
    if (*p == '\0') {
        static const char us[] = ",M3.2.0,M11.1.0";
        p = us;
    }
    if (*p != ',' || !(p = parse_when(p + 1, &r->start)) || *p != ',' ||
        !(p = parse_when(p + 1, &r->end)) || *p != '\0')
        return false;
    r->valid = true;
    return true;
}

/* Local seconds (in the offset in force before it) of a rule date in year y. */
static int64_t when_local(const struct tz_when *w, int64_t y)
{
    int64_t jan1 = tz_days_from_civil(y, 1, 1), day;
    if (w->kind == 'J') {
        day = jan1 + w->a - 1 + (is_leap(y) && w->a >= 60 ? 1 : 0);
    } else if (w->kind == 'N') {
        day = jan1 + w->a;
    } else {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int len = mdays[w->a - 1] + (w->a == 2 && is_leap(y) ? 1 : 0);
        int64_t first = tz_days_from_civil(y, w->a, 1);
        int wd_sun0 = (tz_weekday(first) + 1) % 7;
        int64_t dom = (w->c - wd_sun0 + 7) % 7 + (int64_t)(w->b - 1) * 7;
        while (dom >= len)
            dom -= 7;
        day = first + dom;
    }
    return day * SECS_PER_DAY + w->time;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int y, m, d;
    tz_civil_from_days(floor_div(t + r->std_off, SECS_PER_DAY), &y, &m, &d);
    int64_t start = when_local(&r->start, y) - r->std_off;
    int64_t end = when_local(&r->end, y) - r->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---------------------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
    size_t isut, isstd, leap, time, type, chars;
};

static bool read_header(const unsigned char *p, size_t avail, struct tzif_counts *c)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return c->time <= TZ_MAX_TRANSITIONS && c->type >= 1 && c->type <= TZ_MAX_TYPES &&
           c->leap <= 1000 && c->chars <= 1000 && c->isut <= c->type && c->isstd <= c->type;
}

/* Fills z from the file contents; false when it is not a valid TZif v2+ file. */
static bool parse_tzif(const unsigned char *buf, size_t len, struct tz *z)
{
    struct tzif_counts c;
    if (!read_header(buf, len, &c) || buf[4] < '2')
        return false;
    size_t v1 = c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
    if (44 + v1 > len)
        return false;
    const unsigned char *p = buf + 44 + v1, *end = buf + len;
    if (!read_header(p, (size_t)(end - p), &c))
        return false;
    p += 44;
    size_t v2 = c.time * 9 + c.type * 6 + c.chars + c.leap * 12 + c.isstd + c.isut;
    if (v2 > (size_t)(end - p))
        return false;
    z->ntrans = c.time;
    z->ntypes = c.type;
    z->trans = xcalloc(c.time + 1, sizeof *z->trans);
    z->idx = xcalloc(c.time + 1, 1);
    z->types = xcalloc(c.type, sizeof *z->types);
    for (size_t i = 0; i < c.time; i++) {
        z->trans[i] = be64(p + i * 8);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return false;
    }
    p += c.time * 8;
    for (size_t i = 0; i < c.time; i++)
        if ((z->idx[i] = p[i]) >= c.type)
            return false;
    p += c.time;
    for (size_t i = 0; i < c.type; i++) {
        int32_t off = (int32_t)be32(p + i * 6);
        if (off < -25 * 3600 || off > 26 * 3600)
            return false;
        z->types[i].off = off;
    }
    p += v2 - c.time * 9;
    /* footer: "\n" TZ "\n" (may be empty) */
    if (p < end && *p == '\n') {
        const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
        char footer[128];
        size_t n = nl ? (size_t)(nl - p - 1) : 0;
        if (nl && n > 0 && n < sizeof footer) {
            memcpy(footer, p + 1, n);
            footer[n] = '\0';
            if (!parse_rule(footer, &z->rule))
                log_warn("tz: %s: ignoring the footer rule \"%s\"", z->name, footer);
        }
    }
    return true;
}

static void free_zone(struct tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->trans);
    free(z->idx);
    free(z->types);
    free(z);
}

static struct tz *load_zone(const char *name)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = xmalloc(TZ_FILE_MAX);
    size_t len = fread(buf, 1, TZ_FILE_MAX, fp);
    bool too_big = len == TZ_FILE_MAX || ferror(fp);
    fclose(fp);
    struct tz *z = xcalloc(1, sizeof *z);
    z->name = xstrdup(name);
    if (too_big || !parse_tzif(buf, len, z)) {
        free_zone(z);
        z = NULL;
    }
    free(buf);
    return z;
}

/* ---- public -------------------------------------------------------------------------------- */

const char *tz_check_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > TZ_NAME_MAX || s[0] == '/' || strstr(s, "..") || strstr(s, "//") ||
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != n)
        return "is not a time zone name (e.g. UTC, Europe/Berlin)";
    return NULL;
}

const struct tz *tz_get(const char *name)
{
    if (tz_check_name(name))
        return NULL;
    pthread_mutex_lock(&cache_lock);
    struct tz *z = cache;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    if (!z && (z = load_zone(name)) != NULL) {
        z->next = cache;
        cache = z;
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}

const struct tz *tz_utc(void)
{
    return &utc_zone;
}

const char *tz_name(const struct tz *tz)
{
    return tz->name;
}

int32_t tz_offset(const struct tz *tz, int64_t utc_ms)
{
    int64_t t = floor_div(utc_ms, 1000);
    size_t n = tz->ntrans;
    if (n == 0 || t < tz->trans[0])
        return n == 0 && tz->rule.valid ? rule_offset(&tz->rule, t) : tz->types[0].off;
    if (t >= tz->trans[n - 1] && tz->rule.valid)
        return rule_offset(&tz->rule, t);
    size_t lo = 0, hi = n; /* trans[lo] <= t < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->types[tz->idx[lo]].off;
}

void tz_local(const struct tz *tz, int64_t utc_ms, struct tz_tm *out)
{
    int32_t off = tz_offset(tz, utc_ms);
    int64_t t = floor_div(utc_ms, 1000) + off;
    int64_t days = floor_div(t, SECS_PER_DAY);
    int64_t secs = t - days * SECS_PER_DAY;
    tz_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->wday = tz_weekday(days);
    out->offset = off;
}

int64_t tz_to_utc(const struct tz *tz, int y, int mo, int d, int h, int mi)
{
    int64_t ym = (int64_t)y * 12 + (mo - 1);
    int64_t yy = floor_div(ym, 12);
    int mm = (int)(ym - yy * 12) + 1;
    int64_t local = (tz_days_from_civil(yy, mm, 1) + d - 1) * SECS_PER_DAY + (int64_t)h * 3600 +
                    (int64_t)mi * 60;
    /* the offsets a day before and after: at most one transition lies between them */
    int32_t before = tz_offset(tz, (local - SECS_PER_DAY) * 1000);
    int32_t after = tz_offset(tz, (local + SECS_PER_DAY) * 1000);
    int64_t best = 0;
    bool found = false;
    const int32_t cand[2] = {before, after};
    for (int i = 0; i < 2; i++) {
        int64_t u = local - cand[i];
        if (tz_offset(tz, u * 1000) == cand[i] && (!found || u < best)) {
            best = u;
            found = true;
        }
    }
    if (!found) /* the gap: read it with the offset before the jump, i.e. move forward */
        best = local - before;
    return best * 1000;
}
