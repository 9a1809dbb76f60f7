/* report: see report.h. */
#include "domain/report.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { WORK_START_HOUR = 9, WORK_END_HOUR = 18, NIGHT_START_HOUR = 22, NIGHT_END_HOUR = 7 };
/* An alert (scope and dedup key) first seen this many times in the month flaps: each time after
 * the previous one resolved. The noisiest sources and the flapping alerts listed, at most. */
enum { FLAP_MIN_FIRES = 3, NOISIEST_MAX = 5, FLAPPING_MAX = 10 };

struct durations {
    int64_t *v;
    size_t n, cap;
};

struct report {
    const struct config *cfg;
    const struct tz *tz;
    int year, month;
    int64_t start, end, now;
    int incidents, drills, open, ack_breaches, resolve_breaches, ack_scored, resolve_scored;
    json_t *by_severity, *by_service, *by_type, *pages;
    struct durations ack, resolve;
    int pm_required, pm_published, pm_on_time, pm_late, pm_missing;
    int act_opened, act_closed, act_overdue;
    struct durations detect;
    int alerts_on_incidents, incidents_with_alerts, resolved_without_action;
    int cad_incidents, cad_intervals, cad_on_time;
    int alerts_month;
    json_t *drill_ids; /* {incident id: true} for every drill seen */
    json_t *series;    /* "scope\x1fdedup_key" -> {service, name, fires, resolved} */
    json_t *sources;   /* "service\x1fname" -> {service, name, alerts, incidents: {id: true}} */
};

int report_parse_month(const char *s, int *year, int *month)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return -1;
    *year = atoi(s);
    *month = atoi(s + 5);
    return *month >= 1 && *month <= 12 && *year >= 1970 ? 0 : -1;
}

void report_month_bounds(const struct tz *tz, int year, int month, int64_t *start, int64_t *end)
{
    *start = tz_to_utc(tz, year, month, 1, 0, 0);
    *end =
        month == 12 ? tz_to_utc(tz, year + 1, 1, 1, 0, 0) : tz_to_utc(tz, year, month + 1, 1, 0, 0);
}

void report_previous_month(const struct tz *tz, int64_t now, int *year, int *month)
{
    struct tz_tm t;
    tz_local(tz, now, &t);
    *year = t.month == 1 ? t.year - 1 : t.year;
    *month = t.month == 1 ? 12 : t.month - 1;
}

struct report *report_new(const struct config *cfg, const struct tz *tz, int year, int month,
                          int64_t now)
{
    struct report *r = xcalloc(1, sizeof *r);
    r->cfg = cfg;
    r->tz = tz;
    r->year = year;
    r->month = month;
    r->now = now;
    report_month_bounds(tz, year, month, &r->start, &r->end);
    r->by_severity = json_object();
    r->by_service = json_object();
    r->by_type = json_object();
    r->pages = json_object();
    r->drill_ids = json_object();
    r->series = json_object();
    r->sources = json_object();
    return r;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    json_decref(r->by_severity);
    json_decref(r->by_service);
    json_decref(r->by_type);
    json_decref(r->pages);
    json_decref(r->drill_ids);
    json_decref(r->series);
    json_decref(r->sources);
    free(r->detect.v);
    free(r->ack.v);
    free(r->resolve.v);
    free(r);
}

static void count(json_t *o, const char *key)
{
    key = key ? key : "(none)";
    json_int_t n = json_integer_value(json_object_get(o, key));
    json_object_set_new(o, key, json_integer(n + 1));
}

static void durations_add(struct durations *d, int64_t v)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = xrealloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = v;
}

/* Whether the clock (target, -1: none) from created was breached by `done` (0: not yet). */
static int breach(int64_t created, int64_t done, int64_t target, int64_t now, bool *scored)
{
    *scored = target >= 0;
    if (target < 0)
        return 0;
    return done ? done - created > target : now - created > target;
}

bool report_add_incident(struct report *r, const struct incident *inc)
{
    if (inc->drill)
        json_object_set_new(r->drill_ids, inc->id, json_true());
    if (inc->created_at < r->start || inc->created_at >= r->end)
        return false;
    if (inc->drill) {
        r->drills++;
        return false;
    }
    r->incidents++;
    count(r->by_severity, inc->severity);
    count(r->by_service, inc->service);
    count(r->by_type, inc->type);
    if (incident_status_is_open(inc->status))
        r->open++;
    if (inc->acknowledged_at)
        durations_add(&r->ack, inc->acknowledged_at - inc->created_at);
    if (inc->resolved_at)
        durations_add(&r->resolve, inc->resolved_at - inc->created_at);
    const struct config_severity *sev = config_severity_find(r->cfg, inc->severity);
    bool scored;
    r->ack_breaches +=
        breach(inc->created_at, inc->acknowledged_at, sev ? sev->ack_within : -1, r->now, &scored);
    r->ack_scored += scored;
    r->resolve_breaches +=
        breach(inc->created_at, inc->resolved_at, sev ? sev->resolve_within : -1, r->now, &scored);
    r->resolve_scored += scored;
    return true;
}

void report_add_page(struct report *r, const char *user, int64_t at)
{
    const struct config_user *u = config_user_find(r->cfg, user);
    const struct tz *tz = u && u->timezone && tz_get(u->timezone) ? tz_get(u->timezone) : r->tz;
    struct tz_tm t;
    tz_local(tz, at, &t);
    bool weekend = t.wday >= 5;
    bool off = weekend || t.hour < WORK_START_HOUR || t.hour >= WORK_END_HOUR;
    bool night = t.hour >= NIGHT_START_HOUR || t.hour < NIGHT_END_HOUR;
    json_t *p = json_object_get(r->pages, user);
    if (!p) {
        p = json_pack("{s:i,s:i,s:i}", "pages", 0, "off_hours", 0, "night", 0);
        json_object_set_new(r->pages, user, p);
    }
    json_object_set_new(p, "pages",
                        json_integer(json_integer_value(json_object_get(p, "pages")) + 1));
    if (off)
        json_object_set_new(p, "off_hours",
                            json_integer(json_integer_value(json_object_get(p, "off_hours")) + 1));
    if (night)
        json_object_set_new(p, "night",
                            json_integer(json_integer_value(json_object_get(p, "night")) + 1));
}

void report_add_postmortem(struct report *r, const struct postmortem *pm)
{
    if (pm && !pm->required)
        return;
    r->pm_required++;
    if (pm && pm->state == PM_PUBLISHED) {
        r->pm_published++;
        if (!pm->due_at || pm->published_at <= pm->due_at)
            r->pm_on_time++;
        else
            r->pm_late++;
    } else {
        r->pm_missing++;
    }
}

void report_add_action(struct report *r, const struct action_item *a)
{
    int64_t cut = r->end < r->now ? r->end : r->now;
    if (a->created_at >= r->start && a->created_at < r->end)
        r->act_opened++;
    if (a->status == ACTION_DONE && a->done_at >= r->start && a->done_at < r->end)
        r->act_closed++;
    if (a->due_at && a->due_at < cut && a->created_at < cut &&
        (a->status == ACTION_OPEN || a->done_at > cut))
        r->act_overdue++;
}

void report_add_detection(struct report *r, const struct incident *inc, int64_t first_alert_start,
                          int alerts)
{
    if (first_alert_start > 0 && inc->created_at >= first_alert_start)
        durations_add(&r->detect, inc->created_at - first_alert_start);
    r->alerts_on_incidents += alerts;
    r->incidents_with_alerts += alerts > 0;
    /* Resolved straight from triggered (the resolution is its implied ack): nobody acted. */
    if (alerts > 0 && inc->resolved_at && inc->acknowledged_at == inc->resolved_at)
        r->resolved_without_action++;
}

void report_add_cadence(struct report *r, const struct incident *inc, int64_t update_every,
                        const int64_t *updates, size_t n)
{
    if (update_every <= 0)
        return;
    int64_t end = inc->resolved_at ? inc->resolved_at : r->now;
    int64_t intervals = end > inc->created_at ? (end - inc->created_at) / update_every : 0;
    if (intervals <= 0)
        return;
    r->cad_incidents++;
    for (int64_t k = 0; k < intervals; k++) {
        int64_t from = inc->created_at + k * update_every, to = from + update_every;
        bool on_time = false;
        for (size_t i = 0; i < n && !on_time; i++)
            on_time = updates[i] >= from && updates[i] <= to;
        r->cad_intervals++;
        r->cad_on_time += on_time;
    }
}

int64_t report_alert_start(const struct alert *a)
{
    json_t *d = a->details ? json_loads(a->details, 0, NULL) : NULL;
    const char *s = json_string_value(json_object_get(d, "startsAt"));
    s = s ? s : json_string_value(json_object_get(d, "timestamp"));
    int64_t ms = 0;
    if (!s || time_parse_rfc3339(s, &ms) != 0 || ms <= 0)
        ms = 0; /* Alertmanager's "0001-01-01T00:00:00Z": unknown */
    json_decref(d);
    return ms;
}

bool report_is_update(const char *kind, const char *data_json)
{
    if (strcmp(kind, "incident.note_added") == 0)
        return true;
    json_t *d = data_json ? json_loads(data_json, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(d, "message"));
    bool status_change = strncmp(kind, "incident.", 9) == 0 && json_object_get(d, "to");
    bool yes = json_is_true(json_object_get(d, "public")) || (status_change && msg && *msg);
    json_decref(d);
    return yes;
}

static json_int_t bump(json_t *o, const char *k, json_int_t by)
{
    json_int_t n = json_integer_value(json_object_get(o, k)) + by;
    json_object_set_new(o, k, json_integer(n));
    return n;
}

void report_add_alert(struct report *r, const struct alert *a)
{
    if (a->first_seen < r->start || a->first_seen >= r->end)
        return;
    if (alert_is_drill(a) || (a->incident_id && json_object_get(r->drill_ids, a->incident_id)))
        return; /* a drill's alerts are not noise */
    r->alerts_month++;
    json_t *labels = a->labels ? json_loads(a->labels, 0, NULL) : NULL;
    const char *name = json_string_value(json_object_get(labels, "alertname"));
    name = name ? name : a->source ? a->source : a->summary ? a->summary : "(unnamed)";
    const char *service = a->service ? a->service : "(none)";
    struct buf key;
    buf_init(&key, 16384);
    buf_printf(&key, "%s\x1f%s", service, name);
    json_t *src = json_object_get(r->sources, key.data ? key.data : "");
    if (!src) {
        src = json_pack("{s:s,s:s,s:i,s:o}", "service", service, "name", name, "alerts", 0,
                        "incidents", json_object());
        json_object_set_new(r->sources, key.data ? key.data : "", src);
    }
    bump(src, "alerts", 1);
    if (a->incident_id)
        json_object_set_new(json_object_get(src, "incidents"), a->incident_id, json_true());
    buf_free(&key);
    buf_init(&key, 16384);
    buf_printf(&key, "%s\x1f%s", a->scope ? a->scope : "", a->dedup_key ? a->dedup_key : "");
    json_t *ser = json_object_get(r->series, key.data ? key.data : "");
    if (!ser) {
        ser = json_pack("{s:s,s:s,s:i,s:i}", "service", service, "name", name, "fires", 0,
                        "resolved", 0);
        json_object_set_new(r->series, key.data ? key.data : "", ser);
    }
    bump(ser, "fires", 1);
    if (a->resolved_at >= r->start && a->resolved_at < r->end)
        bump(ser, "resolved", 1);
    buf_free(&key);
    json_decref(labels);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* {count, median_ms, p90_ms, median, p90}: nearest rank (the ceil(p*n)-th smallest). */
static json_t *stats(struct durations *d)
{
    json_t *o = json_pack("{s:i}", "count", (int)d->n);
    if (!d->n) {
        json_object_set_new(o, "median_ms", json_null());
        json_object_set_new(o, "p90_ms", json_null());
        json_object_set_new(o, "median", json_null());
        json_object_set_new(o, "p90", json_null());
        return o;
    }
    qsort(d->v, d->n, sizeof *d->v, cmp_i64);
    size_t i50 = (d->n * 50 + 99) / 100, i90 = (d->n * 90 + 99) / 100;
    int64_t med = d->v[i50 ? i50 - 1 : 0], p90 = d->v[i90 ? i90 - 1 : 0];
    char buf[64];
    json_object_set_new(o, "median_ms", json_integer(med));
    json_object_set_new(o, "p90_ms", json_integer(p90));
    time_format_duration(med / 1000 * 1000, buf, sizeof buf);
    json_object_set_new(o, "median", json_string(buf));
    time_format_duration(p90 / 1000 * 1000, buf, sizeof buf);
    json_object_set_new(o, "p90", json_string(buf));
    return o;
}

/* Sorting the noise lists: by `by` descending, then service and name ascending. */
static int cmp_noise_by(const void *a, const void *b, const char *by)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t nx = json_integer_value(json_object_get(x, by));
    json_int_t ny = json_integer_value(json_object_get(y, by));
    if (nx != ny)
        return nx > ny ? -1 : 1;
    int c = strcmp(json_string_value(json_object_get(x, "service")),
                   json_string_value(json_object_get(y, "service")));
    return c ? c
             : strcmp(json_string_value(json_object_get(x, "name")),
                      json_string_value(json_object_get(y, "name")));
}

static int cmp_fires(const void *a, const void *b)
{
    return cmp_noise_by(a, b, "fires");
}

static int cmp_alerts(const void *a, const void *b)
{
    return cmp_noise_by(a, b, "alerts");
}

/* The rows of obj whose `by` is at least min, sorted, at most max, each with a `source`
 * ("service/name") and `incidents` as a count. */
static json_t *top_rows(json_t *obj, const char *by, json_int_t min, size_t max)
{
    size_t n = 0, cap = json_object_size(obj);
    json_t **rows = xcalloc(cap ? cap : 1, sizeof *rows);
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (json_integer_value(json_object_get(v, by)) >= min)
            rows[n++] = v;
    }
    qsort(rows, n, sizeof *rows, strcmp(by, "fires") == 0 ? cmp_fires : cmp_alerts);
    json_t *arr = json_array();
    for (size_t i = 0; i < n && i < max; i++) {
        json_t *row = json_deep_copy(rows[i]);
        json_t *inc = json_object_get(row, "incidents");
        if (inc)
            json_object_set_new(row, "incidents", json_integer((json_int_t)json_object_size(inc)));
        json_object_set_new(row, "source",
                            json_sprintf("%s/%s",
                                         json_string_value(json_object_get(row, "service")),
                                         json_string_value(json_object_get(row, "name"))));
        json_array_append_new(arr, row);
    }
    free(rows);
    return arr;
}

static json_t *noise_json(const struct report *r)
{
    json_t *o = json_pack("{s:i,s:i,s:i,s:i}", "alerts", r->alerts_month, "alerts_on_incidents",
                          r->alerts_on_incidents, "incidents_with_alerts", r->incidents_with_alerts,
                          "incidents_resolved_without_action", r->resolved_without_action);
    json_object_set_new(
        o, "alerts_per_incident",
        r->incidents ? json_real((double)(r->alerts_on_incidents * 100 / r->incidents) / 100.0)
                     : json_null());
    json_object_set_new(o, "flapping", top_rows(r->series, "fires", FLAP_MIN_FIRES, FLAPPING_MAX));
    json_object_set_new(o, "noisiest", top_rows(r->sources, "alerts", 1, NOISIEST_MAX));
    return o;
}

static json_t *cadence_json(const struct report *r)
{
    json_t *o = json_pack("{s:i,s:i,s:i}", "incidents", r->cad_incidents, "intervals",
                          r->cad_intervals, "on_time", r->cad_on_time);
    json_object_set_new(o, "share_percent",
                        r->cad_intervals ? json_integer(r->cad_on_time * 100 / r->cad_intervals)
                                         : json_null());
    return o;
}

json_t *report_json(const struct report *r)
{
    char month[16], start[RFC3339_LEN], end[RFC3339_LEN];
    snprintf(month, sizeof month, "%04d-%02d", r->year, r->month);
    time_format_rfc3339(r->start, start);
    time_format_rfc3339(r->end, end);
    json_t *sev = json_array();
    for (size_t i = 0; i < r->cfg->severity_count; i++) {
        const char *id = r->cfg->severities[i].id;
        json_array_append_new(sev,
                              json_pack("{s:s,s:I}", "severity", id, "count",
                                        json_integer_value(json_object_get(r->by_severity, id))));
    }
    /* stats sorts the arrays in place */
    struct durations ack = r->ack, res = r->resolve, det = r->detect;
    json_t *pages = json_array();
    const char *user;
    json_t *p;
    json_object_foreach(r->pages, user, p)
    {
        json_t *row = json_deep_copy(p);
        json_object_set_new(row, "user", json_string(user));
        json_array_append_new(pages, row);
    }
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:i,s:i,s:o,s:O,s:O}", "month", month, "timezone",
                  tz_name(r->tz), "start", start, "end", end, "complete", r->end <= r->now,
                  "incidents", r->incidents, "drills_excluded", r->drills, "still_open", r->open,
                  "by_severity", sev, "by_service", r->by_service, "by_type", r->by_type);
    json_object_set_new(o, "mttd", stats(&det));
    json_object_set_new(o, "mtta", stats(&ack));
    json_object_set_new(o, "mttr", stats(&res));
    json_object_set_new(o, "sla",
                        json_pack("{s:i,s:i,s:i,s:i}", "ack_scored", r->ack_scored, "ack_breaches",
                                  r->ack_breaches, "resolve_scored", r->resolve_scored,
                                  "resolve_breaches", r->resolve_breaches));
    json_object_set_new(o, "pages", pages);
    json_object_set_new(o, "postmortems",
                        json_pack("{s:i,s:i,s:i,s:i,s:i}", "required", r->pm_required, "published",
                                  r->pm_published, "on_time", r->pm_on_time, "late", r->pm_late,
                                  "not_published", r->pm_missing));
    json_object_set_new(o, "actions",
                        json_pack("{s:i,s:i,s:i}", "opened", r->act_opened, "closed", r->act_closed,
                                  "overdue", r->act_overdue));
    json_object_set_new(o, "update_cadence", cadence_json(r));
    json_object_set_new(o, "alert_noise", noise_json(r));
    return o;
}

/* ---- Markdown ---- */

static long long geti(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *gets(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static void md_counts(struct buf *out, const char *title, const char *col, const json_t *obj)
{
    buf_printf(out, "\n## %s\n\n| %s | Incidents |\n|---|---:|\n", title, col);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        buf_printf(out, "| %s | %lld |\n", k, (long long)json_integer_value(v));
    }
}

void report_markdown(const json_t *rep, struct buf *out)
{
    buf_printf(out, "# Monthly incident review: %s\n\n", gets(rep, "month"));
    buf_printf(out, "%s to %s (%s)%s. Drills are not counted (%lld drill%s this month).\n",
               gets(rep, "start"), gets(rep, "end"), gets(rep, "timezone"),
               json_is_true(json_object_get(rep, "complete")) ? "" : ", month not over yet",
               geti(rep, "drills_excluded"), geti(rep, "drills_excluded") == 1 ? "" : "s");
    buf_printf(out, "\n**Incidents:** %lld (%lld still open)\n", geti(rep, "incidents"),
               geti(rep, "still_open"));
    buf_puts(out, "\n## By severity\n\n| Severity | Incidents |\n|---|---:|\n");
    const json_t *sev = json_object_get(rep, "by_severity");
    for (size_t i = 0; i < json_array_size(sev); i++)
        buf_printf(out, "| %s | %lld |\n", gets(json_array_get(sev, i), "severity"),
                   geti(json_array_get(sev, i), "count"));
    md_counts(out, "By service", "Service", json_object_get(rep, "by_service"));
    md_counts(out, "By type", "Type", json_object_get(rep, "by_type"));
    const json_t *a = json_object_get(rep, "mtta"), *r = json_object_get(rep, "mttr");
    const json_t *sla = json_object_get(rep, "sla");
    buf_puts(out, "\n## Response\n\n| Measure | Median | p90 | Incidents |\n|---|---|---|---:|\n");
    const json_t *d = json_object_get(rep, "mttd");
    buf_printf(out, "| Time to detect | %s | %s | %lld |\n", gets(d, "median"), gets(d, "p90"),
               geti(d, "count"));
    buf_printf(out, "| Time to acknowledge | %s | %s | %lld |\n", gets(a, "median"), gets(a, "p90"),
               geti(a, "count"));
    buf_printf(out, "| Time to resolve | %s | %s | %lld |\n", gets(r, "median"), gets(r, "p90"),
               geti(r, "count"));
    buf_printf(out,
               "\nSLA breaches: %lld of %lld acknowledgements late, %lld of %lld resolutions "
               "late.\n",
               geti(sla, "ack_breaches"), geti(sla, "ack_scored"), geti(sla, "resolve_breaches"),
               geti(sla, "resolve_scored"));
    report_markdown_cadence_noise(rep, out);
    buf_puts(out, "\n## On-call load\n\n");
    const json_t *pages = json_object_get(rep, "pages");
    if (!json_array_size(pages))
        buf_puts(out, "No pages.\n");
    else
        buf_puts(out, "| Person | Pages | Off hours | At night |\n|---|---:|---:|---:|\n");
    for (size_t i = 0; i < json_array_size(pages); i++) {
        const json_t *p = json_array_get(pages, i);
        buf_printf(out, "| %s | %lld | %lld | %lld |\n", gets(p, "user"), geti(p, "pages"),
                   geti(p, "off_hours"), geti(p, "night"));
    }
    const json_t *pm = json_object_get(rep, "postmortems"), *act = json_object_get(rep, "actions");
    buf_printf(out,
               "\n## Follow-up\n\nPost-mortems required: %lld; published %lld (%lld on time, %lld "
               "late); not published %lld.\n",
               geti(pm, "required"), geti(pm, "published"), geti(pm, "on_time"), geti(pm, "late"),
               geti(pm, "not_published"));
    buf_printf(out, "\nAction items: %lld opened, %lld closed, %lld overdue at the month's end.\n",
               geti(act, "opened"), geti(act, "closed"), geti(act, "overdue"));
    report_markdown_trend(rep, out);
}
