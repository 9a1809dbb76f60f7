/*
 * cli/incident_fields: what the config's conditional rules read (docs/config.md "rules").
 *   tocsin field ID NAME [VALUE]          PUT /api/v1/incidents/ID/fields/NAME {value}; no VALUE
 *                                         (or --clear) removes the field
 *   tocsin failed-resolution ID [-m NOTE] POST /api/v1/incidents/ID/failed-resolutions {note?}
 * Output contract: `field` prints "INC-... NAME=VALUE" (or "INC-... NAME cleared"), then
 * "rules fired: a, b" when the incident's rules_fired is not empty; `failed-resolution` prints
 * "INC-... failed resolution attempts: N" and the same rules line. --json prints the server's
 * reply (the incident) as-is. One request per verb; main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { F_NOTE, F_CLEAR };

static const struct cli_opt failed_opts[] = {
    {"--message", "-m", CLI_OPT_STR, F_NOTE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const struct cli_opt field_opts[] = {
    {"--clear", NULL, CLI_OPT_FLAG, F_CLEAR},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_rules(const json_t *inc)
{
    json_t *fired = json_object_get(inc, "rules_fired");
    if (!json_array_size(fired))
        return;
    fputs("rules fired: ", stdout);
    for (size_t i = 0; i < json_array_size(fired); i++) {
        fputs(i ? ", " : "", stdout);
        cli_put(stdout, json_string_value(json_array_get(fired, i)));
    }
    fputc('\n', stdout);
}

static void print_field(const struct cli_ctx *ctx, const json_t *inc)
{
    const char *v = cli_jstr(json_object_get(inc, "fields"), ctx->pos[1]);
    cli_put(stdout, cli_jstr(inc, "id"));
    fputc(' ', stdout);
    cli_put(stdout, ctx->pos[1]);
    if (v) {
        fputc('=', stdout);
        cli_put(stdout, v);
    } else {
        fputs(" cleared", stdout);
    }
    fputc('\n', stdout);
    print_rules(inc);
}

static void print_failed(const struct cli_ctx *ctx, const json_t *inc)
{
    (void)ctx;
    cli_put(stdout, cli_jstr(inc, "id"));
    printf(" failed resolution attempts: %lld\n",
           (long long)json_integer_value(json_object_get(inc, "failed_resolutions")));
    print_rules(inc);
}

static int call(struct cli_ctx *ctx, const char *method, const char *suffix, json_t *req,
                void (*print)(const struct cli_ctx *, const json_t *))
{
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[0], suffix);
    struct cli_resp resp;
    int result = cli_request(ctx, method, path, req, &resp);
    if (result == CLI_OK) {
        if (ctx->json)
            cli_print_raw(&resp);
        else
            print(ctx, resp.body);
    }
    cli_resp_free(&resp);
    json_decref(req);
    free(path);
    return result;
}

static int field_run(struct cli_ctx *ctx)
{
    if (!ctx->pos[0][0] || !ctx->pos[1][0])
        return cli_usage_error(ctx, "ID and NAME must not be empty");
    bool clear = ctx->flag[F_CLEAR] || ctx->npos < 3;
    if (ctx->flag[F_CLEAR] && ctx->npos == 3)
        return cli_usage_error(ctx, "give VALUE or --clear, not both");
    if (!clear && !ctx->pos[2][0])
        return cli_usage_error(ctx, "VALUE must not be empty (--clear removes the field)");
    json_t *req = json_pack("{s:o}", "value", clear ? json_null() : json_string(ctx->pos[2]));
    char *name = cli_path_escape(ctx->pos[1]);
    size_t n = strlen(name) + 9;
    char *suffix = xmalloc(n);
    snprintf(suffix, n, "/fields/%s", name);
    int result = call(ctx, "PUT", suffix, req, print_field);
    free(suffix);
    free(name);
    return result;
}

static int failed_run(struct cli_ctx *ctx)
{
    if (!ctx->pos[0][0])
        return cli_usage_error(ctx, "ID must not be empty");
    const char *note = ctx->str[F_NOTE];
    if (note && !note[0])
        return cli_usage_error(ctx, "-m: the note must not be empty");
    json_t *req = json_object();
    if (note)
        json_object_set_new(req, "note", json_string(note));
    return call(ctx, "POST", "/failed-resolutions", req, print_failed);
}

static const struct cli_cmd field_cmd = {
    "usage: tocsin field ID NAME [VALUE] [--clear]\n"
    "\n"
    "Sets the incident field NAME (a-z, 0-9, _ and -) to VALUE, which the config's rules can\n"
    "match (`when: {fields: {NAME: VALUE}}`); without VALUE, or with --clear, removes it.\n",
    field_opts, 2, 3, field_run};

static const struct cli_cmd failed_cmd = {
    "usage: tocsin failed-resolution ID [-m NOTE]\n"
    "\n"
    "Records a failed resolution attempt on the open incident ID (a fix tried that did not\n"
    "work; reopening a resolved incident counts one by itself). Rules with\n"
    "`when: {failed_resolutions: N}` fire on the Nth.\n",
    failed_opts, 1, 1, failed_run};

static int cli_field(int argc, char **argv)
{
    return cli_run(argc, argv, &field_cmd);
}

static int cli_failed(int argc, char **argv)
{
    return cli_run(argc, argv, &failed_cmd);
}

static const struct cli_verb verbs[] = {
    {"field", cli_field, "set or clear an incident field (what conditional rules match)"},
    {"failed-resolution", cli_failed, "record a failed resolution attempt on an incident"},
};
CLI_VERBS(incident_fields, verbs);
