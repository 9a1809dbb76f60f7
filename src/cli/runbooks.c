/*
 * cli/runbooks: the config's runbooks, and their steps on an incident.
 *   tocsin runbook list [--json]                          GET /api/v1/runbooks
 *   tocsin runbook show ID [--format md|html] [--json]    GET /api/v1/runbooks/{id}
 *   tocsin runbook incident INCIDENT [--json]             GET /api/v1/incidents/{id}/runbooks
 *   tocsin runbook done INCIDENT RUNBOOK N                POST .../runbooks/{rb}/steps/{n}/done
 * Server strings go through cli_put()/cli_clean(). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RO_FORMAT };

static const struct cli_opt rb_opts[] = {
    {"--format", NULL, CLI_OPT_STR, RO_FORMAT},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_list(const json_t *body)
{
    const json_t *list = json_object_get(body, "runbooks");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no runbooks in the config");
        return;
    }
    static const char *const headers[] = {"ID", "STEPS", "ESTIMATE", "OWNER", "REVIEW BY", "TITLE"};
    struct cli_table *t = cli_table_new(6, headers);
    cli_table_set_max(t, 5, cli_last_col(60, 50));
    for (size_t i = 0; i < n; i++) {
        const json_t *rb = json_array_get(list, i);
        char steps[24];
        snprintf(steps, sizeof steps, "%lld",
                 (long long)json_integer_value(json_object_get(rb, "step_count")));
        char review[40];
        snprintf(review, sizeof review, "%.12s%s",
                 cli_jstr(rb, "review_by") ? cli_jstr(rb, "review_by") : "",
                 cli_jbool(rb, "review_overdue") ? " (overdue)" : "");
        const char *cells[] = {cli_jstr(rb, "id"),    steps,  cli_jstr(rb, "estimate"),
                               cli_jstr(rb, "owner"), review, cli_jstr(rb, "title")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu runbook%s\n", n, n == 1 ? "" : "s");
}

static int rb_list(struct cli_ctx *ctx)
{
    return cli_get_and_print(ctx, "/api/v1/runbooks", print_list);
}

static int rb_show(struct cli_ctx *ctx)
{
    const char *fmt = ctx->str[RO_FORMAT] ? ctx->str[RO_FORMAT] : "md";
    bool html = strcmp(fmt, "html") == 0;
    if (!html && strcmp(fmt, "md") != 0 && strcmp(fmt, "markdown") != 0)
        return cli_usage_error(ctx, "--format must be md or html, not '%s'", fmt);
    char *path = cli_segment_path("/api/v1/runbooks/", ctx->pos[1], "");
    struct cli_resp resp;
    int result = cli_request(ctx, "GET", path, NULL, &resp);
    free(path);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const char *doc = cli_jstr(resp.body, html ? "html" : "markdown");
        fputs(doc ? doc : "", stdout);
    }
    cli_resp_free(&resp);
    return result;
}

static void print_incident(const json_t *body)
{
    const json_t *list = json_object_get(body, "runbooks");
    if (json_array_size(list) == 0) {
        puts("no runbooks apply to this incident");
        return;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *rb = json_array_get(list, i);
        char *title = cli_clean(cli_jstr(rb, "title") ? cli_jstr(rb, "title") : "", 80);
        if (i)
            putchar('\n');
        cli_put(stdout, cli_jstr(rb, "id"));
        printf(": %s\n", title);
        free(title);
        const json_t *steps = json_object_get(rb, "steps");
        for (size_t k = 0; k < json_array_size(steps); k++) {
            const json_t *s = json_array_get(steps, k);
            char *text = cli_clean(cli_jstr(s, "text") ? cli_jstr(s, "text") : "", 100);
            printf("  [%c] %2zu. %s\n", cli_jbool(s, "done") ? 'x' : ' ', k + 1, text);
            free(text);
        }
    }
}

static int rb_incident(struct cli_ctx *ctx)
{
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[1], "/runbooks");
    int result = cli_get_and_print(ctx, path, print_incident);
    free(path);
    return result;
}

static int rb_done(struct cli_ctx *ctx)
{
    char *rb = cli_path_escape(ctx->pos[2]), *n = cli_path_escape(ctx->pos[3]);
    size_t len = strlen(rb) + strlen(n) + 32;
    char *suffix = xmalloc(len);
    snprintf(suffix, len, "/runbooks/%s/steps/%s/done", rb, n);
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[1], suffix);
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", path, NULL, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        printf("[x] %s step %s\n", ctx->pos[2], ctx->pos[3]);
    cli_resp_free(&resp);
    free(path);
    free(suffix);
    free(rb);
    free(n);
    return result;
}

static const struct cli_sub rb_subs[] = {
    {"list", 1, 0, rb_list},
    {"show", 2, CLI_SUB_STR(RO_FORMAT), rb_show},
    {"incident", 2, 0, rb_incident},
    {"done", 4, 0, rb_done},
};

static int rb_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, rb_subs, sizeof rb_subs / sizeof rb_subs[0]);
}

static const struct cli_cmd rb_cmd = {
    "usage: tocsin runbook list [--json]\n"
    "       tocsin runbook show ID [--format md|html] [--json]\n"
    "       tocsin runbook incident INCIDENT [--json]\n"
    "       tocsin runbook done INCIDENT RUNBOOK N\n"
    "\n"
    "Runbooks from the config. `show` prints one as Markdown (or HTML, rendered by libcmark);\n"
    "`incident` lists those that apply to an incident (by service, type or alert labels) with\n"
    "the steps done; `done` marks step N done (responder; on the incident's timeline).\n",
    rb_opts, 1, 4, rb_run};

static int cli_runbook(int argc, char **argv)
{
    return cli_run(argc, argv, &rb_cmd);
}

static const struct cli_verb verbs[] = {
    {"runbook", cli_runbook, "runbook list|show|incident|done: runbooks and their steps"},
};
CLI_VERBS(runbooks, verbs);
