/*
 * cli/actions: action items across incidents.
 *   tocsin action add TITLE [--owner U] [--due 3d|TIME] [--priority p0..p3] [--incident ID]
 *                     [--postmortem ID]                              POST /api/v1/actions
 *   tocsin action list [--owner U] [--status open|done|all] [--incident ID] [--overdue]
 *   tocsin action done ID                                            POST /api/v1/actions/{id}/done
 * `add` prints the new id alone on line 1. Server strings go through cli_put()/cli_clean().
 * Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { AO_OWNER, AO_DUE, AO_PRIORITY, AO_INCIDENT, AO_POSTMORTEM, AO_STATUS };
enum { AO_OVERDUE };

static const struct cli_opt action_opts[] = {
    {"--owner", NULL, CLI_OPT_STR, AO_OWNER},
    {"--due", NULL, CLI_OPT_STR, AO_DUE},
    {"--priority", "-p", CLI_OPT_STR, AO_PRIORITY},
    {"--incident", NULL, CLI_OPT_STR, AO_INCIDENT},
    {"--postmortem", NULL, CLI_OPT_STR, AO_POSTMORTEM},
    {"--status", NULL, CLI_OPT_STR, AO_STATUS},
    {"--overdue", NULL, CLI_OPT_FLAG, AO_OVERDUE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_action(const json_t *a)
{
    cli_put(stdout, cli_jstr(a, "id"));
    fputc('\n', stdout);
    char due[CLI_TIME_LEN];
    cli_fmt_time(cli_jstr(a, "due_at"), due, sizeof due);
    cli_print_kv("title:", cli_jstr(a, "title"));
    cli_print_kv("status:", cli_jstr(a, "status"));
    cli_print_kv("owner:", cli_jstr(a, "owner"));
    cli_print_kv("priority:", cli_jstr(a, "priority"));
    cli_print_kv("due:", due);
    cli_print_kv("incident:", cli_jstr(a, "incident_id"));
    cli_print_kv("postmortem:", cli_jstr(a, "postmortem_id"));
}

static int send_and_print(struct cli_ctx *ctx, const char *method, const char *path, json_t *req)
{
    struct cli_resp resp;
    int result = cli_request(ctx, method, path, req, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_action(resp.body);
    cli_resp_free(&resp);
    return result;
}

static int action_add(struct cli_ctx *ctx)
{
    const char *due = ctx->str[AO_DUE];
    int64_t ms;
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "add: the title must not be empty");
    json_t *req = json_object();
    json_object_set_new(req, "title", json_string(ctx->pos[1]));
    if (!json_object_get(req, "title")) {
        json_decref(req);
        return cli_usage_error(ctx, "add: the title is not valid UTF-8");
    }
    cli_json_set_str(req, "owner", ctx->str[AO_OWNER]);
    cli_json_set_str(req, "priority", ctx->str[AO_PRIORITY]);
    cli_json_set_str(req, "incident", ctx->str[AO_INCIDENT]);
    cli_json_set_str(req, "postmortem", ctx->str[AO_POSTMORTEM]);
    if (due && time_parse_duration(due, &ms) == 0)
        cli_json_set_str(req, "due_in", due);
    else if (due && time_parse_rfc3339(due, &ms) == 0)
        cli_json_set_str(req, "due_at", due);
    else if (due) {
        json_decref(req);
        return cli_usage_error(ctx, "--due: '%s' is neither a duration (3d) nor an RFC 3339 time",
                               due);
    }
    int result = send_and_print(ctx, "POST", "/api/v1/actions", req);
    json_decref(req);
    return result;
}

static void print_actions(const json_t *body)
{
    const json_t *list = json_object_get(body, "actions");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no action items");
        return;
    }
    static const char *const headers[] = {"ID",  "STATUS",   "PRI",  "OWNER",
                                          "DUE", "INCIDENT", "TITLE"};
    struct cli_table *t = cli_table_new(7, headers);
    cli_table_set_max(t, 6, cli_last_col(90, 50));
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(list, i);
        char due[CLI_TIME_LEN + 16];
        cli_fmt_time(cli_jstr(a, "due_at"), due, sizeof due);
        if (cli_jbool(a, "overdue"))
            strncat(due, " OVERDUE", sizeof due - strlen(due) - 1);
        const char *cells[] = {cli_jstr(a, "id"),
                               cli_jstr(a, "status"),
                               cli_jstr(a, "priority"),
                               cli_jstr(a, "owner"),
                               due,
                               cli_jstr(a, "incident_id"),
                               cli_jstr(a, "title")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu action item%s\n", n, n == 1 ? "" : "s");
}

static void query_add(struct buf *b, const char *key, const char *value)
{
    if (!value)
        return;
    char *v = cli_path_escape(value);
    buf_printf(b, "%s%s=%s", strchr(b->data, '?') ? "&" : "?", key, v);
    free(v);
}

static int action_list(struct cli_ctx *ctx)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "/api/v1/actions");
    query_add(&b, "owner", ctx->str[AO_OWNER]);
    query_add(&b, "status", ctx->str[AO_STATUS]);
    query_add(&b, "incident", ctx->str[AO_INCIDENT]);
    query_add(&b, "overdue", ctx->flag[AO_OVERDUE] ? "true" : NULL);
    int result = cli_get_and_print(ctx, b.data, print_actions);
    buf_free(&b);
    return result;
}

static int action_done(struct cli_ctx *ctx)
{
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "done: the ID must not be empty");
    char *path = cli_segment_path("/api/v1/actions/", ctx->pos[1], "/done");
    int result = send_and_print(ctx, "POST", path, NULL);
    free(path);
    return result;
}

static const struct cli_sub action_subs[] = {
    {"add", 2,
     CLI_SUB_STR(AO_OWNER) | CLI_SUB_STR(AO_DUE) | CLI_SUB_STR(AO_PRIORITY) |
         CLI_SUB_STR(AO_INCIDENT) | CLI_SUB_STR(AO_POSTMORTEM),
     action_add},
    {"list", 1,
     CLI_SUB_STR(AO_OWNER) | CLI_SUB_STR(AO_STATUS) | CLI_SUB_STR(AO_INCIDENT) |
         CLI_SUB_FLAG(AO_OVERDUE),
     action_list},
    {"done", 2, 0, action_done},
};

static int action_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, action_subs, sizeof(action_subs) / sizeof(action_subs[0]));
}

static const struct cli_cmd action_cmd = {
    "usage: tocsin action add TITLE [--owner USER] [--due 3d|TIME] [-p p0|p1|p2|p3]\n"
    "                         [--incident ID] [--postmortem ID] [--json]\n"
    "       tocsin action list [--owner USER] [--status open|done|all] [--incident ID]\n"
    "                          [--overdue] [--json]\n"
    "       tocsin action done ID [--json]\n"
    "\n"
    "Action items (responder to change, viewer to list), across incidents. An open item past\n"
    "its due date reminds its owner once a day until it is done. `add` prints the id alone on\n"
    "the first line.\n"
    "  --owner USER           who does it (a config user); list: only theirs\n"
    "  --due 3d|TIME          due in a duration, or at an RFC 3339 time\n"
    "  -p, --priority P       p0 (highest) .. p3; default p2\n"
    "  --incident ID          the incident it came from; list: only that incident's\n"
    "  --postmortem ID        the post-mortem it came from (implies its incident)\n"
    "  --status S             list: open (default), done or all\n"
    "  --overdue              list: only open items past their due date\n",
    action_opts, 1, 2, action_run};

static int cli_action(int argc, char **argv)
{
    return cli_run(argc, argv, &action_cmd);
}

static const struct cli_verb verbs[] = {
    {"action", cli_action, "action add|list|done: follow-up work with owners and due dates"},
};
CLI_VERBS(actions, verbs);
