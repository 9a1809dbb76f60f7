/*
 * cli/notices: a one-off notice to a list of affected customers (docs/api.md "Customer notices").
 *   tocsin notice send INCIDENT --csv FILE (--template ID | --subject TEXT --body-file FILE)
 *                                                  POST /api/v1/incidents/{id}/notices
 * FILE "-" is standard input (one of them at most). The subject and body may carry placeholders
 * ({{customer.COLUMN}}, {{incident.FIELD}}); the server checks them all before anything is
 * queued. Prints "ntc_...: N mails queued: SUBJECT". Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NO_CSV, NO_TEMPLATE, NO_SUBJECT, NO_BODY_FILE };
enum { FILE_MAX = 4 * 1024 * 1024 };

static const struct cli_opt opts[] = {
    {"--csv", NULL, CLI_OPT_STR, NO_CSV},
    {"--template", NULL, CLI_OPT_STR, NO_TEMPLATE},
    {"--subject", NULL, CLI_OPT_STR, NO_SUBJECT},
    {"--body-file", NULL, CLI_OPT_STR, NO_BODY_FILE},
    {NULL, NULL, 0, 0},
};

/* The whole of path ("-": standard input), or NULL with a message on stderr. */
static char *read_all(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tocsin notice: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct buf b;
    buf_init(&b, FILE_MAX);
    char chunk[8192];
    size_t n;
    bool over = false;
    while (!over && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        over = buf_append(&b, chunk, n) != 0;
    bool failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (over || failed) {
        fprintf(stderr, "tocsin notice: %s: %s\n", path, over ? "larger than 4 MiB" : "read error");
        buf_free(&b);
        return NULL;
    }
    char *out = buf_steal(&b);
    return out ? out : xstrdup("");
}

static int notice_send(struct cli_ctx *ctx)
{
    const char *csv_path = ctx->str[NO_CSV], *tmpl = ctx->str[NO_TEMPLATE],
               *subject = ctx->str[NO_SUBJECT], *body_path = ctx->str[NO_BODY_FILE];
    if (!csv_path)
        return cli_usage_error(ctx, "send: --csv FILE is required");
    if (tmpl && (subject || body_path))
        return cli_usage_error(ctx, "send: --template, or --subject and --body-file, not both");
    if (!tmpl && (!subject || !body_path))
        return cli_usage_error(ctx, "send: --template ID, or --subject TEXT and --body-file FILE");
    if (body_path && strcmp(csv_path, "-") == 0 && strcmp(body_path, "-") == 0)
        return cli_usage_error(ctx, "send: only one of --csv and --body-file can be -");
    char *csv = read_all(csv_path);
    char *body = csv && body_path ? read_all(body_path) : NULL;
    if (!csv || (body_path && !body)) {
        free(csv);
        free(body);
        return CLI_USAGE;
    }
    json_t *req = json_object();
    cli_json_set_str(req, "recipients", csv);
    if (tmpl)
        cli_json_set_str(req, "template", tmpl);
    else {
        cli_json_set_str(req, "subject", subject);
        cli_json_set_str(req, "body", body);
    }
    free(csv);
    free(body);
    if (!json_object_get(req, "recipients") || (!tmpl && !json_object_get(req, "body"))) {
        json_decref(req);
        return cli_usage_error(ctx, "send: the CSV and the body must be UTF-8 text");
    }
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[1], "/notices");
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", path, req, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        cli_put(stdout, cli_jstr(resp.body, "id"));
        printf(": %lld mails queued: ",
               (long long)json_integer_value(json_object_get(resp.body, "recipients")));
        cli_put(stdout, cli_jstr(resp.body, "subject"));
        fputc('\n', stdout);
    }
    cli_resp_free(&resp);
    free(path);
    json_decref(req);
    return result;
}

static const struct cli_sub notice_subs[] = {
    {"send", 2,
     CLI_SUB_STR(NO_CSV) | CLI_SUB_STR(NO_TEMPLATE) | CLI_SUB_STR(NO_SUBJECT) |
         CLI_SUB_STR(NO_BODY_FILE),
     notice_send},
};

static int notice_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, notice_subs, sizeof notice_subs / sizeof notice_subs[0]);
}

static const struct cli_cmd notice_cmd = {
    "usage: tocsin notice send INCIDENT --csv FILE --template ID [--json]\n"
    "       tocsin notice send INCIDENT --csv FILE --subject TEXT --body-file FILE [--json]\n"
    "\n"
    "A one-off mail to the customers an incident affected (responder). FILE is a CSV with a\n"
    "header row naming an `email` column (other columns feed placeholders); - reads standard\n"
    "input. The subject and body (or the status_templates entry ID) may say\n"
    "{{customer.COLUMN}} (e.g. {{customer.name}}) and {{incident.id}}, {{incident.title}},\n"
    "{{incident.severity}}, {{incident.status}}, {{incident.service}}, {{incident.started_at}},\n"
    "{{incident.url}}. Everything is checked before a mail is queued: an unknown placeholder or\n"
    "a bad line refuses the whole notice. Each address gets one mail through the outbox.\n",
    opts, 2, 2, notice_run};

static int cli_notice(int argc, char **argv)
{
    return cli_run(argc, argv, &notice_cmd);
}

static const struct cli_verb verbs[] = {
    {"notice", cli_notice, "notice send: mail a notice to a CSV of affected customers"},
};
CLI_VERBS(notices, verbs);
