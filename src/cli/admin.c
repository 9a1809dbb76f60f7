/*
 * cli/admin: the verbs that manage tocsin itself rather than an incident:
 *   tocsin audit verify [--full] [--json]              POST /api/v1/audit/verify
 *   tocsin token create --name N --role R [--json]     POST /api/v1/tokens
 *   tocsin token list [--json]                         GET /api/v1/tokens
 *   tocsin token revoke ID                             DELETE /api/v1/tokens/ID
 * Each verb has sub-commands, picked from a table by the first positional with cli_dispatch()
 * (so options may still come before it: `tocsin token --url U create --name ci --role viewer`).
 *
 * Output contract: `audit verify` exits 1 when the chain is broken (even with --json), printing
 * "audit chain BROKEN at seq N (M entries)"; `token create` prints the secret alone on line 1.
 * Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_int_t jint(const json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

/* ---- audit --------------------------------------------------------------------------------- */

enum { A_FULL };

static const struct cli_opt audit_opts[] = {
    {"--full", NULL, CLI_OPT_FLAG, A_FULL},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static int audit_verify(struct cli_ctx *ctx)
{
    struct cli_resp resp;
    json_t *req = ctx->flag[A_FULL] ? json_pack("{s:b}", "full", 1) : NULL;
    int result = cli_request(ctx, "POST", "/api/v1/audit/verify", req, &resp);
    json_decref(req);
    if (result != CLI_OK)
        goto out;
    const json_t *r = resp.body;
    bool valid = json_is_true(json_object_get(r, "valid"));
    const char *mode = cli_jstr(r, "mode");
    mode = mode && strcmp(mode, "incremental") == 0 ? "incremental" : "full";
    if (ctx->json) {
        cli_print_raw(&resp);
    } else if (valid) {
        printf("audit chain valid: %lld entries, head ", (long long)jint(r, "entries"));
        cli_put(stdout, cli_jstr(r, "head"));
        printf(" (%s pass: %lld checked from seq %lld)\n", mode, (long long)jint(r, "checked"),
               (long long)jint(r, "from_seq"));
    } else {
        json_t *at = json_object_get(r, "first_break_at");
        fputs("audit chain BROKEN", stdout);
        if (json_is_integer(at))
            printf(" at seq %lld", (long long)json_integer_value(at));
        printf(" (%lld entries, %s pass)\n", (long long)jint(r, "entries"), mode);
        const char *why = cli_jstr(r, "error");
        if (why) {
            cli_put(stderr, why);
            fputc('\n', stderr);
        }
    }
    if (!valid)
        result = CLI_REFUSED;
out:
    cli_resp_free(&resp);
    return result;
}

static const struct cli_sub audit_subs[] = {
    {"verify", 1, CLI_SUB_FLAG(A_FULL), audit_verify},
};

static int audit_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, audit_subs, sizeof(audit_subs) / sizeof(audit_subs[0]));
}

static const struct cli_cmd audit_cmd = {
    "usage: tocsin audit verify [--full] [--json]\n"
    "\n"
    "Checks the timeline's hash chain on the server. Exit 0 when it is intact,\n"
    "1 when an entry was changed, deleted or reordered (the first bad seq is printed).\n"
    "By default only the entries after the last verified one are recomputed (and that\n"
    "one compared with its remembered hash); a full pass runs by itself every\n"
    "storage.audit_full_every (7d).\n"
    "  --full   recompute the whole chain from the first entry\n"
    "Keep the printed head elsewhere to detect truncation.\n",
    audit_opts, 1, 1, audit_run};

static int cli_audit(int argc, char **argv)
{
    return cli_run(argc, argv, &audit_cmd);
}

/* ---- token --------------------------------------------------------------------------------- */

enum { T_NAME, T_ROLE };

static const struct cli_opt token_opts[] = {
    {"--name", NULL, CLI_OPT_STR, T_NAME},
    {"--role", NULL, CLI_OPT_STR, T_ROLE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_kv(const char *label, const char *value)
{
    printf("%-8s ", label);
    cli_put(stdout, value);
    fputc('\n', stdout);
}

static int token_create(struct cli_ctx *ctx)
{
    if (!ctx->str[T_NAME] || !ctx->str[T_ROLE])
        return cli_usage_error(ctx, "create: --name and --role are required");
    json_t *req = json_object();
    json_object_set_new(req, "name", json_string(ctx->str[T_NAME]));
    json_object_set_new(req, "role", json_string(ctx->str[T_ROLE]));
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", "/api/v1/tokens", req, &resp);
    json_decref(req);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const json_t *t = resp.body;
        cli_put(stdout, cli_jstr(t, "token"));
        fputc('\n', stdout);
        print_kv("id:", cli_jstr(t, "id"));
        print_kv("name:", cli_jstr(t, "name"));
        print_kv("role:", cli_jstr(t, "role"));
        if (isatty(STDOUT_FILENO))
            fputs("note: the token is shown only once; store it now\n", stderr);
    }
    cli_resp_free(&resp);
    return result;
}

static void print_tokens(const json_t *body)
{
    const json_t *list = json_object_get(body, "tokens");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no tokens");
        return;
    }
    static const char *const headers[] = {"ID", "NAME", "ROLE", "CREATED", "REVOKED"};
    struct cli_table *t = cli_table_new(5, headers);
    for (size_t i = 0; i < n; i++) {
        const json_t *tok = json_array_get(list, i);
        char created[CLI_TIME_LEN], revoked[CLI_TIME_LEN];
        cli_fmt_time(cli_jstr(tok, "created_at"), created, sizeof(created));
        cli_fmt_time(cli_jstr(tok, "revoked_at"), revoked, sizeof(revoked));
        const char *cells[] = {cli_jstr(tok, "id"), cli_jstr(tok, "name"), cli_jstr(tok, "role"),
                               created, revoked};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu token%s\n", n, n == 1 ? "" : "s");
}

static int token_list(struct cli_ctx *ctx)
{
    struct cli_resp resp;
    int result = cli_request_pages(ctx, "/api/v1/tokens", 0, &resp); /* every page */
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_tokens(resp.body);
    cli_resp_free(&resp);
    return result;
}

static int token_revoke(struct cli_ctx *ctx)
{
    return cli_delete_and_print(ctx, "/api/v1/tokens/", "token ID", "revoked");
}

static const struct cli_sub token_subs[] = {
    {"create", 1, CLI_SUB_STR(T_NAME) | CLI_SUB_STR(T_ROLE), token_create},
    {"list", 1, 0, token_list},
    {"revoke", 2, 0, token_revoke},
};

static int token_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, token_subs, sizeof(token_subs) / sizeof(token_subs[0]));
}

static const struct cli_cmd token_cmd = {
    "usage: tocsin token create --name N --role admin|responder|viewer [--json]\n"
    "       tocsin token list [--json]\n"
    "       tocsin token revoke ID\n"
    "\n"
    "Manages API tokens (admin only). `create` prints the new secret alone on the first line;\n"
    "it is shown only once.\n"
    "  --name N     1..64 of [A-Za-z0-9._-], unique among live tokens\n"
    "  --role R     admin, responder or viewer\n",
    token_opts, 1, 2, token_run};

static int cli_token(int argc, char **argv)
{
    return cli_run(argc, argv, &token_cmd);
}

static const struct cli_verb verbs[] = {
    {"audit", cli_audit, "audit verify: check the hash chain"},
    {"token", cli_token, "token create|list|revoke"},
};
CLI_VERBS(admin, verbs);
