/*
 * cli/postmortems: post-mortems (docs/internals/postmortems.md).
 *   tocsin postmortem INCIDENT [--owner U]        POST /api/v1/incidents/{id}/postmortem
 *   tocsin postmortem show|review|publish ID      GET / PATCH /api/v1/postmortems/{id}
 *   tocsin postmortem set ID FIELD TEXT           PATCH {FIELD: TEXT} ("-": read stdin)
 *   tocsin postmortem export ID [--format md|html]
 *   tocsin postmortem meeting ID AT USER[,USER...] [--duration D]
 *                                                 PUT /api/v1/postmortems/{id}/review
 *   tocsin postmortem cancel-meeting ID           DELETE /api/v1/postmortems/{id}/review
 * ID is the post-mortem's id (PM-INC-...) or its incident's id. Creating prints the id alone on
 * line 1. Server strings go through cli_put()/cli_clean(). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PO_OWNER, PO_FORMAT, PO_DURATION };
enum { STDIN_MAX = 1 << 20 };

static const struct cli_opt pm_opts[] = {
    {"--owner", NULL, CLI_OPT_STR, PO_OWNER},
    {"--format", NULL, CLI_OPT_STR, PO_FORMAT},
    {"--duration", NULL, CLI_OPT_STR, PO_DURATION},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const char *const text_fields[] = {
    "summary",   "impact",     "root_cause", "contributing_factors",
    "went_well", "went_badly", "lessons",    NULL};

static void print_pm(const json_t *pm)
{
    cli_put(stdout, cli_jstr(pm, "id"));
    fputc('\n', stdout);
    cli_print_kv("incident:", cli_jstr(pm, "incident_id"));
    cli_print_kv("state:", cli_jstr(pm, "state"));
    cli_print_kv("template:", cli_jstr(pm, "template"));
    cli_print_kv("owner:", cli_jstr(pm, "owner"));
    char due[CLI_TIME_LEN];
    cli_fmt_time(cli_jstr(pm, "due_at"), due, sizeof due);
    cli_print_kv("due:", cli_jbool(pm, "overdue") ? "overdue" : due);
    if (cli_jbool(pm, "overdue"))
        cli_print_kv("was due:", due);
    for (int i = 0; text_fields[i]; i++) {
        const char *v = cli_jstr(pm, text_fields[i]);
        char label[40];
        snprintf(label, sizeof label, "%s:", text_fields[i]);
        char *clean = v ? cli_clean(v, 200) : NULL;
        cli_print_kv(label, clean ? clean : "-");
        free(clean);
    }
}

/* "PM-" + id unless it is one already, as a path. */
static char *pm_path(const char *id, const char *suffix)
{
    struct buf b;
    buf_init(&b, 512);
    buf_printf(&b, "%s%s", strncmp(id, "PM-", 3) == 0 ? "" : "PM-", id);
    char *full = buf_steal(&b);
    char *path = cli_segment_path("/api/v1/postmortems/", full, suffix);
    free(full);
    return path;
}

static int send_and_print(struct cli_ctx *ctx, const char *method, const char *path, json_t *req)
{
    struct cli_resp resp;
    int result = cli_request(ctx, method, path, req, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_pm(resp.body);
    cli_resp_free(&resp);
    return result;
}

static int pm_create(struct cli_ctx *ctx)
{
    if (ctx->npos != 1)
        return cli_usage_error(ctx, "unknown command '%s'", ctx->pos[0]);
    if (ctx->str[PO_FORMAT])
        return cli_usage_error(ctx, "--format applies to export only");
    json_t *req = json_object();
    cli_json_set_str(req, "owner", ctx->str[PO_OWNER]);
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[0], "/postmortem");
    int result = send_and_print(ctx, "POST", path, req);
    json_decref(req);
    free(path);
    return result;
}

static int pm_show(struct cli_ctx *ctx)
{
    char *path = pm_path(ctx->pos[1], "");
    int result = send_and_print(ctx, "GET", path, NULL);
    free(path);
    return result;
}

static int pm_state(struct cli_ctx *ctx, const char *state)
{
    json_t *req = json_pack("{s:s}", "state", state);
    char *path = pm_path(ctx->pos[1], "");
    int result = send_and_print(ctx, "PATCH", path, req);
    free(path);
    json_decref(req);
    return result;
}

static int pm_review(struct cli_ctx *ctx)
{
    return pm_state(ctx, "in_review");
}

static int pm_publish(struct cli_ctx *ctx)
{
    return pm_state(ctx, "published");
}

static char *read_stdin(void)
{
    struct buf b;
    buf_init(&b, STDIN_MAX);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (buf_append(&b, chunk, n) != 0)
            break;
    return buf_steal(&b);
}

static int pm_set(struct cli_ctx *ctx)
{
    const char *field = ctx->pos[2], *text = ctx->pos[3];
    bool known = strcmp(field, "owner") == 0;
    for (int i = 0; text_fields[i] && !known; i++)
        known = strcmp(field, text_fields[i]) == 0;
    if (!known)
        return cli_usage_error(ctx,
                               "set: unknown field '%s' (summary, impact, root_cause, "
                               "contributing_factors, went_well, went_badly, lessons, owner)",
                               field);
    char *in = strcmp(text, "-") == 0 ? read_stdin() : NULL;
    json_t *req = json_object();
    json_object_set_new(req, field, json_string(in ? in : text));
    free(in);
    if (!json_object_get(req, field)) {
        json_decref(req);
        return cli_usage_error(ctx, "set: the text is not valid UTF-8");
    }
    char *path = pm_path(ctx->pos[1], "");
    int result = send_and_print(ctx, "PATCH", path, req);
    free(path);
    json_decref(req);
    return result;
}

static int pm_export(struct cli_ctx *ctx)
{
    const char *fmt = ctx->str[PO_FORMAT] ? ctx->str[PO_FORMAT] : "md";
    bool html = strcmp(fmt, "html") == 0;
    if (!html && strcmp(fmt, "md") != 0 && strcmp(fmt, "markdown") != 0)
        return cli_usage_error(ctx, "--format must be md or html, not '%s'", fmt);
    char *path = pm_path(ctx->pos[1], "/export?format=json");
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

/* The review meeting: each attendee gets the iCalendar invite by email. */
static int pm_meeting(struct cli_ctx *ctx)
{
    json_t *who = json_array();
    char *list = xstrdup(ctx->pos[3]);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(who, json_string(t));
    free(list);
    json_t *req = json_pack("{s:s,s:o}", "at", ctx->pos[2], "attendees", who);
    cli_json_set_str(req, "duration", ctx->str[PO_DURATION]);
    char *path = pm_path(ctx->pos[1], "/review");
    struct cli_resp resp;
    int result = cli_request(ctx, "PUT", path, req, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const json_t *rv = json_object_get(resp.body, "review");
        char at[CLI_TIME_LEN];
        cli_fmt_time(cli_jstr(rv, "at"), at, sizeof at);
        printf("review meeting of ");
        cli_put(stdout, cli_jstr(resp.body, "id"));
        printf(": %s, %lld min, invite #%lld sent by email to %s\n", at,
               (long long)json_integer_value(json_object_get(rv, "minutes")),
               (long long)json_integer_value(json_object_get(rv, "sequence")), ctx->pos[3]);
    }
    cli_resp_free(&resp);
    free(path);
    json_decref(req);
    return result;
}

/* Cancels the review meeting: each attendee gets an iCalendar cancellation by email. */
static int pm_meeting_cancel(struct cli_ctx *ctx)
{
    char *path = pm_path(ctx->pos[1], "/review");
    struct cli_resp resp;
    int result = cli_request(ctx, "DELETE", path, NULL, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        printf("review meeting of ");
        cli_put(stdout, cli_jstr(resp.body, "id"));
        printf(" cancelled; each attendee gets a cancellation by email\n");
    }
    cli_resp_free(&resp);
    free(path);
    return result;
}

static const struct cli_sub pm_subs[] = {
    {"cancel-meeting", 2, 0, pm_meeting_cancel},
    {"meeting", 4, CLI_SUB_STR(PO_DURATION), pm_meeting},
    {"show", 2, 0, pm_show},
    {"review", 2, 0, pm_review},
    {"publish", 2, 0, pm_publish},
    {"set", 4, 0, pm_set},
    {"export", 2, CLI_SUB_STR(PO_FORMAT), pm_export},
};

static int pm_run(struct cli_ctx *ctx)
{
    size_t n = sizeof pm_subs / sizeof pm_subs[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(pm_subs[i].name, ctx->pos[0]) == 0)
            return cli_dispatch(ctx, pm_subs, n);
    return pm_create(ctx);
}

static const struct cli_cmd pm_cmd = {
    "usage: tocsin postmortem INCIDENT [--owner USER] [--json]\n"
    "       tocsin postmortem show ID [--json]\n"
    "       tocsin postmortem set ID FIELD TEXT          (TEXT - reads standard input)\n"
    "       tocsin postmortem review ID\n"
    "       tocsin postmortem publish ID\n"
    "       tocsin postmortem export ID [--format md|html]\n"
    "       tocsin postmortem meeting ID AT USER[,USER...] [--duration 1h]\n"
    "       tocsin postmortem cancel-meeting ID\n"
    "\n"
    "Post-mortems (responder to change, viewer to read). `tocsin postmortem INCIDENT` makes the\n"
    "incident's post-mortem from the config's template, pre-filled with its summary, numbers,\n"
    "roles, timeline, alerts and notifications, and prints its id alone on the first line.\n"
    "ID is the post-mortem's id (PM-INC-...) or its incident's id. FIELD is one of summary,\n"
    "impact, root_cause, contributing_factors, went_well, went_badly, lessons, owner.\n"
    "States: draft -> review (in_review) -> publish (published); a published one is final.\n"
    "  --owner USER           who finishes it (default: the incident commander)\n"
    "meeting schedules (or moves) the review meeting at AT (RFC 3339); each USER gets an\n"
    "iCalendar invite by email (a USER dropped by a move gets a cancellation);\n"
    "cancel-meeting cancels it (everyone gets a cancellation).\n"
    "  --format md|html       export: Markdown (default) or HTML\n"
    "  --duration D           meeting: its length, 15m to 8h (default 1h)\n",
    pm_opts, 1, 4, pm_run};

static int cli_postmortem(int argc, char **argv)
{
    return cli_run(argc, argv, &pm_cmd);
}

static const struct cli_verb verbs[] = {
    {"postmortem", cli_postmortem,
     "postmortem INCIDENT|show|set|review|publish|export|meeting|cancel-meeting"},
};
CLI_VERBS(postmortems, verbs);
