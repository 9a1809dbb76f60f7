/*
 * web/ui_reports: the monthly review page (/ui/reports, web/ui.h), drawn from the JSON of
 * GET /api/v1/reports/monthly (docs/reports.md): a form to pick the month, the downloads, the
 * headline figures, and bar charts drawn here as inline SVG (no script, no style attribute: the
 * Content-Security-Policy allows neither; colours come from classes in web/ui/ui.css). Each chart
 * is a <figure>: the SVG (role img, named by the figcaption) scales to its box (viewBox, width
 * 100%), and a table carries the same numbers for screen readers. Pure.
 */
#include "web/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CHART_ROWS_MAX = 20, /* a chart shows the 20 largest rows; its table says so */
    CHART_W =
        420, /* the viewBox: label column, bars, value after the bar (at 375 px: ~13px text) */
    BAR_X = 145,
    BAR_MAX_W = 160,
    ROW_H = 28,
    BAR_H = 18,
    LABEL_MAX = 16, /* characters drawn; the table and the bar's title have it all */
    SEG_MAX = 3,
};

struct chart_row {
    const char *label;
    long long seg[SEG_MAX];
    char value[48]; /* what is written after the bar */
};

struct chart {
    const char *id, *caption, *label_head;
    int nseg;
    const char *seg_name[SEG_MAX]; /* table columns and the legend */
    const char *seg_class[SEG_MAX];
    struct chart_row *rows;
    size_t n;
};

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static long long jint(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* At most LABEL_MAX characters of s, cut at a UTF-8 boundary, an ellipsis when cut. */
static void short_label(const char *s, char *out, size_t n)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < LABEL_MAX) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    snprintf(out, n, "%.*s%s", (int)i, s, s[i] ? "\xE2\x80\xA6" : "");
}

static const char *num_text(long long v, char *out)
{
    snprintf(out, 32, "%lld", v);
    return out;
}
/* ` name="123"` (name a string literal, as html_attr wants). */
#define num_attr(h, name, v) html_attr((h), name, num_text((v), (char[32]){0}))

static long long row_total(const struct chart *c, const struct chart_row *r)
{
    long long t = 0;
    for (int k = 0; k < c->nseg; k++)
        t += r->seg[k] > 0 ? r->seg[k] : 0;
    return t;
}

static void chart_table(struct html *h, const struct chart *c)
{
    html_markup(h, "<div class=\"sr\"><table><caption>");
    html_text(h, c->caption);
    html_markup(h, "</caption><thead><tr><th scope=\"col\">");
    html_text(h, c->label_head);
    html_markup(h, "</th>");
    for (int k = 0; k < c->nseg; k++) {
        html_markup(h, "<th scope=\"col\">");
        html_text(h, c->seg_name[k]);
        html_markup(h, "</th>");
    }
    html_markup(h, "</tr></thead><tbody>");
    for (size_t i = 0; i < c->n; i++) {
        const struct chart_row *r = &c->rows[i];
        html_markup(h, "<tr><th scope=\"row\">");
        html_text(h, r->label);
        html_markup(h, "</th>");
        for (int k = 0; k < c->nseg; k++) {
            html_markup(h, "<td>");
            if (c->nseg == 1)
                html_text(h, r->value);
            else
                html_textf(h, "%lld", r->seg[k]);
            html_markup(h, "</td>");
        }
        html_markup(h, "</tr>");
    }
    html_markup(h, "</tbody></table></div>");
}

/* Horizontal bars, one row per label; with several segments, stacked in their order. */
static void chart_draw(struct html *h, const struct chart *c)
{
    long long max = 0;
    for (size_t i = 0; i < c->n; i++)
        if (row_total(c, &c->rows[i]) > max)
            max = row_total(c, &c->rows[i]);
    char cap_id[64];
    snprintf(cap_id, sizeof cap_id, "%s-caption", c->id);
    html_markup(h, "<figure class=\"chart\"");
    html_attr(h, "id", c->id);
    html_markup(h, "><figcaption");
    html_attr(h, "id", cap_id);
    html_markup(h, ">");
    html_text(h, c->caption);
    html_markup(h, "</figcaption>");
    if (c->nseg > 1) {
        html_markup(h, "<p class=\"legend\" aria-hidden=\"true\">");
        for (int k = 0; k < c->nseg; k++) {
            html_markup(h, "<span class=\"key ");
            html_text(h, c->seg_class[k]);
            html_markup(h, "\"></span>");
            html_text(h, c->seg_name[k]);
            html_markup(h, " ");
        }
        html_markup(h, "</p>");
    }
    if (c->n == 0) {
        html_markup(h, "<p class=\"muted\">None this month.</p></figure>");
        return;
    }
    html_markup(h, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" "
                   "preserveAspectRatio=\"xMinYMin meet\" role=\"img\"");
    char box[64];
    snprintf(box, sizeof box, "0 0 %d %zu", CHART_W, c->n * ROW_H + 4);
    html_attr(h, "viewBox", box);
    html_attr(h, "aria-labelledby", cap_id);
    html_markup(h, ">");
    for (size_t i = 0; i < c->n; i++) {
        const struct chart_row *r = &c->rows[i];
        long long y = (long long)i * ROW_H + 2;
        char label[LABEL_MAX * 4 + 8];
        short_label(r->label, label, sizeof label);
        html_markup(h, "<text class=\"label\" x=\"0\"");
        num_attr(h, "y", y + BAR_H - 4);
        html_markup(h, ">");
        html_text(h, label);
        html_markup(h, "</text>");
        long long x = BAR_X;
        for (int k = 0; k < c->nseg; k++) {
            long long w = max > 0 && r->seg[k] > 0 ? r->seg[k] * BAR_MAX_W / max : 0;
            if (r->seg[k] > 0 && w < 2)
                w = 2; /* a non-zero value stays visible */
            html_markup(h, "<rect class=\"bar ");
            html_text(h, c->seg_class[k]);
            html_markup(h, "\"");
            num_attr(h, "x", x);
            num_attr(h, "y", y);
            num_attr(h, "width", w);
            num_attr(h, "height", BAR_H);
            html_markup(h, "><title>");
            html_text(h, r->label);
            if (c->nseg > 1) {
                html_markup(h, ", ");
                html_text(h, c->seg_name[k]);
                html_textf(h, ": %lld", r->seg[k]);
            } else {
                html_markup(h, ": ");
                html_text(h, r->value);
            }
            html_markup(h, "</title></rect>");
            x += w;
        }
        html_markup(h, "<text class=\"value\"");
        num_attr(h, "x", x + 6);
        num_attr(h, "y", y + BAR_H - 4);
        html_markup(h, ">");
        html_text(h, r->value);
        html_markup(h, "</text>");
    }
    html_markup(h, "</svg>");
    chart_table(h, c);
    html_markup(h, "</figure>");
}

static int cmp_rows(const void *a, const void *b)
{
    const struct chart_row *x = a, *y = b;
    long long tx = x->seg[0] + x->seg[1] + x->seg[2], ty = y->seg[0] + y->seg[1] + y->seg[2];
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(x->label, y->label);
}

/* Keeps the largest CHART_ROWS_MAX rows (sorted, largest first, when `sort`). */
static void finish_rows(struct chart *c, bool sort)
{
    if (sort)
        qsort(c->rows, c->n, sizeof *c->rows, cmp_rows);
    if (c->n > CHART_ROWS_MAX)
        c->n = CHART_ROWS_MAX;
}

static void count_value(struct chart_row *r)
{
    snprintf(r->value, sizeof r->value, "%lld", r->seg[0] + r->seg[1] + r->seg[2]);
}

static void by_severity(struct html *h, const json_t *rep)
{
    const json_t *arr = json_object_get(rep, "by_severity");
    size_t n = json_array_size(arr);
    struct chart_row *rows = calloc(n ? n : 1, sizeof *rows);
    struct chart c = {.id = "chart-severity",
                      .caption = "Incidents by severity",
                      .label_head = "Severity",
                      .nseg = 1,
                      .seg_name = {"Incidents"},
                      .seg_class = {"s0"},
                      .rows = rows};
    for (size_t i = 0; i < n && rows; i++) {
        const json_t *o = json_array_get(arr, i);
        rows[c.n].label = jstr(o, "severity") ? jstr(o, "severity") : "-";
        rows[c.n].seg[0] = jint(o, "count");
        count_value(&rows[c.n]);
        c.n++;
    }
    finish_rows(&c, false); /* the config's order: most severe first */
    chart_draw(h, &c);
    free(rows);
}

static void by_service(struct html *h, const json_t *rep)
{
    const json_t *obj = json_object_get(rep, "by_service");
    size_t n = json_object_size(obj);
    struct chart_row *rows = calloc(n ? n : 1, sizeof *rows);
    struct chart c = {.id = "chart-service",
                      .caption = "Incidents by service",
                      .label_head = "Service",
                      .nseg = 1,
                      .seg_name = {"Incidents"},
                      .seg_class = {"s1"},
                      .rows = rows};
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        if (!rows)
            break;
        rows[c.n].label = key;
        rows[c.n].seg[0] = (long long)json_integer_value(val);
        count_value(&rows[c.n]);
        c.n++;
    }
    size_t all = c.n;
    finish_rows(&c, true);
    chart_draw(h, &c);
    if (all > c.n) {
        html_markup(h, "<p class=\"muted\">");
        html_textf(h, "The %zu services with most incidents of %zu.", c.n, all);
        html_markup(h, "</p>");
    }
    free(rows);
}

/* MTTA and MTTR medians, the previous month's and this one's. */
static void month_over_month(struct html *h, const json_t *rep)
{
    const json_t *prev = json_object_get(rep, "previous_month");
    if (!json_is_object(prev))
        return;
    struct chart_row rows[4] = {{0}};
    const char *pm = jstr(prev, "month") ? jstr(prev, "month") : "previous";
    const char *tm = jstr(rep, "month") ? jstr(rep, "month") : "this month";
    const json_t *vals[4] = {
        json_object_get(prev, "mtta_median_ms"),
        json_object_get(json_object_get(rep, "mtta"), "median_ms"),
        json_object_get(prev, "mttr_median_ms"),
        json_object_get(json_object_get(rep, "mttr"), "median_ms"),
    };
    struct chart c = {.id = "chart-trend",
                      .caption = "Median time to acknowledge and to resolve, month over month",
                      .label_head = "Month",
                      .nseg = 1,
                      .seg_name = {"Median"},
                      .seg_class = {"s2"},
                      .rows = rows,
                      .n = 4};
    char lab[4][48];
    for (int i = 0; i < 4; i++) {
        snprintf(lab[i], sizeof lab[i], "%s %.20s", i < 2 ? "MTTA" : "MTTR", i % 2 ? tm : pm);
        rows[i].label = lab[i];
        if (json_is_integer(vals[i])) {
            rows[i].seg[0] = (long long)json_integer_value(vals[i]);
            ui_span(rows[i].seg[0], rows[i].value, sizeof rows[i].value);
        } else {
            snprintf(rows[i].value, sizeof rows[i].value, "none");
        }
    }
    chart_draw(h, &c);
}

static void pages_chart(struct html *h, const json_t *rep)
{
    const json_t *arr = json_object_get(rep, "pages");
    size_t n = json_array_size(arr);
    struct chart_row *rows = calloc(n ? n : 1, sizeof *rows);
    struct chart c = {.id = "chart-pages",
                      .caption = "Pages per person, at night and off hours",
                      .label_head = "Person",
                      .nseg = 3,
                      .seg_name = {"At night", "Off hours (not at night)", "Working hours"},
                      .seg_class = {"night", "off", "day"},
                      .rows = rows};
    for (size_t i = 0; i < n && rows; i++) {
        const json_t *o = json_array_get(arr, i);
        long long pages = jint(o, "pages"), off = jint(o, "off_hours"), night = jint(o, "night");
        struct chart_row *r = &rows[c.n++];
        r->label = jstr(o, "user") ? jstr(o, "user") : "-";
        r->seg[0] = night;
        r->seg[1] = off - night > 0 ? off - night : 0;
        r->seg[2] = pages - r->seg[0] - r->seg[1] > 0 ? pages - r->seg[0] - r->seg[1] : 0;
        snprintf(r->value, sizeof r->value, "%lld (%lld night)", pages, night);
    }
    finish_rows(&c, true);
    chart_draw(h, &c);
    free(rows);
}

static void noise_chart(struct html *h, const json_t *rep)
{
    const json_t *arr = json_object_get(json_object_get(rep, "alert_noise"), "noisiest");
    size_t n = json_array_size(arr);
    struct chart_row *rows = calloc(n ? n : 1, sizeof *rows);
    struct chart c = {.id = "chart-noise",
                      .caption = "Noisiest alert sources",
                      .label_head = "Source",
                      .nseg = 1,
                      .seg_name = {"Alerts"},
                      .seg_class = {"s3"},
                      .rows = rows};
    for (size_t i = 0; i < n && rows; i++) {
        const json_t *o = json_array_get(arr, i);
        struct chart_row *r = &rows[c.n++];
        r->label = jstr(o, "source") ? jstr(o, "source") : "-";
        r->seg[0] = jint(o, "alerts");
        snprintf(r->value, sizeof r->value, "%lld alerts", r->seg[0]);
    }
    finish_rows(&c, false); /* the API's order: most alerts first */
    chart_draw(h, &c);
    free(rows);
}

static void figure(struct html *h, const char *id, const char *label, const char *value,
                   const char *detail)
{
    html_markup(h, "<li class=\"clock\"");
    html_attr(h, "id", id);
    html_markup(h, "><span class=\"label\">");
    html_text(h, label);
    html_markup(h, "</span><span class=\"count\">");
    html_text(h, value);
    html_markup(h, "</span>");
    if (detail && *detail) {
        html_markup(h, " <small>");
        html_text(h, detail);
        html_markup(h, "</small>");
    }
    html_markup(h, "</li>");
}

static void stat_figure(struct html *h, const json_t *rep, const char *key, const char *label)
{
    const json_t *s = json_object_get(rep, key);
    char value[96], detail[64], id[32];
    snprintf(value, sizeof value, "%s / %s", jstr(s, "median") ? jstr(s, "median") : "-",
             jstr(s, "p90") ? jstr(s, "p90") : "-");
    snprintf(detail, sizeof detail, "median / p90, %lld incidents", jint(s, "count"));
    snprintf(id, sizeof id, "fig-%s", key);
    figure(h, id, label, value, detail);
}

/* "93% (14 of 15)", or "-" when nothing was scored. */
static void share(char *out, size_t n, long long good, long long of)
{
    if (of <= 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%lld%% (%lld of %lld)", good * 100 / of, good, of);
}

static void headline(struct html *h, const json_t *rep)
{
    char value[96], detail[128];
    html_markup(h, "<section class=\"card\"><h2>Figures</h2><ul class=\"clocks\" id=\"figures\">");
    snprintf(value, sizeof value, "%lld", jint(rep, "incidents"));
    snprintf(detail, sizeof detail, "%lld still open, %lld drills left out",
             jint(rep, "still_open"), jint(rep, "drills_excluded"));
    figure(h, "fig-incidents", "Incidents", value, detail);
    stat_figure(h, rep, "mttd", "Time to detect");
    stat_figure(h, rep, "mtta", "Time to acknowledge");
    stat_figure(h, rep, "mttr", "Time to resolve");
    const json_t *sla = json_object_get(rep, "sla");
    long long as = jint(sla, "ack_scored"), rs = jint(sla, "resolve_scored");
    share(value, sizeof value, as - jint(sla, "ack_breaches"), as);
    figure(h, "fig-ack-sla", "Acknowledged within SLA", value, NULL);
    share(value, sizeof value, rs - jint(sla, "resolve_breaches"), rs);
    figure(h, "fig-resolve-sla", "Resolved within SLA", value, NULL);
    const json_t *cad = json_object_get(rep, "update_cadence");
    share(value, sizeof value, jint(cad, "on_time"), jint(cad, "intervals"));
    snprintf(detail, sizeof detail, "update intervals on time, %lld incidents",
             jint(cad, "incidents"));
    figure(h, "fig-cadence", "Update cadence", value, detail);
    const json_t *pm = json_object_get(rep, "postmortems");
    share(value, sizeof value, jint(pm, "on_time"), jint(pm, "required"));
    snprintf(detail, sizeof detail, "%lld late, %lld not published", jint(pm, "late"),
             jint(pm, "not_published"));
    figure(h, "fig-postmortems", "Post-mortems on time", value, detail);
    const json_t *act = json_object_get(rep, "actions");
    snprintf(value, sizeof value, "%lld opened, %lld closed", jint(act, "opened"),
             jint(act, "closed"));
    snprintf(detail, sizeof detail, "%lld overdue at the month's end", jint(act, "overdue"));
    figure(h, "fig-actions", "Action items", value, detail);
    html_markup(h, "</ul></section>");
}

static void month_form(struct html *h, const char *month)
{
    html_markup(h, "<form method=\"get\" action=\"/ui/reports\" class=\"filters\"><label "
                   "for=\"report-month\">Month (YYYY-MM)<input id=\"report-month\" "
                   "name=\"month\" type=\"month\" pattern=\"[0-9]{4}-[0-9]{2}\"");
    html_attr(h, "value", month);
    html_markup(h, "></label><button type=\"submit\">Show</button></form><p "
                   "class=\"downloads\">Download: ");
    static const char *const formats[][2] = {
        {"markdown", "Markdown"}, {"csv", "CSV"}, {"json", "JSON"}};
    for (size_t i = 0; i < 3; i++) {
        char url[128];
        snprintf(url, sizeof url, "/ui/reports/download?month=%.7s&format=%s", month,
                 formats[i][0]);
        if (i)
            html_markup(h, " &middot; ");
        html_markup(h, "<a");
        html_url_attr(h, "href", url);
        html_markup(h, ">");
        html_text(h, formats[i][1]);
        html_markup(h, "</a>");
    }
    html_markup(h, "</p>");
}

void ui_render_report(struct html *h, const struct ui_view *v, const json_t *rep,
                      const struct config *cfg)
{
    (void)cfg;
    const char *month = jstr(rep, "month") ? jstr(rep, "month") : "";
    char title[64];
    snprintf(title, sizeof title, "Monthly review %.16s", month);
    ui_page_begin(h, v, title);
    html_markup(h, "<h1>");
    html_text(h, title);
    html_markup(h, "</h1><p class=\"muted\">");
    html_text(h, jstr(rep, "timezone") ? jstr(rep, "timezone") : "UTC");
    if (!json_is_true(json_object_get(rep, "complete")))
        html_markup(h, " &middot; the month is not over: figures so far");
    html_markup(h, "</p>");
    month_form(h, month);
    headline(h, rep);
    html_markup(h, "<section class=\"card charts\"><h2>Charts</h2>");
    by_severity(h, rep);
    by_service(h, rep);
    month_over_month(h, rep);
    pages_chart(h, rep);
    noise_chart(h, rep);
    html_markup(h, "</section>");
    ui_page_end(h, v);
}
