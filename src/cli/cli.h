/*
 * cli: the verbs of `tocsin <verb>`. Client verbs talk to a running server over HTTP (libcurl) at
 * --url, else $TOCSIN_URL, else http://127.0.0.1:8080, with the token from $TOCSIN_TOKEN (or
 * --token). Output: a table or short text for people; --json prints the server's JSON as-is for
 * scripts. Verbs that create something (declare, token create, integration create, silence add)
 * print the new id/secret alone on the first line of stdout. Exit codes: 0 done, 1 the server
 * refused (its error message on stderr), 2 usage error, 3 server unreachable.
 *
 * Each file declares its own verbs at its end: CLI_VERBS(<group>, its static table), and
 * src/cli/verbs.def lists the groups (main.c puts them together). A verb's function gets
 * argv[0] = the verb name and handles its own --help. Runs on the main thread of a short-lived
 * process. Exceptions: `check` (check.c) runs the config's probes locally and talks to no
 * server; `serve` and `check-config` (app/serve.c) are the server itself.
 */
#ifndef TOCSIN_CLI_H
#define TOCSIN_CLI_H

#include <stddef.h>

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_UNREACHABLE = 3 };

struct cli_verb {
    const char *name;
    int (*run)(int argc, char **argv); /* returns the process exit code */
    const char *summary;               /* one line for `tocsin --help` */
};

struct cli_verb_set {
    const struct cli_verb *verbs;
    size_t count;
};

#define CLI_VERBS(group, table)                                                                    \
    const struct cli_verb_set cli_verbs_##group = {table, sizeof table / sizeof table[0]}

#endif
