/*
 * cli/store: the `tocsin store SUBCOMMAND` verb: offline tools on the store itself (no server),
 * one file each, dispatched from here:
 *   tocsin store check [options]                 store_check.c (docs/security.md)
 *   tocsin store copy --from FILE --to URL       store_copy.c (docs/internals/store_copy.md)
 *   tocsin store backup FILE, store restore FILE store_backup.c (docs/security.md "Backups")
 * Main thread only.
 */
#include "cli/cli.h"
#include "cli/store.h"

#include <stdio.h>
#include <string.h>

int store_check_main(int argc, char **argv);
int store_backup_main(int argc, char **argv);

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

static const struct cli_cmd copy_cmd = {
    "usage: tocsin store copy --from FILE --to URL [--json]\n"
    "\n"
    "Copies a stopped single-node install's SQLite database (FILE, e.g. data/tocsin.db) into an\n"
    "empty PostgreSQL database (URL: postgres://USER@HOST/DB or a libpq connection string):\n"
    "applies the server's migrations to it, copies every table in one transaction, checks every\n"
    "row count and the audit chain's head, and prints the counts. Refuses a database that is not\n"
    "empty, a SQLite file a server has open, or one of another tocsin version; then nothing is\n"
    "written.\n"
    "  --from FILE    the SQLite database (storage.path of the config)\n"
    "  --to URL       the PostgreSQL database (storage.url for the new config)\n"
    "exit codes: 0 copied and checked, 1 refused or failed (nothing written), 2 usage error\n",
    store_opts, 1, 1, store_run};

static const struct {
    const char *name, *summary;
} subcommands[] = {
    {"check", "full integrity check of the store and the timeline's chain"},
    {"copy", "copy a SQLite store into an empty PostgreSQL database"},
    {"backup", "a consistent copy of the SQLite store, while the server runs"},
    {"restore", "replace a stopped server's SQLite store with a checked backup"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin store SUBCOMMAND [options] (tocsin store SUBCOMMAND --help)\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
}

static int store_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "check") == 0)
        return store_check_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "backup") == 0 || strcmp(argv[1], "restore") == 0)
        return store_backup_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "copy") == 0)
        return cli_run_local(argc, argv, &copy_cmd); /* its table reads "copy" itself */
    fprintf(stderr, "store: unknown subcommand %s\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}

static const struct cli_verb verbs[] = {
    {"store", store_main, "offline store tools: check, copy SQLite to PostgreSQL, backup, restore"},
};
CLI_VERBS(store, verbs);
