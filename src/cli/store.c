/*
 * cli/store: the `tocsin store SUBCOMMAND` verb: offline tools on the store, one file each
 * (cli/store_<subcommand>.c), dispatched from this table. `check`: cli/store_check.c.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int store_check_main(int argc, char **argv);

static const struct cli_verb subcommands[] = {
    {"check", store_check_main, "full integrity check of the store and the timeline's chain"},
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
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "store: unknown subcommand %s\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}

static const struct cli_verb verbs[] = {
    {"store", store_main, "offline store tools: check"},
};
CLI_VERBS(store, verbs);
