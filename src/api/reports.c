/*
 * api/reports: the monthly incident review (docs/reports.md).
 *   GET /api/v1/reports/monthly?month=YYYY-MM&format=json|markdown|csv     viewer
 * month: a calendar month in the config's reports.timezone (default: the month before the
 * current one); a malformed month is a 400, a month that has not started a 422, both naming
 * `month`. The figures are computed by domain/report.c from the incidents declared in the month
 * (drills left out), their pages and post-mortems, and the action items, read on this request's
 * reader connection.
 */
#include "api/api.h"
#include "domain/report.h"
#include "store/actions.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "store/postmortems.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { REPORT_DOC_MAX = 1 << 20 };

struct gather {
    struct report *rep;
    struct store_conn *c;
    const struct config *cfg;
    enum result failed;
};

static int page_one(const struct store_notification *n, void *arg)
{
    struct gather *g = arg;
    bool merged = n->status && (strcmp(n->status, "cancelled") == 0 ||
                                strcmp(n->status, "bundled") == 0); /* not a page of its own */
    if (n->kind && strcmp(n->kind, "page") == 0 && n->user_id && !merged)
        report_add_page(g->rep, n->user_id, n->created_at);
    return 0;
}

static int incident_one(const struct incident *inc, void *arg)
{
    struct gather *g = arg;
    if (!report_add_incident(g->rep, inc))
        return 0;
    enum result result = store_notification_list(g->c, inc->id, page_one, g);
    const struct config_severity *sev = config_severity_find(g->cfg, inc->severity);
    struct postmortem pm = {0};
    enum result got = result == OK ? store_postmortem_get_by_incident(g->c, inc->id, &pm) : result;
    if (got == OK)
        report_add_postmortem(g->rep, &pm);
    else if (got == ERR_NOT_FOUND && sev && sev->postmortem_required)
        report_add_postmortem(g->rep, NULL);
    else if (got != ERR_NOT_FOUND)
        result = got;
    if (got == OK)
        postmortem_free_fields(&pm);
    if (result != OK) {
        g->failed = result;
        return 1;
    }
    return 0;
}

static int action_one(const struct action_item *a, void *arg)
{
    report_add_action(((struct gather *)arg)->rep, a);
    return 0;
}

/* The report of one month, read through c (*out: a new reference on OK). */
static enum result month_json(struct request *r, struct store_conn *c, const struct tz *tz,
                              int year, int mon, int64_t now, json_t **out)
{
    struct gather g = {report_new(r->config, tz, year, mon, now), c, r->config, OK};
    struct store_incident_filter f = {0};
    struct store_action_filter af = {.status = -1};
    enum result result = store_incident_list(c, &f, incident_one, &g);
    if (result == OK)
        result = g.failed;
    if (result == OK)
        result = store_action_list(c, &af, action_one, &g);
    *out = result == OK ? report_json(g.rep) : NULL;
    report_free(g.rep);
    return result;
}

static void api_report_monthly(struct request *r)
{
    const char *month = request_query(r, "month"), *format = request_query(r, "format");
    bool md = format && (strcmp(format, "markdown") == 0 || strcmp(format, "md") == 0);
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !md && !csv && strcmp(format, "json") != 0) {
        reply_error(r, ERR_BAD_REQUEST, "format: must be json, markdown or csv, not \"%.32s\"",
                    format);
        return;
    }
    const struct tz *tz = r->config->reports.timezone ? tz_get(r->config->reports.timezone) : NULL;
    if (!tz)
        tz = tz_utc();
    int64_t now = clock_now(r->app->clock);
    int year, mon;
    if (!month) {
        report_previous_month(tz, now, &year, &mon);
    } else if (report_parse_month(month, &year, &mon) != 0) {
        reply_error(r, ERR_BAD_REQUEST, "month: \"%.32s\" is not a month (YYYY-MM)", month);
        return;
    } else {
        int64_t start, end;
        report_month_bounds(tz, year, mon, &start, &end);
        if (start > now) {
            reply_error(r, ERR_UNPROCESSABLE, "month: %.32s has not started yet", month);
            return;
        }
    }
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return;
    }
    /* this month, and the one before for month over month */
    int py = mon == 1 ? year - 1 : year, pmon = mon == 1 ? 12 : mon - 1;
    json_t *rep = NULL, *prev = NULL;
    enum result result = month_json(r, c, tz, year, mon, now, &rep);
    if (result == OK)
        result = month_json(r, c, tz, py, pmon, now, &prev);
    if (result != OK) {
        json_decref(rep);
        reply_error(r, result, "store: cannot read the month's incidents");
        return;
    }
    report_add_previous(rep, prev);
    json_decref(prev);
    if (!md && !csv) {
        reply_json(r, 200, rep);
        return;
    }
    struct buf out;
    buf_init(&out, REPORT_DOC_MAX);
    if (csv)
        report_csv(rep, &out);
    else
        report_markdown(rep, &out);
    json_decref(rep);
    size_t n = out.len;
    reply_raw(r, 200,
              csv ? "text/csv; charset=utf-8; header=present" : "text/markdown; charset=utf-8",
              buf_steal(&out), n);
    buf_free(&out);
}

static const struct route routes[] = {
    {"GET", "/api/v1/reports/monthly", api_report_monthly, ACCESS_VIEWER, "report_monthly"},
};
HTTP_ROUTES(reports, routes);
