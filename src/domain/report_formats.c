/*
 * report_formats: the monthly review's month over month figures and its CSV (report.h). Pure.
 *
 * Month over month: a few headline figures of this month and the one before, and their change
 * (this minus previous; null when either month has no value). CSV (RFC 4180, header row): one
 * row per figure, `month,metric,value`, the metric a dotted path in the JSON (by_severity.SEV1,
 * mtta.median_ms, pages.alice.night, previous_month.incidents, ...), so a spreadsheet can pivot
 * months side by side; arrays of objects are named by their severity or user.
 */
#include "domain/report.h"

#include <stdio.h>
#include <string.h>

static json_t *get_path(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    return b ? json_object_get(v, b) : (json_t *)v;
}

static long long pages_total(const json_t *rep)
{
    long long n = 0;
    const json_t *pages = json_object_get(rep, "pages");
    for (size_t i = 0; i < json_array_size(pages); i++)
        n += json_integer_value(json_object_get(json_array_get(pages, i), "pages"));
    return n;
}

/* The headline figures of one month's report. */
static json_t *headline(const json_t *rep)
{
    const json_t *sla = json_object_get(rep, "sla");
    json_t *o = json_object();
    json_object_set_new(o, "incidents",
                        json_integer(json_integer_value(get_path(rep, "incidents", NULL))));
    json_object_set(o, "mtta_median_ms",
                    get_path(rep, "mtta", "median_ms") ? get_path(rep, "mtta", "median_ms")
                                                       : json_null());
    json_object_set(o, "mttr_median_ms",
                    get_path(rep, "mttr", "median_ms") ? get_path(rep, "mttr", "median_ms")
                                                       : json_null());
    json_object_set_new(o, "sla_breaches",
                        json_integer(json_integer_value(json_object_get(sla, "ack_breaches")) +
                                     json_integer_value(json_object_get(sla, "resolve_breaches"))));
    json_object_set_new(o, "pages", json_integer(pages_total(rep)));
    json_object_set_new(
        o, "postmortems_late",
        json_integer(json_integer_value(get_path(rep, "postmortems", "late")) +
                     json_integer_value(get_path(rep, "postmortems", "not_published"))));
    return o;
}

void report_add_previous(json_t *rep, const json_t *prev)
{
    json_t *now = headline(rep), *before = headline(prev), *change = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(now, k, v)
    {
        json_t *p = json_object_get(before, k);
        if (json_is_integer(v) && json_is_integer(p))
            json_object_set_new(change, k,
                                json_integer(json_integer_value(v) - json_integer_value(p)));
        else
            json_object_set_new(change, k, json_null());
    }
    json_object_set(before, "month", json_object_get(prev, "month"));
    json_object_set_new(rep, "previous_month", before);
    json_object_set_new(rep, "month_over_month", change);
    json_decref(now);
}

static void fmt_ms(const json_t *v, char *out, size_t n)
{
    if (!json_is_integer(v)) {
        snprintf(out, n, "-");
        return;
    }
    long long ms = json_integer_value(v), a = ms < 0 ? -ms : ms;
    snprintf(out, n, "%s%lldm%02llds", ms < 0 ? "-" : "", a / 60000, (a / 1000) % 60);
}

void report_markdown_trend(const json_t *rep, struct buf *out)
{
    const json_t *prev = json_object_get(rep, "previous_month");
    const json_t *chg = json_object_get(rep, "month_over_month");
    if (!prev)
        return;
    json_t *cur = headline(rep);
    const char *pm = json_string_value(json_object_get(prev, "month"));
    buf_printf(out,
               "\n## Month over month\n\n| Figure | %s | %s | Change |\n|---|---:|---:|---:|\n",
               json_string_value(json_object_get(rep, "month")), pm ? pm : "-");
    static const char *const rows[][2] = {{"incidents", "Incidents"},
                                          {"mtta_median_ms", "Median time to acknowledge"},
                                          {"mttr_median_ms", "Median time to resolve"},
                                          {"sla_breaches", "SLA breaches"},
                                          {"pages", "Pages"},
                                          {"postmortems_late", "Post-mortems late or missing"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *k = rows[i][0];
        char a[32], b[32], c[32];
        if (strstr(k, "_ms")) {
            fmt_ms(json_object_get(cur, k), a, sizeof a);
            fmt_ms(json_object_get(prev, k), b, sizeof b);
            fmt_ms(json_object_get(chg, k), c, sizeof c);
        } else {
            snprintf(a, sizeof a, "%lld", (long long)json_integer_value(json_object_get(cur, k)));
            snprintf(b, sizeof b, "%lld", (long long)json_integer_value(json_object_get(prev, k)));
            snprintf(c, sizeof c, "%+lld", (long long)json_integer_value(json_object_get(chg, k)));
        }
        buf_printf(out, "| %s | %s | %s | %s |\n", rows[i][1], a, b, c);
    }
    json_decref(cur);
}

/* ---- CSV ---- */

/* One CSV cell; a text that a spreadsheet would run as a formula (= + - @ first) is quoted with a
 * leading apostrophe (numbers are written as numbers: a change of -3 stays a number). */
static void csv_cell(struct buf *out, const char *s, bool text)
{
    bool formula = text && s[0] && strchr("=+-@", s[0]);
    if (!strpbrk(s, ",\"\r\n") && !formula) {
        buf_puts(out, s);
        return;
    }
    buf_puts(out, formula ? "\"'" : "\"");
    for (const char *p = s; *p; p++)
        buf_printf(out, "%s%c", *p == '"' ? "\"" : "", *p);
    buf_puts(out, "\"");
}

static void csv_walk(struct buf *out, const char *month, const char *path, const json_t *v)
{
    char sub[512], val[64];
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", k);
            csv_walk(out, month, sub, c);
        }
        return;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            const char *name = json_string_value(json_object_get(e, "severity"));
            name = name ? name : json_string_value(json_object_get(e, "user"));
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            json_t *copy = json_is_object(e) ? json_deep_copy(e) : json_incref((json_t *)e);
            if (json_is_object(copy)) {
                json_object_del(copy, "severity");
                json_object_del(copy, "user");
            }
            snprintf(sub, sizeof sub, "%s.%s", path, name ? name : idx);
            /* {severity, count}: the count is the value itself */
            const json_t *only =
                json_object_size(copy) == 1 ? json_object_get(copy, "count") : NULL;
            csv_walk(out, month, sub, only ? only : copy);
            json_decref(copy);
        }
        return;
    }
    if (json_is_null(v))
        val[0] = '\0';
    else if (json_is_integer(v))
        snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(val, sizeof val, "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_real(v))
        snprintf(val, sizeof val, "%g", json_real_value(v));
    buf_puts(out, month);
    buf_puts(out, ",");
    csv_cell(out, path, true);
    buf_puts(out, ",");
    csv_cell(out, json_is_string(v) ? json_string_value(v) : val, json_is_string(v));
    buf_puts(out, "\r\n");
}

void report_csv(const json_t *rep, struct buf *out)
{
    const char *month = json_string_value(json_object_get(rep, "month"));
    buf_puts(out, "month,metric,value\r\n");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rep, k, v)
    {
        if (strcmp(k, "month") != 0)
            csv_walk(out, month ? month : "", k, v);
    }
}
