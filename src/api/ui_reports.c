/*
 * api/ui_reports: the monthly review in the responder UI (docs/reports.md, "In the UI"); web/
 * ui_reports.c draws it. Both routes read GET /api/v1/reports/monthly as the signed-in user
 * (viewer and up), so the month's rules, defaults and refusals are the API's own.
 *   GET /ui/reports?month=YYYY-MM                        the page: figures, charts, tables
 *   GET /ui/reports/download?month=YYYY-MM&format=F      F: markdown, csv or json, as a file
 * (the API wants a token, a browser has only its session cookie: the download is made here).
 */
#include "api/api.h"
#include "api/ui.h"
#include "domain/report.h"
#include "util/buf.h"
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

/* The API path for the month asked (none: the API's default). False, having answered, when the
 * month holds characters that could reach another query parameter: the API names `month`. */
static bool api_path_of(struct request *r, const struct store_session *ses, char *out, size_t n)
{
    const char *month = request_query(r, "month");
    if (!month || !*month) {
        snprintf(out, n, "/api/v1/reports/monthly");
        return true;
    }
    size_t len = strlen(month);
    if (len > 16 || strspn(month, "0123456789-") != len) {
        ui_reply_refused(r, 400, "month: not a month (YYYY-MM)", "/ui/reports", ses);
        return false;
    }
    snprintf(out, n, "/api/v1/reports/monthly?month=%s", month);
    return true;
}

/* The month's report as JSON (the caller frees it), or NULL having answered with the refusal. */
static json_t *report_or_reply(struct request *r, const struct store_session *ses)
{
    char path[96];
    if (!api_path_of(r, ses, path, sizeof path))
        return NULL;
    json_t *rep = NULL;
    int status = ui_api(r, "GET", path, NULL, &rep);
    if (status != 200 || !json_is_object(rep)) {
        ui_reply_refused(r, status == 200 ? 500 : status, ui_api_message(rep), "/ui/reports", ses);
        json_decref(rep);
        return NULL;
    }
    return rep;
}

static void ui_reports_page(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    json_t *rep = report_or_reply(r, &ses);
    if (!rep)
        return;
    struct ui_view v = {.now = clock_now(r->app->clock),
                        .version = ui_version(r),
                        .nav = "reports",
                        .user = ses.user,
                        .role = ses.role,
                        .csrf = ses.csrf};
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_report(&h, &v, rep, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(rep);
}

static void ui_reports_download(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    const char *format = request_query(r, "format");
    format = format ? format : "markdown";
    bool md = strcmp(format, "markdown") == 0 || strcmp(format, "md") == 0;
    bool csv = strcmp(format, "csv") == 0, js = strcmp(format, "json") == 0;
    if (!md && !csv && !js) {
        ui_reply_refused(r, 400, "format: must be json, markdown or csv", "/ui/reports", &ses);
        return;
    }
    json_t *rep = report_or_reply(r, &ses);
    if (!rep)
        return;
    const char *month = json_string_value(json_object_get(rep, "month"));
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"tocsin-review-%.7s.%s\"",
             month && strspn(month, "0123456789-") == strlen(month) ? month : "month",
             md    ? "md"
             : csv ? "csv"
                   : "json");
    reply_header(r, "Content-Disposition", disposition);
    reply_header(r, "Cache-Control", "no-store");
    api_reply_report(r, rep, js ? "json" : csv ? "csv" : "markdown");
}

static const struct route routes[] = {
    {"GET", "/ui/reports", ui_reports_page, ACCESS_PUBLIC, "ui_reports_page"},
    {"GET", "/ui/reports/download", ui_reports_download, ACCESS_PUBLIC, "ui_reports_download"},
};
HTTP_ROUTES(ui_reports, routes);
