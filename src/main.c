/*
 * main: `tocsin <verb> [args]`. The verb table is put together from the groups that
 * src/cli/verbs.def lists (each file declares its own verbs with CLI_VERBS); the server verbs
 * (serve, check-config) are in app/serve.c, the client verbs in src/cli/.
 */
#include "cli/cli.h"
#include "app/version.h"

#include <stdio.h>
#include <string.h>

#define CLI_GROUP(group) extern const struct cli_verb_set cli_verbs_##group;
#include "cli/verbs.def"
#undef CLI_GROUP

static const struct cli_verb_set *const groups[] = {
#define CLI_GROUP(group) &cli_verbs_##group,
#include "cli/verbs.def"
#undef CLI_GROUP
};
enum { NGROUPS = sizeof groups / sizeof groups[0] };

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin <verb> [args]   (tocsin <verb> --help for details)\n\n");
    for (size_t g = 0; g < NGROUPS; g++)
        for (size_t i = 0; i < groups[g]->count; i++)
            fprintf(f, "  %-13s %s\n", groups[g]->verbs[i].name, groups[g]->verbs[i].summary);
    fprintf(f, "\nclient verbs use --url or TOCSIN_URL (default http://127.0.0.1:8080) and "
               "TOCSIN_TOKEN\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tocsin %s\n", TOCSIN_VERSION);
        return 0;
    }
    for (size_t g = 0; g < NGROUPS; g++)
        for (size_t i = 0; i < groups[g]->count; i++)
            if (strcmp(argv[1], groups[g]->verbs[i].name) == 0)
                return groups[g]->verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tocsin: unknown verb \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
