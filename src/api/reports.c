/*
 * api/reports: the monthly incident review (docs/reports.md).
 *   GET /api/v1/reports/monthly?month=YYYY-MM&format=json|markdown|csv     viewer
 * month: a calendar month in the config's reports.timezone (default: the month before the
 * current one); a malformed month is a 400, a month that has not started a 422, both naming
 * `month`. The figures are computed by domain/report.c from what jobs/report_gather.c reads on
 * this request's reader connection (the incidents declared in the month, drills left out, their
 * pages, post-mortems, alerts and updates; the month's alerts; the action items).
 */
#include "api/api.h"
#include "domain/report.h"
#include "jobs/report_gather.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { REPORT_DOC_MAX = 1 << 20 };

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
    json_t *rep = NULL; /* this month, and the one before for month over month */
    enum result result = report_gather(c, r->config, tz, year, mon, now, &rep);
    if (result != OK) {
        reply_error(r, result, "store: cannot read the month's incidents");
        return;
    }
    api_reply_report(r, rep, md ? "markdown" : csv ? "csv" : "json");
}

void api_reply_report(struct request *r, json_t *rep, const char *format)
{
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "markdown") != 0) {
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
