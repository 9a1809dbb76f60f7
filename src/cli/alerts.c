/*
 * cli/alerts: the alert-ingest verbs.
 *   tocsin integration create --service S --type T [--name N]   POST /api/v1/integrations
 *   tocsin integration list                                     GET /api/v1/integrations
 *   tocsin integration revoke ID                                DELETE /api/v1/integrations/ID
 *   tocsin alerts [--service S] [--status ST] [--incident ID] [--limit N]
 *       GET /api/v1/alerts?status=&service=&limit=, or GET /api/v1/incidents/ID/alerts (which
 *       takes no filters: with --incident they are applied here)
 *   tocsin silence add|list|expire                              /api/v1/silences
 *   tocsin heartbeats                                           GET /api/v1/heartbeats
 * Sub-commands are picked from a table by cli_dispatch(), which also refuses an option that
 * does not apply to the sub-command (`silence list --for 2h`).
 *
 * Output contract: `integration create` prints the key alone on line 1 of stdout, `silence add`
 * the silence id alone on line 1. --json prints the server's reply as-is (with --incident and a
 * filter that dropped alerts, the filtered {"alerts":[...]}). Server strings go through
 * cli_put()/cli_clean().
 *
 * Invariants: one request per verb, usage errors found before it; request bodies are owned here
 * and released after the call. Main thread only.
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

/* ---- shared helpers ------------------------------------------------------------------------ */

/* prefix + the escaped id, malloc'd. */
static char *id_path(const char *prefix, const char *id)
{
    char *esc = cli_path_escape(id);
    size_t n = strlen(prefix) + strlen(esc) + 1;
    char *path = xmalloc(n);
    snprintf(path, n, "%s%s", prefix, esc);
    free(esc);
    return path;
}

static void print_kv(const char *label, const char *value)
{
    printf("%-9s ", label);
    cli_put(stdout, value);
    fputc('\n', stdout);
}

static void set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

/* "12m ago", or "-" when missing. */
static void fmt_ago(const char *rfc3339, int64_t now, char *out, size_t n)
{
    char age[32];
    int64_t ms;
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0) {
        cli_fmt_age(rfc3339, now, out, n);
        return;
    }
    cli_fmt_age(rfc3339, now, age, sizeof(age));
    snprintf(out, n, "%s ago", age);
}

/* Room for a last, free-text column: what the terminal leaves after `used` columns, else
 * `dflt`; never under 20. */
static size_t last_col(int used, size_t dflt)
{
    int cols = cli_term_cols();
    if (cols <= 0)
        return dflt;
    int room = cols - used;
    return room < 20 ? 20 : (size_t)room;
}

typedef void (*body_print_fn)(const json_t *body);

/* GET path; prints the reply raw (--json) or with `print`. */
static int get_and_print(struct cli_ctx *ctx, const char *path, body_print_fn print)
{
    struct cli_resp resp;
    int result = cli_request(ctx, "GET", path, NULL, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print(resp.body);
    cli_resp_free(&resp);
    return result;
}

/* DELETE prefix+pos[1]; prints "ID <done>" (or the reply for --json). */
static int delete_and_print(struct cli_ctx *ctx, const char *prefix, const char *done)
{
    const char *id = ctx->pos[1];
    if (!*id)
        return cli_usage_error(ctx, "%s: the ID must not be empty", ctx->pos[0]);
    char *path = id_path(prefix, id);
    struct cli_resp resp;
    int result = cli_request(ctx, "DELETE", path, NULL, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const char *rid = cli_jstr(resp.body, "id");
        cli_put(stdout, rid ? rid : id);
        printf(" %s\n", done);
    }
    cli_resp_free(&resp);
    free(path);
    return result;
}

/* ---- integration --------------------------------------------------------------------------- */

enum { I_SERVICE, I_TYPE, I_NAME };

static const struct cli_opt integration_opts[] = {
    {"--service", NULL, CLI_OPT_STR, I_SERVICE},
    {"--type", NULL, CLI_OPT_STR, I_TYPE},
    {"--name", NULL, CLI_OPT_STR, I_NAME},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* Where to point a sender of each integration type: before + base URL + path + after. */
static const struct {
    const char *type, *before, *path, *after;
} integration_hints[] = {
    {"alertmanager", "webhook_configs url: ", "/api/v1/ingest/alertmanager",
     " (key as bearer: http_config.authorization.credentials)"},
    {"events_v2", "PagerDuty Events API v2: ", "/v2/enqueue",
     " with routing_key (Alertmanager pagerduty_configs: url + routing_key)"},
    {"generic", "POST JSON {summary, ...} to ", "/api/v1/ingest/generic", " (key as bearer)"},
    {"heartbeat", "check in: POST ", "/api/v1/heartbeat/NAME",
     " (key as bearer; NAME: a heartbeat of this service in the config)"},
};

static void print_hint(const struct cli_ctx *ctx, const char *type)
{
    size_t blen = strlen(ctx->url);
    while (blen > 0 && ctx->url[blen - 1] == '/')
        blen--;
    for (size_t i = 0; type && i < sizeof(integration_hints) / sizeof(integration_hints[0]); i++) {
        if (strcmp(type, integration_hints[i].type) != 0)
            continue;
        char *base = xmalloc(blen + 1);
        memcpy(base, ctx->url, blen);
        base[blen] = '\0';
        printf("%-9s %s", "send to:", integration_hints[i].before);
        cli_put(stdout, base);
        printf("%s%s\n", integration_hints[i].path, integration_hints[i].after);
        free(base);
    }
}

static void print_integration_created(const struct cli_ctx *ctx, const json_t *in)
{
    cli_put(stdout, cli_jstr(in, "key"));
    fputc('\n', stdout);
    print_kv("id:", cli_jstr(in, "id"));
    print_kv("name:", cli_jstr(in, "name"));
    print_kv("service:", cli_jstr(in, "service"));
    print_kv("type:", cli_jstr(in, "type"));
    print_hint(ctx, cli_jstr(in, "type"));
    if (isatty(STDOUT_FILENO))
        fputs("note: the key is shown only once; store it now\n", stderr);
}

static int integration_create(struct cli_ctx *ctx)
{
    if (!ctx->str[I_SERVICE] || !ctx->str[I_TYPE])
        return cli_usage_error(ctx, "create: --service and --type are required");
    json_t *req = json_object();
    set_str(req, "service", ctx->str[I_SERVICE]);
    set_str(req, "type", ctx->str[I_TYPE]);
    set_str(req, "name", ctx->str[I_NAME]);
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", "/api/v1/integrations", req, &resp);
    json_decref(req);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_integration_created(ctx, resp.body);
    cli_resp_free(&resp);
    return result;
}

static void print_integrations(const json_t *body)
{
    const json_t *list = json_object_get(body, "integrations");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no integrations");
        return;
    }
    static const char *const headers[] = {"ID", "NAME", "SERVICE", "TYPE", "CREATED", "REVOKED"};
    struct cli_table *t = cli_table_new(6, headers);
    for (size_t i = 0; i < n; i++) {
        const json_t *in = json_array_get(list, i);
        char created[CLI_TIME_LEN], revoked[CLI_TIME_LEN];
        cli_fmt_time(cli_jstr(in, "created_at"), created, sizeof(created));
        cli_fmt_time(cli_jstr(in, "revoked_at"), revoked, sizeof(revoked));
        const char *cells[] = {cli_jstr(in, "id"),
                               cli_jstr(in, "name"),
                               cli_jstr(in, "service"),
                               cli_jstr(in, "type"),
                               created,
                               revoked};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu integration%s\n", n, n == 1 ? "" : "s");
}

static int integration_list(struct cli_ctx *ctx)
{
    return get_and_print(ctx, "/api/v1/integrations", print_integrations);
}

static int integration_revoke(struct cli_ctx *ctx)
{
    return delete_and_print(ctx, "/api/v1/integrations/", "revoked");
}

static const struct cli_sub integration_subs[] = {
    {"create", 1, CLI_SUB_STR(I_SERVICE) | CLI_SUB_STR(I_TYPE) | CLI_SUB_STR(I_NAME),
     integration_create},
    {"list", 1, 0, integration_list},
    {"revoke", 2, 0, integration_revoke},
};

static int integration_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, integration_subs,
                        sizeof(integration_subs) / sizeof(integration_subs[0]));
}

static const struct cli_cmd integration_cmd = {
    "usage: tocsin integration create --service S --type alertmanager|events_v2|generic|heartbeat\n"
    "                                 [--name N] [--json]\n"
    "       tocsin integration list [--json]\n"
    "       tocsin integration revoke ID\n"
    "\n"
    "Manages integration keys (admin only): each key lets one sender raise alerts on one\n"
    "service in one format. `create` prints the key alone on the first line (it is shown\n"
    "only once), then where to point the sender. `revoke` stops the key at once.\n"
    "  --service S   a service id from the config\n"
    "  --type T      alertmanager (webhook), events_v2 (PagerDuty Events API v2),\n"
    "                generic (JSON), heartbeat (check-ins)\n"
    "  --name N      1..64 of [A-Za-z0-9._-] (default SERVICE-TYPE)\n",
    integration_opts, 1, 2, integration_run};

int cli_integration(int argc, char **argv)
{
    return cli_run(argc, argv, &integration_cmd);
}

/* ---- alerts -------------------------------------------------------------------------------- */

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
    fmt_ago(cli_jstr(a, "first_seen"), now, seen, sizeof(seen));
    fmt_ago(cli_jstr(a, "last_seen"), now, last, sizeof(last));
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
    cli_table_set_max(t, 8, last_col(110, 60));
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
    if (ctx->str[A_LIMIT] && num_parse_i64(ctx->str[A_LIMIT], 1, 1000, &q->limit) != 0)
        return cli_usage_error(ctx, "--limit must be a number from 1 to 1000");
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
    buf_printf(&b, "/api/v1/alerts?status=%s&limit=%lld", q->status, (long long)q->limit);
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
    result = cli_request(ctx, "GET", path, NULL, &resp);
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
    "  --limit N          at most N alerts (1..1000, default 100)\n",
    alerts_opts, 0, 0, alerts_run};

int cli_alerts(int argc, char **argv)
{
    return cli_run(argc, argv, &alerts_cmd);
}

/* ---- silence ------------------------------------------------------------------------------- */

enum { SI_SERVICE, SI_MATCH, SI_FOR, SI_UNTIL, SI_FROM, SI_REASON };
enum { SI_ALL };

static const struct cli_opt silence_opts[] = {
    {"--service", NULL, CLI_OPT_STR, SI_SERVICE},
    {"--match", NULL, CLI_OPT_LIST, SI_MATCH},
    {"--for", NULL, CLI_OPT_STR, SI_FOR},
    {"--until", NULL, CLI_OPT_STR, SI_UNTIL},
    {"--from", NULL, CLI_OPT_STR, SI_FROM},
    {"--reason", "-m", CLI_OPT_STR, SI_REASON},
    {"--message", NULL, CLI_OPT_STR, SI_REASON},
    {"--all", "-a", CLI_OPT_FLAG, SI_ALL},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* The --match label=value options as a JSON object into *out (NULL when none). */
static int silence_matchers(struct cli_ctx *ctx, json_t **out)
{
    *out = NULL;
    if (ctx->nlist[SI_MATCH] == 0)
        return CLI_OK;
    json_t *m = json_object();
    for (int i = 0; i < ctx->nlist[SI_MATCH]; i++) {
        const char *arg = ctx->list[SI_MATCH][i];
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) {
            json_decref(m);
            return cli_usage_error(ctx, "--match must be label=value, not '%s'", arg);
        }
        char *label = xmalloc((size_t)(eq - arg) + 1);
        memcpy(label, arg, (size_t)(eq - arg));
        label[eq - arg] = '\0';
        bool dup = json_object_get(m, label) != NULL;
        if (!dup)
            json_object_set_new(m, label, json_string(eq + 1));
        free(label);
        if (dup) {
            json_decref(m);
            return cli_usage_error(ctx, "--match: label '%.*s' given twice", (int)(eq - arg), arg);
        }
    }
    *out = m;
    return CLI_OK;
}

/* --for / --until / --from into req; CLI_OK or a usage error. */
static int silence_times(struct cli_ctx *ctx, json_t *req)
{
    const char *dur = ctx->str[SI_FOR], *until = ctx->str[SI_UNTIL], *from = ctx->str[SI_FROM];
    int64_t ms, from_ms = 0, until_ms = 0;
    if (!dur == !until)
        return cli_usage_error(ctx, "add: give exactly one of --for DURATION or --until TIME");
    if (dur && (time_parse_duration(dur, &ms) != 0 || ms <= 0))
        return cli_usage_error(ctx, "--for: '%s' is not a positive duration (30m, 2h, 1d)", dur);
    if (until && time_parse_rfc3339(until, &until_ms) != 0)
        return cli_usage_error(ctx, "--until: '%s' is not an RFC 3339 time", until);
    if (from && time_parse_rfc3339(from, &from_ms) != 0)
        return cli_usage_error(ctx, "--from: '%s' is not an RFC 3339 time", from);
    if (from && until && until_ms <= from_ms)
        return cli_usage_error(ctx, "--until must be after --from");
    set_str(req, "duration", dur);
    set_str(req, "ends_at", until);
    set_str(req, "starts_at", from);
    return CLI_OK;
}

/* "alertname=X, env=prod", or "-" for none. malloc'd. */
static char *fmt_matchers(const json_t *m)
{
    if (!json_is_object(m) || json_object_size(m) == 0)
        return xstrdup("-");
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)m, key, v)
    {
        buf_printf(&b, "%s%s=%s", b.len ? ", " : "", key,
                   json_is_string(v) ? json_string_value(v) : "?");
    }
    return buf_steal(&b);
}

static void print_silence_added(const json_t *s)
{
    int64_t now = cli_now_ms();
    char starts[CLI_TIME_LEN + 32], ends[CLI_TIME_LEN + 32];
    cli_fmt_when(cli_jstr(s, "starts_at"), now, starts, sizeof(starts));
    cli_fmt_when(cli_jstr(s, "ends_at"), now, ends, sizeof(ends));
    char *matchers = fmt_matchers(json_object_get(s, "matchers"));
    cli_put(stdout, cli_jstr(s, "id"));
    fputc('\n', stdout);
    print_kv("state:", cli_jstr(s, "state"));
    print_kv("service:", cli_jstr(s, "service"));
    print_kv("matchers:", matchers);
    print_kv("starts:", starts);
    print_kv("ends:", ends);
    print_kv("reason:", cli_jstr(s, "reason"));
    free(matchers);
}

/* The request body of `silence add`, or NULL after a usage error (*rc set). */
static json_t *silence_request(struct cli_ctx *ctx, int *rc)
{
    json_t *matchers = NULL;
    const char *service = ctx->str[SI_SERVICE], *reason = ctx->str[SI_REASON];
    *rc = silence_matchers(ctx, &matchers);
    if (*rc != CLI_OK)
        return NULL;
    if (!service && !matchers)
        *rc = cli_usage_error(ctx, "add: give --service, --match, or both");
    else if (service && !*service)
        *rc = cli_usage_error(ctx, "--service must not be empty");
    else if (!reason || !*reason)
        *rc = cli_usage_error(ctx, "add: -m REASON is required");
    if (*rc != CLI_OK) {
        json_decref(matchers);
        return NULL;
    }
    json_t *req = json_object();
    set_str(req, "service", service);
    if (matchers)
        json_object_set_new(req, "matchers", matchers);
    set_str(req, "reason", reason);
    *rc = silence_times(ctx, req);
    if (*rc != CLI_OK) {
        json_decref(req);
        return NULL;
    }
    return req;
}

static int silence_add(struct cli_ctx *ctx)
{
    int result;
    json_t *req = silence_request(ctx, &result);
    if (!req)
        return result;
    struct cli_resp resp;
    result = cli_request(ctx, "POST", "/api/v1/silences", req, &resp);
    json_decref(req);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_silence_added(resp.body);
    cli_resp_free(&resp);
    return result;
}

static void add_silence_row(struct cli_table *t, const json_t *s, int64_t now)
{
    char starts[CLI_TIME_LEN], ends[CLI_TIME_LEN + 32];
    cli_fmt_time(cli_jstr(s, "starts_at"), starts, sizeof(starts));
    cli_fmt_when(cli_jstr(s, "ends_at"), now, ends, sizeof(ends));
    char *matchers = fmt_matchers(json_object_get(s, "matchers"));
    const char *cells[] = {cli_jstr(s, "id"),
                           cli_jstr(s, "state"),
                           cli_jstr(s, "service"),
                           matchers,
                           starts,
                           ends,
                           cli_jstr(s, "created_by"),
                           cli_jstr(s, "reason")};
    cli_table_add(t, cells);
    free(matchers);
}

static void print_silences(const json_t *body, bool all)
{
    const json_t *list = json_object_get(body, "silences");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts(all ? "no silences" : "no active or pending silences");
        return;
    }
    static const char *const headers[] = {"ID",     "STATE", "SERVICE", "MATCHERS",
                                          "STARTS", "ENDS",  "BY",      "REASON"};
    struct cli_table *t = cli_table_new(8, headers);
    cli_table_set_max(t, 3, 40);
    cli_table_set_max(t, 6, 24);
    cli_table_set_max(t, 7, last_col(120, 50));
    int64_t now = cli_now_ms();
    for (size_t i = 0; i < n; i++)
        add_silence_row(t, json_array_get(list, i), now);
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu silence%s\n", n, n == 1 ? "" : "s");
}

static int silence_list(struct cli_ctx *ctx)
{
    bool all = ctx->flag[SI_ALL];
    struct cli_resp resp;
    int result = cli_request(ctx, "GET", all ? "/api/v1/silences?all=true" : "/api/v1/silences",
                             NULL, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_silences(resp.body, all);
    cli_resp_free(&resp);
    return result;
}

static int silence_expire(struct cli_ctx *ctx)
{
    return delete_and_print(ctx, "/api/v1/silences/", "expired");
}

static const struct cli_sub silence_subs[] = {
    {"add", 1,
     CLI_SUB_STR(SI_SERVICE) | CLI_SUB_STR(SI_MATCH) | CLI_SUB_STR(SI_FOR) | CLI_SUB_STR(SI_UNTIL) |
         CLI_SUB_STR(SI_FROM) | CLI_SUB_STR(SI_REASON),
     silence_add},
    {"list", 1, CLI_SUB_FLAG(SI_ALL), silence_list},
    {"expire", 2, 0, silence_expire},
};

static int silence_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, silence_subs, sizeof(silence_subs) / sizeof(silence_subs[0]));
}

static const struct cli_cmd silence_cmd = {
    "usage: tocsin silence add [--service S] [--match LABEL=VALUE]...\n"
    "                          (--for DURATION | --until TIME) [--from TIME] -m REASON [--json]\n"
    "       tocsin silence list [--all] [--json]\n"
    "       tocsin silence expire ID\n"
    "\n"
    "Silences alerts (responder). A silenced alert is kept and shown, but opens and joins no\n"
    "incident. A silence with --service and no --match is a maintenance window for the\n"
    "service. `add` prints the silence id alone on the first line.\n"
    "  --service S            only alerts on this service\n"
    "  --match LABEL=VALUE    only alerts whose label has this value (repeatable; all must\n"
    "                         match)\n"
    "  --for DURATION         how long: 30m, 2h, 1d...\n"
    "  --until TIME           or until when (RFC 3339, e.g. 2026-11-23T18:00:00Z)\n"
    "  --from TIME            start later (a planned maintenance window); default now\n"
    "  -m, --reason REASON    why (shown to everyone)\n"
    "  -a, --all              list: include expired silences\n",
    silence_opts, 1, 2, silence_run};

int cli_silence(int argc, char **argv)
{
    return cli_run(argc, argv, &silence_cmd);
}

/* ---- heartbeats ---------------------------------------------------------------------------- */

static void print_heartbeats(const json_t *body)
{
    const json_t *list = json_object_get(body, "heartbeats");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no heartbeats configured");
        return;
    }
    static const char *const headers[] = {"NAME",   "SERVICE",   "INTERVAL", "GRACE",
                                          "STATUS", "LAST SEEN", "NEXT DUE"};
    struct cli_table *t = cli_table_new(7, headers);
    int64_t now = cli_now_ms();
    size_t down = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *hb = json_array_get(list, i);
        char last[48], due[CLI_TIME_LEN + 32];
        fmt_ago(cli_jstr(hb, "last_seen"), now, last, sizeof(last));
        cli_fmt_when(cli_jstr(hb, "next_due"), now, due, sizeof(due));
        const char *status = cli_jstr(hb, "status");
        if (status && strcmp(status, "down") == 0)
            down++;
        const char *cells[] = {cli_jstr(hb, "name"),
                               cli_jstr(hb, "service"),
                               cli_jstr(hb, "interval"),
                               cli_jstr(hb, "grace"),
                               status,
                               last,
                               due};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu heartbeat%s, %zu down\n", n, n == 1 ? "" : "s", down);
}

static int heartbeats_run(struct cli_ctx *ctx)
{
    return get_and_print(ctx, "/api/v1/heartbeats", print_heartbeats);
}

static const struct cli_cmd heartbeats_cmd = {
    "usage: tocsin heartbeats [--json]\n"
    "\n"
    "Lists the heartbeats of the config: when each job last checked in, when the next\n"
    "check-in is due, and its status (up, down: overdue and alerting, pending: never seen).\n",
    NULL, 0, 0, heartbeats_run};

int cli_heartbeats(int argc, char **argv)
{
    return cli_run(argc, argv, &heartbeats_cmd);
}
