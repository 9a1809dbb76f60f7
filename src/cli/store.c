/*
 * cli/store: the `store` verb, offline work on the store itself (no server): its table of
 * sub-commands, each in its own file:
 *   tocsin store copy --from FILE --to URL     store_copy.c (docs/internals/store_copy.md)
 * Runs through cli_run_local (no --url/--token). Main thread only.
 */
#include "cli/cli.h"
#include "cli/store.h"

static const struct cli_opt store_opts[] = {
    {"--from", NULL, CLI_OPT_STR, STORE_OPT_FROM},
    {"--to", NULL, CLI_OPT_STR, STORE_OPT_TO},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const struct cli_sub store_subs[] = {
    {"copy", 1, CLI_SUB_STR(STORE_OPT_FROM) | CLI_SUB_STR(STORE_OPT_TO), cli_store_copy},
};

static int store_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, store_subs, sizeof(store_subs) / sizeof(store_subs[0]));
}

static const struct cli_cmd store_cmd = {
    "usage: tocsin store copy --from FILE --to URL [--json]\n"
    "\n"
    "Works on a store offline, without a server.\n"
    "  copy   copies a stopped single-node install's SQLite database (FILE, e.g. data/tocsin.db)\n"
    "         into an empty PostgreSQL database (URL: postgres://USER@HOST/DB or a libpq\n"
    "         connection string): applies the server's migrations to it, copies every table\n"
    "         in one transaction, checks every row count and the audit chain's head, and\n"
    "         prints the counts. Refuses a database that is not empty, a SQLite file a server\n"
    "         has open, or one of another tocsin version; then nothing is written.\n"
    "  --from FILE    the SQLite database (storage.path of the config)\n"
    "  --to URL       the PostgreSQL database (storage.url for the new config)\n"
    "exit codes: 0 copied and checked, 1 refused or failed (nothing written), 2 usage error\n",
    store_opts, 1, 1, store_run};

static int cli_store(int argc, char **argv)
{
    return cli_run_local(argc, argv, &store_cmd);
}

static const struct cli_verb verbs[] = {
    {"store", cli_store, "work on the store offline: copy SQLite to PostgreSQL"},
};
CLI_VERBS(store, verbs);
