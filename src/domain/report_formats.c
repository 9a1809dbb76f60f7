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
    json_object_set(o, "mttd_median_ms",
                    get_path(rep, "mttd", "median_ms") ? get_path(rep, "mttd", "median_ms")
                                                       : json_null());
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
    json_object_set_new(o, "alerts",
                        json_integer(json_integer_value(get_path(rep, "alert_noise", "alerts"))));
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
                                          {"mttd_median_ms", "Median time to detect"},
                                          {"mtta_median_ms", "Median time to acknowledge"},
                                          {"mttr_median_ms", "Median time to resolve"},
                                          {"sla_breaches", "SLA breaches"},
                                          {"pages", "Pages"},
                                          {"alerts", "Alerts"},
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
            name = name ? name : json_string_value(json_object_get(e, "source"));
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            json_t *copy = json_is_object(e) ? json_deep_copy(e) : json_incref((json_t *)e);
            if (json_is_object(copy)) {
                json_object_del(copy, "severity");
                json_object_del(copy, "user");
                if (json_object_get(copy, "source")) { /* named by it: service and name said */
                    json_object_del(copy, "source");
                    json_object_del(copy, "service");
                    json_object_del(copy, "name");
                }
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

/* ---- Markdown: update cadence and alert noise ---- */

static long long int_of(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static void md_noise_rows(struct buf *out, const json_t *rows, const char *a, const char *b)
{
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        buf_printf(out, "| %s | %s | %lld | %lld |\n",
                   json_string_value(json_object_get(row, "service")),
                   json_string_value(json_object_get(row, "name")), int_of(row, a), int_of(row, b));
    }
}

void report_markdown_cadence_noise(const json_t *rep, struct buf *out)
{
    const json_t *c = json_object_get(rep, "update_cadence");
    buf_puts(out, "\n## Update cadence\n\n");
    if (!int_of(c, "intervals"))
        buf_puts(out, "No incident stayed open a whole update interval of its severity.\n");
    else
        buf_printf(out,
                   "%lld%% of update intervals had an update on time (%lld of %lld, over %lld "
                   "incident%s).\n",
                   int_of(c, "share_percent"), int_of(c, "on_time"), int_of(c, "intervals"),
                   int_of(c, "incidents"), int_of(c, "incidents") == 1 ? "" : "s");
    const json_t *n = json_object_get(rep, "alert_noise");
    const json_t *per = json_object_get(n, "alerts_per_incident");
    buf_printf(out, "\n## Alert noise\n\n%lld alert%s this month; ", int_of(n, "alerts"),
               int_of(n, "alerts") == 1 ? "" : "s");
    if (json_is_number(per))
        buf_printf(out, "%.2f per incident", json_number_value(per));
    else
        buf_puts(out, "no incidents");
    buf_printf(out, "; %lld incident%s opened by alerts resolved without action.\n",
               int_of(n, "incidents_resolved_without_action"),
               int_of(n, "incidents_resolved_without_action") == 1 ? "" : "s");
    const json_t *top = json_object_get(n, "noisiest"), *flap = json_object_get(n, "flapping");
    if (json_array_size(top)) {
        buf_puts(out, "\nNoisiest sources:\n\n| Service | Alert | Alerts | Incidents |\n"
                      "|---|---|---:|---:|\n");
        md_noise_rows(out, top, "alerts", "incidents");
    }
    if (json_array_size(flap)) {
        buf_puts(out, "\nFlapping (fired again after resolving, 3 times or more):\n\n"
                      "| Service | Alert | Fired | Resolved |\n|---|---|---:|---:|\n");
        md_noise_rows(out, flap, "fires", "resolved");
    } else {
        buf_puts(out, "\nNo flapping alerts.\n");
    }
}
