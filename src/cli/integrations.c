/*
 * cli/integrations: the integration-key verb (admin only).
 *   tocsin integration create --service S --type T [--name N]   POST /api/v1/integrations
 *   tocsin integration list                                     GET /api/v1/integrations
 *   tocsin integration revoke ID                                DELETE /api/v1/integrations/ID
 * `integration create` prints the key alone on line 1 of stdout (it is shown only once), then
 * where to point the sender.
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
    cli_print_kv("id:", cli_jstr(in, "id"));
    cli_print_kv("name:", cli_jstr(in, "name"));
    cli_print_kv("service:", cli_jstr(in, "service"));
    cli_print_kv("type:", cli_jstr(in, "type"));
    print_hint(ctx, cli_jstr(in, "type"));
    if (isatty(STDOUT_FILENO))
        fputs("note: the key is shown only once; store it now\n", stderr);
}

static int integration_create(struct cli_ctx *ctx)
{
    if (!ctx->str[I_SERVICE] || !ctx->str[I_TYPE])
        return cli_usage_error(ctx, "create: --service and --type are required");
    json_t *req = json_object();
    cli_json_set_str(req, "service", ctx->str[I_SERVICE]);
    cli_json_set_str(req, "type", ctx->str[I_TYPE]);
    cli_json_set_str(req, "name", ctx->str[I_NAME]);
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
    return cli_get_and_print(ctx, "/api/v1/integrations", print_integrations);
}

static int integration_revoke(struct cli_ctx *ctx)
{
    return cli_delete_and_print(ctx, "/api/v1/integrations/", "ID", "revoked");
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

static int cli_integration(int argc, char **argv)
{
    return cli_run(argc, argv, &integration_cmd);
}

static const struct cli_verb verbs[] = {
    {"integration", cli_integration, "integration create|list|revoke: alert ingest keys"},
};
CLI_VERBS(integrations, verbs);
