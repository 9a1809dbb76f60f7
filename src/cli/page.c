/*
 * cli/page: the notification verbs.
 *   tocsin page INCIDENT USER [-m MESSAGE]   POST /api/v1/incidents/ID/page {user, message?}
 *   tocsin notifications INCIDENT            GET /api/v1/incidents/ID/notifications
 * Output contract: `page` prints "INC-... paged USER by METHOD[, METHOD] (key manual:N)", or
 * "... nothing new queued" when every row existed; `notifications` a table (one row per
 * notification). --json prints the server's reply as-is. One request per verb; main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { P_MESSAGE };

static const struct cli_opt page_opts[] = {
    {"--message", "-m", CLI_OPT_STR, P_MESSAGE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* "/api/v1/incidents/<escaped id><suffix>", malloc'd. */
static char *inc_path(const char *id, const char *suffix)
{
    return cli_segment_path("/api/v1/incidents/", id, suffix);
}

static void print_paged(const json_t *body)
{
    cli_put(stdout, cli_jstr(body, "incident"));
    fputs(" paged ", stdout);
    cli_put(stdout, cli_jstr(body, "user"));
    json_t *rows = json_object_get(body, "notifications");
    size_t i;
    json_t *row;
    int n = 0;
    json_array_foreach(rows, i, row)
    {
        fputs(n++ ? ", " : " by ", stdout);
        cli_put(stdout, cli_jstr(row, "method"));
    }
    json_t *queued = json_object_get(body, "queued");
    if (json_is_integer(queued) && json_integer_value(queued) == 0)
        fputs(" (nothing new queued)", stdout);
    fputs(" (key ", stdout);
    cli_put(stdout, cli_jstr(body, "key"));
    fputs(")\n", stdout);
}

static int page_run(struct cli_ctx *ctx)
{
    if (!ctx->pos[0][0] || !ctx->pos[1][0])
        return cli_usage_error(ctx, "INCIDENT and USER must not be empty");
    const char *msg = ctx->str[P_MESSAGE];
    if (msg && !msg[0])
        return cli_usage_error(ctx, "-m: the message must not be empty");
    json_t *req = json_pack("{s:s}", "user", ctx->pos[1]);
    if (msg)
        json_object_set_new(req, "message", json_string(msg));
    char *path = inc_path(ctx->pos[0], "/page");
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", path, req, &resp);
    if (result == CLI_OK) {
        if (ctx->json)
            cli_print_raw(&resp);
        else
            print_paged(resp.body);
    }
    cli_resp_free(&resp);
    json_decref(req);
    free(path);
    return result;
}

static void print_rows(const json_t *body)
{
    static const char *const headers[] = {"ID",    "USER", "METHOD", "STATUS",
                                          "TRIES", "KEY",  "SENT",   "LAST ERROR"};
    struct cli_table *t = cli_table_new(8, headers);
    cli_table_set_max(t, 7, 60);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(body, "notifications"), i, row)
    {
        char id[24], tries[16], sent[CLI_TIME_LEN];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(row, "id")));
        snprintf(tries, sizeof tries, "%zu", json_array_size(json_object_get(row, "attempts")));
        cli_fmt_time(cli_jstr(row, "sent_at"), sent, sizeof sent);
        const char *cells[] = {id,
                               cli_jstr(row, "user"),
                               cli_jstr(row, "method"),
                               cli_jstr(row, "status"),
                               tries,
                               cli_jstr(row, "key"),
                               sent,
                               cli_jstr(row, "last_error")};
        cli_table_add(t, cells);
    }
    if (cli_table_rows(t))
        cli_table_print(t, stdout);
    else
        puts("no notifications");
    cli_table_free(t);
}

static int notifications_run(struct cli_ctx *ctx)
{
    if (!ctx->pos[0][0])
        return cli_usage_error(ctx, "INCIDENT must not be empty");
    char *path = inc_path(ctx->pos[0], "/notifications");
    struct cli_resp resp;
    int result = cli_request_pages(ctx, path, 0, &resp); /* every page */
    if (result == CLI_OK) {
        if (ctx->json)
            cli_print_raw(&resp);
        else
            print_rows(resp.body);
    }
    cli_resp_free(&resp);
    free(path);
    return result;
}

static const struct cli_cmd page_cmd = {
    "usage: tocsin page INCIDENT USER [-m MESSAGE]\n"
    "\n"
    "Pages USER (a user id from the config) about INCIDENT now, by the methods their notify\n"
    "rules choose; -m adds a message to the page.\n",
    page_opts, 2, 2, page_run};

static const struct cli_cmd notifications_cmd = {
    "usage: tocsin notifications INCIDENT [--json]\n"
    "\n"
    "Lists the notifications sent (or waiting) about INCIDENT, with their attempts.\n",
    NULL, 1, 1, notifications_run};

static int cli_page(int argc, char **argv)
{
    return cli_run(argc, argv, &page_cmd);
}

static int cli_notifications(int argc, char **argv)
{
    return cli_run(argc, argv, &notifications_cmd);
}

static const struct cli_verb verbs[] = {
    {"page", cli_page, "page a user about an incident now (add a responder)"},
    {"notifications", cli_notifications, "list an incident's notifications and their attempts"},
};
CLI_VERBS(page, verbs);
