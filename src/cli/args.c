/*
 * cli/args: the option parser every client verb goes through, and cli_run(), the verb's frame.
 *
 * Job: turn argv into a struct cli_ctx from a verb's option table (struct cli_cmd), so that the
 * verbs hold no parsing code. Options may come before or after positionals; "--" ends them;
 * "--opt=value" and "--opt value" are both accepted; "-" alone is a positional (assign's "clear").
 * -h/--help anywhere (before "--") prints the usage on stdout and exits 0, whatever else is wrong.
 * The common options --url, --token and --json are accepted by every verb (only --json by a
 * local verb, cli_run_local). A CLI_OPT_LIST option may repeat; the others keep their last value.
 * Sub-commands (`token create`) are picked from a table by cli_dispatch(), which also refuses the
 * verb's options that do not apply to the sub-command chosen.
 *
 * Invariants: a usage error never reaches the network; libcurl's global state is initialised
 * exactly once per verb run, just before the verb's function, and cleaned up right after it.
 * Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_URL "http://127.0.0.1:8080"

static const char common_usage[] =
    "\ncommon options:\n"
    "  --url URL      server address (default $TOCSIN_URL, else " DEFAULT_URL ")\n"
    "  --token T      API token (default $TOCSIN_TOKEN)\n"
    "  --json         print the server's JSON reply as-is\n"
    "  -h, --help     show this help\n"
    "exit codes: 0 done, 1 the server refused, 2 usage error, 3 server unreachable\n";

enum { COMMON_URL = -1, COMMON_TOKEN = -2, COMMON_JSON = -3 };

static const struct cli_opt common_opts[] = {
    {"--url", NULL, CLI_OPT_STR, COMMON_URL},
    {"--token", NULL, CLI_OPT_STR, COMMON_TOKEN},
    {"--json", NULL, CLI_OPT_FLAG, COMMON_JSON},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const char local_usage[] = "\ncommon options:\n"
                                  "  --json         print JSON for scripts\n"
                                  "  -h, --help     show this help\n";

static const struct cli_opt local_opts[] = {
    {"--json", NULL, CLI_OPT_FLAG, COMMON_JSON},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_usage(const struct cli_cmd *cmd, bool local, FILE *f)
{
    fputs(cmd->usage, f);
    fputs(local ? local_usage : common_usage, f);
}

static int usage_fail(const char *verb, const struct cli_cmd *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "tocsin %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    /* The synopsis only (up to the first blank line); --help has the rest. */
    const char *end = strstr(cmd->usage, "\n\n");
    int n = end ? (int)(end - cmd->usage) + 1 : (int)strlen(cmd->usage);
    fprintf(stderr, "%.*s", n, cmd->usage);
    fprintf(stderr, "run 'tocsin %s --help' for more\n", verb);
    return CLI_USAGE;
}

static int usage_error(const char *verb, const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int usage_error(const char *verb, const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_fail(verb, cmd, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_fail(ctx->verb, ctx->cmd, fmt, ap);
    va_end(ap);
    return rc;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

/* The option named by `name` (up to name_len bytes) in `table`, or NULL. */
static const struct cli_opt *find_in(const struct cli_opt *table, const char *name, size_t name_len)
{
    for (const struct cli_opt *o = table; o && o->lng; o++) {
        if (strlen(o->lng) == name_len && strncmp(o->lng, name, name_len) == 0)
            return o;
        if (o->shrt && strlen(o->shrt) == name_len && strncmp(o->shrt, name, name_len) == 0)
            return o;
    }
    return NULL;
}

static void set_str(struct cli_ctx *ctx, int slot, const char *value)
{
    if (slot == COMMON_URL)
        ctx->url = value;
    else if (slot == COMMON_TOKEN)
        ctx->token = value;
    else if (slot >= 0 && slot < CLI_SLOTS)
        ctx->str[slot] = value;
}

static void add_list(struct cli_ctx *ctx, int slot, const char *value)
{
    if (slot < 0 || slot >= CLI_SLOTS)
        return;
    int n = ctx->nlist[slot];
    ctx->list[slot] = xrealloc(ctx->list[slot], (size_t)(n + 1) * sizeof(char *));
    ctx->list[slot][n] = value;
    ctx->nlist[slot] = n + 1;
    ctx->str[slot] = value;
}

static void set_flag(struct cli_ctx *ctx, int slot)
{
    if (slot == COMMON_JSON)
        ctx->json = true;
    else if (slot >= 0 && slot < CLI_SLOTS)
        ctx->flag[slot] = true;
}

/* Handles the option at argv[*i]; advances *i past a separate value. CLI_OK or CLI_USAGE. */
static int take_option(struct cli_ctx *ctx, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct cli_opt *o = find_in(ctx->local ? local_opts : common_opts, arg, name_len);
    if (!o)
        o = find_in(ctx->cmd->opts, arg, name_len);
    if (!o)
        return usage_error(ctx->verb, ctx->cmd, "unknown option '%.*s'", (int)name_len, arg);
    if (o->kind == CLI_OPT_FLAG) {
        if (eq)
            return usage_error(ctx->verb, ctx->cmd, "option '%s' takes no value", o->lng);
        set_flag(ctx, o->slot);
        return CLI_OK;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc)
            return usage_error(ctx->verb, ctx->cmd, "option '%.*s' needs a value", (int)name_len,
                               arg);
        value = argv[++*i];
    }
    if (o->kind == CLI_OPT_LIST)
        add_list(ctx, o->slot, value);
    else
        set_str(ctx, o->slot, value);
    return CLI_OK;
}

/* Everything sent to the server is JSON, which must be UTF-8: check it here, as a usage error. */
static bool is_utf8(const char *s)
{
    json_t *probe = json_string(s);
    bool ok = probe != NULL;
    json_decref(probe);
    return ok;
}

static int parse(struct cli_ctx *ctx, int argc, char **argv)
{
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_pos && strcmp(arg, "--") == 0) {
            only_pos = true;
        } else if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            ctx->pos[ctx->npos++] = argv[i];
        } else {
            int rc = take_option(ctx, argc, argv, &i);
            if (rc != CLI_OK)
                return rc;
        }
    }
    const struct cli_cmd *cmd = ctx->cmd;
    for (int i = 0; i < ctx->npos; i++)
        if (!is_utf8(ctx->pos[i]))
            return usage_error(ctx->verb, cmd, "argument %d is not valid UTF-8", i + 1);
    for (int i = 0; i < CLI_SLOTS; i++) {
        bool bad = ctx->str[i] && !is_utf8(ctx->str[i]);
        for (int j = 0; j < ctx->nlist[i]; j++)
            bad = bad || !is_utf8(ctx->list[i][j]);
        if (bad)
            return usage_error(ctx->verb, cmd, "an option's value is not valid UTF-8");
    }
    if (ctx->npos < cmd->min_pos)
        return usage_error(ctx->verb, cmd, "missing argument");
    if (cmd->max_pos >= 0 && ctx->npos > cmd->max_pos)
        return usage_error(ctx->verb, cmd, "unexpected argument '%s'", ctx->pos[cmd->max_pos]);
    return CLI_OK;
}

/* --url beats $TOCSIN_URL beats the default; --token beats $TOCSIN_TOKEN; empty means unset. */
static void apply_defaults(struct cli_ctx *ctx)
{
    if (!ctx->url || !*ctx->url) {
        const char *env = getenv("TOCSIN_URL");
        ctx->url = env && *env ? env : DEFAULT_URL;
    }
    if (!ctx->token) {
        const char *env = getenv("TOCSIN_TOKEN");
        ctx->token = env;
    }
    if (ctx->token && !*ctx->token)
        ctx->token = NULL;
}

static int run_frame(int argc, char **argv, const struct cli_cmd *cmd, bool local)
{
    const char *verb = argc > 0 && argv[0] ? argv[0] : "?";
    if (wants_help(argc, argv)) {
        print_usage(cmd, local, stdout);
        return CLI_OK;
    }
    struct cli_ctx ctx = {.verb = verb, .cmd = cmd, .local = local};
    ctx.pos = xcalloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
    int result = parse(&ctx, argc, argv);
    if (result != CLI_OK)
        goto out;
    if (!local)
        apply_defaults(&ctx);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "error: cannot initialise libcurl\n");
        result = CLI_UNREACHABLE;
        goto out;
    }
    result = cmd->run(&ctx);
    curl_global_cleanup();
out:
    for (int i = 0; i < CLI_SLOTS; i++)
        free(ctx.list[i]);
    free(ctx.pos);
    fflush(stdout);
    return result;
}

int cli_run(int argc, char **argv, const struct cli_cmd *cmd)
{
    return run_frame(argc, argv, cmd, false);
}

int cli_run_local(int argc, char **argv, const struct cli_cmd *cmd)
{
    return run_frame(argc, argv, cmd, true);
}

/* ---- sub-commands -------------------------------------------------------------------------- */

/* The first of the verb's options that was given but is not in `allowed`, or NULL. */
static const struct cli_opt *stray_option(const struct cli_ctx *ctx, unsigned allowed)
{
    for (const struct cli_opt *o = ctx->cmd->opts; o && o->lng; o++) {
        if (o->slot < 0 || o->slot >= CLI_SLOTS)
            continue;
        bool given = o->kind == CLI_OPT_FLAG ? ctx->flag[o->slot] : ctx->str[o->slot] != NULL;
        unsigned bit = o->kind == CLI_OPT_FLAG ? CLI_SUB_FLAG(o->slot) : CLI_SUB_STR(o->slot);
        if (given && !(allowed & bit))
            return o;
    }
    return NULL;
}

int cli_dispatch(struct cli_ctx *ctx, const struct cli_sub *subs, size_t n)
{
    const struct cli_sub *sub = NULL;
    for (size_t i = 0; i < n && !sub; i++)
        if (strcmp(subs[i].name, ctx->pos[0]) == 0)
            sub = &subs[i];
    if (!sub)
        return cli_usage_error(ctx, "unknown command '%s'", ctx->pos[0]);
    if (ctx->npos < sub->npos)
        return cli_usage_error(ctx, "%s: missing argument", sub->name);
    if (ctx->npos > sub->npos)
        return cli_usage_error(ctx, "%s: unexpected argument '%s'", sub->name, ctx->pos[sub->npos]);
    const struct cli_opt *stray = stray_option(ctx, sub->opts);
    if (stray)
        return cli_usage_error(ctx, "%s: option '%s' does not apply", sub->name, stray->lng);
    return sub->run(ctx);
}
