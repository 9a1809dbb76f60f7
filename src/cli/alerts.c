/*
 * cli/alerts: the alert listing.
 *   tocsin alerts [--service S] [--status ST] [--incident ID] [--limit N]
 *       GET /api/v1/alerts?status=&service=&limit=, or GET /api/v1/incidents/ID/alerts (which
 *       takes no filters: with --incident they are applied here)
 * --json prints the server's reply as-is (with --incident and a filter that dropped alerts, the
 * filtered {"alerts":[...]}).
 *
 * Server strings go through cli_put()/cli_clean(). One request per verb, usage errors found
 * before it; request bodies are owned here and released after the call. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { A_SERVICE, A_STATUS, A_INCIDENT, A_LIMIT };

static const struct cli_opt alerts_opts[] = {
    {"--service", NULL, CLI_OPT_STR, A_SERVICE},
    {"--status", NULL, CLI_OPT_STR, A_STATUS},
    {"--incident", NULL, CLI_OPT_STR, A_INCIDENT},
    {"--limit", NULL, CLI_OPT_STR, A_LIMIT},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const char *const alert_statuses[] = {"firing", "acknowledged", "resolved", "open", "all"};

/* What the verb was asked for, after checking. limit 0: none (--incident without --limit). */
struct alert_query {
    const char *service, *status, *incident;
    int64_t limit;
};

static bool status_matches(const char *want, const char *status)
{
    if (strcmp(want, "all") == 0)
        return true;
    if (!status)
        return false;
    if (strcmp(want, "open") == 0)
        return strcmp(status, "firing") == 0 || strcmp(status, "acknowledged") == 0;
    return strcmp(want, status) == 0;
}

/* The alerts of `body` that pass q (service, status, limit): a new array. */
static json_t *filter_alerts(const json_t *body, const struct alert_query *q)
{
    const json_t *list = json_object_get(body, "alerts");
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        const char *service = cli_jstr(a, "service");
        if (q->service && (!service || strcmp(q->service, service) != 0))
            continue;
        if (!status_matches(q->status, cli_jstr(a, "status")))
            continue;
        if (q->limit > 0 && (int64_t)json_array_size(out) >= q->limit)
            break;
        json_array_append(out, a);
    }
    return out;
}

/* "firing", or "silenced" for an alert a silence holds back (a resolved one shows resolved). */
static const char *alert_status_cell(const json_t *a)
{
    const char *status = cli_jstr(a, "status");
    if (cli_jstr(a, "silenced_by") && !(status && strcmp(status, "resolved") == 0))
        return "silenced";
    return status;
}

static void add_alert_row(struct cli_table *t, const json_t *a, int64_t now)
{
    char id[32], seen[48], last[48], repeat[32];
    json_t *jid = json_object_get(a, "id");
    if (json_is_integer(jid))
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(jid));
    else
        snprintf(id, sizeof(id), "-");
    snprintf(repeat, sizeof(repeat), "%lld",
             (long long)json_integer_value(json_object_get(a, "repeat_count")));
    cli_fmt_ago(cli_jstr(a, "first_seen"), now, seen, sizeof(seen));
    cli_fmt_ago(cli_jstr(a, "last_seen"), now, last, sizeof(last));
    const char *cells[] = {id,
                           cli_jstr(a, "service"),
                           cli_jstr(a, "source_kind"),
                           alert_status_cell(a),
                           seen,
                           last,
                           repeat,
                           cli_jstr(a, "incident_id"),
                           cli_jstr(a, "summary")};
    cli_table_add(t, cells);
}

static void print_no_alerts(const struct alert_query *q)
{
    fputs("no ", stdout);
    if (strcmp(q->status, "all") != 0)
        printf("%s ", q->status);
    fputs("alerts", stdout);
    if (q->service) {
        fputs(" on service ", stdout);
        cli_put(stdout, q->service);
    }
    if (q->incident) {
        fputs(" in incident ", stdout);
        cli_put(stdout, q->incident);
    }
    fputc('\n', stdout);
}

static void print_alerts(const json_t *list, const struct alert_query *q)
{
    size_t n = json_array_size(list);
    if (n == 0) {
        print_no_alerts(q);
        return;
    }
    static const char *const headers[] = {"ID",   "SERVICE", "KIND",     "STATUS", "SEEN",
                                          "LAST", "REPEAT",  "INCIDENT", "SUMMARY"};
    struct cli_table *t = cli_table_new(9, headers);
    cli_table_set_max(t, 1, 20);
    cli_table_set_max(t, 8, cli_last_col(110, 60));
    int64_t now = cli_now_ms();
    for (size_t i = 0; i < n; i++)
        add_alert_row(t, json_array_get(list, i), now);
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu alert%s", n, n == 1 ? "" : "s");
    if (q->limit > 0 && (int64_t)n == q->limit)
        printf(" (the newest %lld; see --limit)", (long long)q->limit);
    fputc('\n', stdout);
}

/* Checks the options into q; CLI_OK or a usage error. */
static int alerts_query(struct cli_ctx *ctx, struct alert_query *q)
{
    q->service = ctx->str[A_SERVICE];
    q->incident = ctx->str[A_INCIDENT];
    q->status = ctx->str[A_STATUS] ? ctx->str[A_STATUS] : q->incident ? "all" : "open";
    bool known = false;
    for (size_t i = 0; i < sizeof(alert_statuses) / sizeof(alert_statuses[0]); i++)
        known = known || strcmp(q->status, alert_statuses[i]) == 0;
    if (!known)
        return cli_usage_error(ctx, "--status must be firing, acknowledged, resolved, open or all");
    if (q->service && !*q->service)
        return cli_usage_error(ctx, "--service must not be empty");
    if (q->incident && !*q->incident)
        return cli_usage_error(ctx, "--incident must not be empty");
    q->limit = q->incident ? 0 : 100;
    if (ctx->str[A_LIMIT] && num_parse_i64(ctx->str[A_LIMIT], 1, CLI_LIST_MAX, &q->limit) != 0)
        return cli_usage_error(ctx, "--limit must be a number from 1 to %d", CLI_LIST_MAX);
    return CLI_OK;
}

static char *alerts_path(const struct alert_query *q)
{
    if (q->incident) {
        char *esc = cli_path_escape(q->incident);
        size_t n = strlen(esc) + 32;
        char *path = xmalloc(n);
        snprintf(path, n, "/api/v1/incidents/%s/alerts", esc);
        free(esc);
        return path;
    }
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    buf_printf(&b, "/api/v1/alerts?status=%s", q->status);
    if (q->service) {
        char *esc = cli_path_escape(q->service);
        buf_printf(&b, "&service=%s", esc);
        free(esc);
    }
    return buf_steal(&b);
}

/* The filtered list as JSON: as received when nothing was dropped. */
static void print_alerts_json(const struct cli_resp *resp, const json_t *list)
{
    if (json_array_size(list) == json_array_size(json_object_get(resp->body, "alerts"))) {
        cli_print_raw(resp);
        return;
    }
    json_t *obj = json_pack("{s:O}", "alerts", list);
    char *text = json_dumps(obj, JSON_COMPACT);
    puts(text ? text : "{\"alerts\":[]}");
    free(text);
    json_decref(obj);
}

static int alerts_run(struct cli_ctx *ctx)
{
    struct alert_query q;
    int result = alerts_query(ctx, &q);
    if (result != CLI_OK)
        return result;
    char *path = alerts_path(&q);
    struct cli_resp resp;
    /* page by page: up to --limit of all alerts, every alert of an incident */
    result = cli_request_pages(ctx, path, q.incident ? 0 : q.limit, &resp);
    free(path);
    if (result == CLI_OK) {
        json_t *list = filter_alerts(resp.body, &q);
        if (ctx->json)
            print_alerts_json(&resp, list);
        else
            print_alerts(list, &q);
        json_decref(list);
    }
    cli_resp_free(&resp);
    return result;
}

static const struct cli_cmd alerts_cmd = {
    "usage: tocsin alerts [--service S] [--status STATUS] [--incident ID] [--limit N] [--json]\n"
    "\n"
    "Lists alerts, newest first: the open ones (firing or acknowledged) unless told\n"
    "otherwise. STATUS shows \"silenced\" for an alert a silence holds back.\n"
    "  --service S        only this service's alerts\n"
    "  --status STATUS    firing, acknowledged, resolved, open (default) or all\n"
    "  --incident ID      the alerts of one incident (every status unless --status)\n"
    "  --limit N          at most N alerts (1..1000000, default 100; read 1,000 a page)\n",
    alerts_opts, 0, 0, alerts_run};

static int cli_alerts(int argc, char **argv)
{
    return cli_run(argc, argv, &alerts_cmd);
}

static const struct cli_verb verbs[] = {
    {"alerts", cli_alerts, "list alerts (open by default)"},
};
CLI_VERBS(alerts, verbs);
