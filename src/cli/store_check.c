/*
 * cli/store_check: `tocsin store check [--config FILE] [--data DIR]`: the full integrity check of
 * the store a server with that config and data directory uses, run from this process (no server
 * needed, and safe beside a running one: a read connection of its own, nothing written; see
 * store_check_open).
 *
 * Two checks, each printed on a line of its own:
 *   1. the database's: SQLite `PRAGMA integrity_check` (every page, every index against its
 *      table); PostgreSQL: no constraint of the schema left NOT VALID and no invalid index (page
 *      checksums are PostgreSQL's own job: docs/internals/store_pg.md "Integrity");
 *   2. the timeline's hash chain, entry by entry (what POST /api/v1/audit/verify does).
 * Exit codes: 0 both passed, 1 a check failed (what is broken on stderr), 2 usage or an invalid
 * config. Main thread of a short-lived process. An offline store tool, it reads the store
 * directly (docs/internals/architecture.md: the cli/store*.c exception).
 */
#include "cli/cli.h"
#include "config/config.h"
#include "jobs/timeline.h"
#include "store/store.h"
#include "util/crypto.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin store check [--config FILE] [--data DIR]\n"
               "  the full integrity check of the store (SQLite integrity_check, or PostgreSQL's\n"
               "  schema check) and of the timeline's hash chain; exit 0 ok, 1 damaged\n"
               "  --config FILE  YAML config (default tocsin.yaml)\n"
               "  --data DIR     data directory (default ./data)\n");
}

/* Where the store is, as `serve` finds it (app/serve.c). Caller frees. */
static char *store_target(const struct config *c, const char *data)
{
    if (strcmp(c->storage.driver, "sqlite") != 0)
        return xstrdup(c->storage.url ? c->storage.url : "");
    const char *p = c->storage.path ? c->storage.path : "tocsin.db";
    if (p[0] == '/')
        return xstrdup(p);
    size_t n = strlen(data) + strlen(p) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%s/%s", data, p);
    return out;
}

static int check_chain(struct store_conn *c)
{
    struct timeline_verify v;
    struct error err = {0};
    if (timeline_verify(c, &v, &err) != OK) {
        fprintf(stderr, "store check: timeline: %s\n", err.message);
        return CLI_REFUSED;
    }
    if (!v.valid) {
        fprintf(stderr,
                "store check: timeline: the hash chain is broken at seq %lld%s (%lld entries "
                "read)\n",
                (long long)v.first_break_at, v.unreadable ? " (unreadable from there)" : "",
                (long long)v.entries);
        return CLI_REFUSED;
    }
    printf("store check: timeline: ok (%lld entries, head %.64s)\n", (long long)v.entries, v.head);
    return CLI_OK;
}

int store_check_main(int argc, char **argv)
{
    const char *config = "tocsin.yaml", *data = "data";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        }
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--data") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'c' ? &config : &data) = argv[i + 1];
            i++;
            continue;
        }
        fprintf(stderr, "store check: unexpected argument %s\n", argv[i]);
        usage(stderr);
        return CLI_USAGE;
    }
    crypto_init();
    struct config *cfg = config_load_reporting(config);
    if (!cfg)
        return CLI_USAGE;
    char *target = store_target(cfg, data);
    struct error err = {0};
    int rc = CLI_REFUSED;
    struct store_conn *c = store_check_open(cfg->storage.driver, target, &err);
    if (!c) {
        fprintf(stderr, "store check: %s\n", err.message);
        goto out;
    }
    if (store_check(c, true, &err) != OK) {
        fprintf(stderr, "store check: %s\n", err.message);
        goto out;
    }
    printf("store check: %s: ok (%s)\n", cfg->storage.driver,
           strcmp(cfg->storage.driver, "sqlite") == 0 ? "PRAGMA integrity_check"
                                                      : "constraints validated, indexes valid");
    rc = check_chain(c);
out:
    store_check_close(c);
    free(target);
    config_unref(cfg);
    return rc;
}
