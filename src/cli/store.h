/*
 * cli/store: what the `store` verb's files share (store.c holds the verb and its table of
 * sub-commands; each sub-command is in its own file: store_copy.c). The option slots are the
 * verb's: cli_dispatch refuses an option that the chosen sub-command does not take.
 * Main thread of a short-lived process; these sub-commands work on the store itself, offline,
 * without a server.
 */
#ifndef TOCSIN_CLI_STORE_H
#define TOCSIN_CLI_STORE_H

#include "cli/client.h"

/* The `store` verb's option slots (struct cli_ctx.str[]). */
enum { STORE_OPT_FROM, STORE_OPT_TO };

/* tocsin store copy --from FILE --to URL (store_copy.c) */
int cli_store_copy(struct cli_ctx *ctx);

#endif
