/*
 * cli/silences: silences and maintenance windows.
 *   tocsin silence add|list|expire                              /api/v1/silences
 * Sub-commands are picked from a table by cli_dispatch(), which also refuses an option that
 * does not apply to the sub-command (`silence list --for 2h`). `silence add` prints the silence
 * id alone on line 1 of stdout.
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
    cli_json_set_str(req, "duration", dur);
    cli_json_set_str(req, "ends_at", until);
    cli_json_set_str(req, "starts_at", from);
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
    cli_print_kv("state:", cli_jstr(s, "state"));
    cli_print_kv("service:", cli_jstr(s, "service"));
    cli_print_kv("matchers:", matchers);
    cli_print_kv("starts:", starts);
    cli_print_kv("ends:", ends);
    cli_print_kv("reason:", cli_jstr(s, "reason"));
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
    cli_json_set_str(req, "service", service);
    if (matchers)
        json_object_set_new(req, "matchers", matchers);
    cli_json_set_str(req, "reason", reason);
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
    cli_table_set_max(t, 7, cli_last_col(120, 50));
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
    int result = cli_request_pages(ctx, all ? "/api/v1/silences?all=true" : "/api/v1/silences", 0,
                                   &resp); /* every page */
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_silences(resp.body, all);
    cli_resp_free(&resp);
    return result;
}

static int silence_expire(struct cli_ctx *ctx)
{
    return cli_delete_and_print(ctx, "/api/v1/silences/", "ID", "expired");
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

static int cli_silence(int argc, char **argv)
{
    return cli_run(argc, argv, &silence_cmd);
}

static const struct cli_verb verbs[] = {
    {"silence", cli_silence, "silence add|list|expire: mute alerts, maintenance windows"},
};
CLI_VERBS(silences, verbs);
