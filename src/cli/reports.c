/*
 * cli/reports: the monthly incident review (docs/reports.md).
 *   tocsin report monthly [--month YYYY-MM] [--format md|csv] [--json]
 *                                                        GET /api/v1/reports/monthly
 * Prints the Markdown report (as the server renders it), or the JSON with --json. Main thread
 * only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RO_MONTH, RO_FORMAT };

static const struct cli_opt report_opts[] = {
    {"--month", NULL, CLI_OPT_STR, RO_MONTH},
    {"--format", NULL, CLI_OPT_STR, RO_FORMAT},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static int report_monthly(struct cli_ctx *ctx)
{
    const char *fmt = ctx->json ? "json" : ctx->str[RO_FORMAT] ? ctx->str[RO_FORMAT] : "markdown";
    if (strcmp(fmt, "md") == 0)
        fmt = "markdown";
    if (strcmp(fmt, "markdown") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)
        return cli_usage_error(ctx, "--format must be md, csv or json, not '%s'", fmt);
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "/api/v1/reports/monthly?format=%s", fmt);
    if (ctx->str[RO_MONTH]) {
        char *m = cli_path_escape(ctx->str[RO_MONTH]);
        buf_printf(&b, "&month=%s", m);
        free(m);
    }
    struct cli_resp resp;
    int result = cli_fetch(ctx, b.data, &resp);
    if (result == CLI_OK)
        fwrite(resp.raw, 1, resp.len, stdout);
    if (result == CLI_OK && ctx->json)
        fputc('\n', stdout);
    cli_resp_free(&resp);
    buf_free(&b);
    return result;
}

static const struct cli_sub report_subs[] = {
    {"monthly", 1, CLI_SUB_STR(RO_MONTH) | CLI_SUB_STR(RO_FORMAT), report_monthly},
};

static int report_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, report_subs, sizeof report_subs / sizeof report_subs[0]);
}

static const struct cli_cmd report_cmd = {
    "usage: tocsin report monthly [--month YYYY-MM] [--format md|csv] [--json]\n"
    "\n"
    "The monthly incident review as Markdown (or JSON): incidents by severity, service and type,\n"
    "time to detect (from the first alert's start), to acknowledge and to resolve (median, p90),\n"
    "SLA breaches, update-cadence compliance, alert noise (alerts per incident, the noisiest\n"
    "sources, flapping alerts), pages per person (off hours, at night), post-mortems on time,\n"
    "action items opened, closed and overdue. Drills are left out. Months are those of the\n"
    "config's reports.timezone (UTC by default); reports.mail_to gets it by mail on the 1st.\n"
    "  --month YYYY-MM   the month (default: the previous month)\n"
    "  --format md|csv   Markdown (default, with a month over month table) or CSV\n"
    "                    (month,metric,value: one row per figure)\n",
    report_opts, 1, 1, report_run};

static int cli_report(int argc, char **argv)
{
    return cli_run(argc, argv, &report_cmd);
}

static const struct cli_verb verbs[] = {
    {"report", cli_report, "report monthly: the monthly incident review"},
};
CLI_VERBS(reports, verbs);
