/*
 * cli/oncall: the on-call verbs.
 *   tocsin oncall [--at TIME] [--schedule ID]          GET /api/v1/oncall
 *   tocsin override SCHEDULE USER --from TIME --to TIME [--layer L] [-m REASON]
 *                                                      POST /api/v1/schedules/S/overrides
 *   tocsin override list [SCHEDULE]                    GET /api/v1/[schedules/S/]overrides
 *   tocsin override remove ID                          DELETE /api/v1/overrides/ID
 * TIME is RFC 3339, `now`, or +DURATION / -DURATION from now (+2h, -30m). It is checked here
 * and sent as written: the server resolves it against its own clock (so a dev clock applies).
 *
 * Output contract: `override` (create) prints the new override id alone on line 1 of stdout.
 * --json prints the server's reply as-is. Server strings go through cli_put()/cli_clean().
 * Invariants: one request per verb, usage errors found before it. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "domain/oncall.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { O_AT, O_SCHEDULE, O_FROM, O_TO, O_LAYER, O_REASON };

/* A TIME option: true when fine (or absent), else a usage error was printed and *rc set. */
static bool time_ok(struct cli_ctx *ctx, const char *opt, const char *v, int *rc)
{
    int64_t unused;
    if (!v || oncall_parse_time(v, cli_now_ms(), &unused) == 0)
        return true;
    *rc = cli_usage_error(ctx, "%s: '%s' is not a time (RFC 3339, now, +2h, -30m)", opt, v);
    return false;
}

/* Appends "&key=escaped(value)" (or "?..." first) to b when value is set. */
static void add_query(struct buf *b, const char *key, const char *value)
{
    if (!value)
        return;
    char *esc = cli_path_escape(value);
    buf_printf(b, "%s%s=%s", strchr(b->data ? b->data : "", '?') ? "&" : "?", key, esc);
    free(esc);
}

/* ---- oncall -------------------------------------------------------------------------------- */

static const struct cli_opt oncall_opts[] = {
    {"--at", NULL, CLI_OPT_STR, O_AT},
    {"--schedule", "-s", CLI_OPT_STR, O_SCHEDULE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_oncall(const json_t *body)
{
    const json_t *list = json_object_get(body, "oncall");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no schedules configured");
        return;
    }
    static const char *const headers[] = {"SCHEDULE", "LAYER", "USER",
                                          "SINCE",    "UNTIL", "OVERRIDE"};
    struct cli_table *t = cli_table_new(6, headers);
    int64_t now = cli_now_ms();
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(list, i);
        char from[CLI_TIME_LEN], until[CLI_TIME_LEN + 32];
        cli_fmt_time(cli_jstr(e, "from"), from, sizeof from);
        cli_fmt_when(cli_jstr(e, "until"), now, until, sizeof until);
        const char *layer = cli_jstr(e, "layer"), *user = cli_jstr(e, "user");
        const char *cells[] = {
            cli_jstr(e, "schedule"), layer ? layer : "(all)", user ? user : "(nobody)", from, until,
            cli_jstr(e, "override")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    char at[CLI_TIME_LEN];
    cli_fmt_time(cli_jstr(body, "at"), at, sizeof at);
    printf("at %s\n", at);
}

static int oncall_run(struct cli_ctx *ctx)
{
    int rc = CLI_OK;
    if (!time_ok(ctx, "--at", ctx->str[O_AT], &rc))
        return rc;
    if (ctx->str[O_SCHEDULE] && !*ctx->str[O_SCHEDULE])
        return cli_usage_error(ctx, "--schedule must not be empty");
    struct buf path;
    buf_init(&path, 4096);
    buf_printf(&path, "/api/v1/oncall");
    add_query(&path, "at", ctx->str[O_AT]);
    add_query(&path, "schedule", ctx->str[O_SCHEDULE]);
    struct cli_resp resp;
    rc = cli_request(ctx, "GET", path.data, NULL, &resp);
    if (rc == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (rc == CLI_OK)
        print_oncall(resp.body);
    cli_resp_free(&resp);
    buf_free(&path);
    return rc;
}

static const struct cli_cmd oncall_cmd = {
    "usage: tocsin oncall [--at TIME] [--schedule ID] [--json]\n"
    "\n"
    "Who is on call: for each schedule one line for the schedule as a whole (LAYER (all):\n"
    "whom `schedule:ID` pages) and one per layer, with since when and until when.\n"
    "  --at TIME         another moment: RFC 3339 (2026-11-23T18:00:00Z), now, +2h, -30m\n"
    "  -s, --schedule ID only this schedule\n",
    oncall_opts, 0, 0, oncall_run};

static int cli_oncall(int argc, char **argv)
{
    return cli_run(argc, argv, &oncall_cmd);
}

/* ---- override ------------------------------------------------------------------------------ */

static const struct cli_opt override_opts[] = {
    {"--from", NULL, CLI_OPT_STR, O_FROM},      {"--to", NULL, CLI_OPT_STR, O_TO},
    {"--layer", "-l", CLI_OPT_STR, O_LAYER},    {"--reason", "-m", CLI_OPT_STR, O_REASON},
    {"--message", NULL, CLI_OPT_STR, O_REASON}, {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_kv(const char *label, const char *value)
{
    printf("%-9s ", label);
    cli_put(stdout, value);
    fputc('\n', stdout);
}

static void print_override(const json_t *o)
{
    int64_t now = cli_now_ms();
    char from[CLI_TIME_LEN + 32], to[CLI_TIME_LEN + 32];
    cli_fmt_when(cli_jstr(o, "from"), now, from, sizeof from);
    cli_fmt_when(cli_jstr(o, "to"), now, to, sizeof to);
    const char *layer = cli_jstr(o, "layer");
    cli_put(stdout, cli_jstr(o, "id"));
    fputc('\n', stdout);
    print_kv("schedule:", cli_jstr(o, "schedule"));
    print_kv("layer:", layer ? layer : "(all)");
    print_kv("user:", cli_jstr(o, "user"));
    print_kv("from:", from);
    print_kv("to:", to);
    print_kv("reason:", cli_jstr(o, "reason"));
}

static int override_create(struct cli_ctx *ctx)
{
    int rc = CLI_OK;
    const char *from = ctx->str[O_FROM], *to = ctx->str[O_TO];
    if (!from || !to)
        return cli_usage_error(ctx, "--from TIME and --to TIME are required");
    if (!time_ok(ctx, "--from", from, &rc) || !time_ok(ctx, "--to", to, &rc))
        return rc;
    if (!*ctx->pos[0] || !*ctx->pos[1])
        return cli_usage_error(ctx, "SCHEDULE and USER must not be empty");
    json_t *req = json_pack("{s:s,s:s,s:s}", "user", ctx->pos[1], "from", from, "to", to);
    if (ctx->str[O_LAYER])
        json_object_set_new(req, "layer", json_string(ctx->str[O_LAYER]));
    if (ctx->str[O_REASON])
        json_object_set_new(req, "reason", json_string(ctx->str[O_REASON]));
    char *path = cli_segment_path("/api/v1/schedules/", ctx->pos[0], "/overrides");
    struct cli_resp resp;
    rc = cli_request(ctx, "POST", path, req, &resp);
    json_decref(req);
    free(path);
    if (rc == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (rc == CLI_OK)
        print_override(resp.body);
    cli_resp_free(&resp);
    return rc;
}

static void print_overrides(const json_t *body)
{
    const json_t *list = json_object_get(body, "overrides");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no current or future overrides");
        return;
    }
    static const char *const headers[] = {"ID",   "SCHEDULE", "LAYER", "USER",
                                          "FROM", "TO",       "BY",    "REASON"};
    struct cli_table *t = cli_table_new(8, headers);
    cli_table_set_max(t, 7, 60);
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(list, i);
        char from[CLI_TIME_LEN], to[CLI_TIME_LEN];
        cli_fmt_time(cli_jstr(o, "from"), from, sizeof from);
        cli_fmt_time(cli_jstr(o, "to"), to, sizeof to);
        const char *layer = cli_jstr(o, "layer");
        const char *cells[] = {cli_jstr(o, "id"),
                               cli_jstr(o, "schedule"),
                               layer ? layer : "(all)",
                               cli_jstr(o, "user"),
                               from,
                               to,
                               cli_jstr(o, "created_by"),
                               cli_jstr(o, "reason")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu override%s\n", n, n == 1 ? "" : "s");
}

static int override_list(struct cli_ctx *ctx)
{
    struct buf path;
    buf_init(&path, 4096);
    if (ctx->npos == 2) {
        char *esc = cli_path_escape(ctx->pos[1]);
        buf_printf(&path, "/api/v1/schedules/%s/overrides", esc);
        free(esc);
    } else {
        buf_printf(&path, "/api/v1/overrides");
    }
    struct cli_resp resp; /* every page (the list follows next_cursor) */
    int rc = cli_request_pages(ctx, path.data, 0, &resp);
    if (rc == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (rc == CLI_OK)
        print_overrides(resp.body);
    cli_resp_free(&resp);
    buf_free(&path);
    return rc;
}

static int override_remove(struct cli_ctx *ctx)
{
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "remove: the ID must not be empty");
    char *path = cli_segment_path("/api/v1/overrides/", ctx->pos[1], "");
    struct cli_resp resp;
    int rc = cli_request(ctx, "DELETE", path, NULL, &resp);
    if (rc == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (rc == CLI_OK) {
        cli_put(stdout, cli_jstr(resp.body, "id"));
        printf(" removed\n");
    }
    cli_resp_free(&resp);
    free(path);
    return rc;
}

/* `list` and `remove` are sub-commands; anything else is SCHEDULE USER (create). */
static int override_run(struct cli_ctx *ctx)
{
    bool list = strcmp(ctx->pos[0], "list") == 0, remove = strcmp(ctx->pos[0], "remove") == 0;
    if (list || remove) {
        static const int create_only[] = {O_FROM, O_TO, O_LAYER, O_REASON};
        for (size_t i = 0; i < sizeof create_only / sizeof create_only[0]; i++)
            if (ctx->str[create_only[i]])
                return cli_usage_error(ctx, "%s: --from, --to, --layer and -m do not apply",
                                       ctx->pos[0]);
    }
    if (list)
        return override_list(ctx);
    if (remove && ctx->npos != 2)
        return cli_usage_error(ctx, "remove: give one override ID");
    if (remove)
        return override_remove(ctx);
    if (ctx->npos != 2)
        return cli_usage_error(ctx, "give SCHEDULE USER (or list, remove)");
    return override_create(ctx);
}

static const struct cli_cmd override_cmd = {
    "usage: tocsin override SCHEDULE USER --from TIME --to TIME [--layer L] [-m REASON]\n"
    "       tocsin override list [SCHEDULE] [--json]\n"
    "       tocsin override remove ID\n"
    "\n"
    "Puts USER on call in SCHEDULE instead of the rotation from --from to --to (responder).\n"
    "Without --layer it applies to the schedule as a whole (whom `schedule:ID` pages); with\n"
    "it, to that layer only. An override overlapping a live one on the same schedule and layer\n"
    "is refused. Prints the override id alone on the first line.\n"
    "  --from TIME, --to TIME  RFC 3339 (2026-11-23T18:00:00Z), now, or +/-DURATION from now\n"
    "                          (+2h, -30m, +1d)\n"
    "  -l, --layer L           one layer of the schedule\n"
    "  -m, --reason REASON     why (shown in listings and the calendar feed)\n"
    "`list` shows the current and future overrides (of one schedule, or all); `remove` ends one.\n",
    override_opts, 1, 2, override_run};

static int cli_override(int argc, char **argv)
{
    return cli_run(argc, argv, &override_cmd);
}

static const struct cli_verb verbs[] = {
    {"oncall", cli_oncall, "who is on call, per schedule and layer"},
    {"override", cli_override, "override SCHEDULE USER|list|remove: on-call overrides"},
};
CLI_VERBS(oncall, verbs);
