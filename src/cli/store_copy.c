/*
 * cli/store_copy: `tocsin store copy --from FILE --to URL`: moves a stopped single-node install
 * from its SQLite file to an empty PostgreSQL database (store/copy.h does the work; this file
 * checks the arguments and prints the outcome). Output: a table of every copied table's row count
 * in both stores, then "copied N rows in M tables; chain head seq S hash H matches"; with --json
 * the same as one object. Any refusal or failure: "tocsin store copy: MESSAGE" on stderr, exit 1,
 * nothing written. The one client verb that reaches the store (offline, by design: it runs only
 * when no server holds the SQLite file). Main thread only.
 */
#include "cli/cli.h"
#include "cli/store.h"
#include "store/copy.h"

#include <stdio.h>
#include <stdlib.h>

static void print_json(const struct store_copy_report *r)
{
    json_t *tables = json_array();
    for (size_t i = 0; i < r->ntables; i++)
        json_array_append_new(tables, json_pack("{s:s, s:I, s:I}", "table", r->tables[i].table,
                                                "source", (json_int_t)r->tables[i].source, "target",
                                                (json_int_t)r->tables[i].target));
    json_t *head = r->head.empty ? json_null()
                                 : json_pack("{s:I, s:s}", "seq", (json_int_t)r->head.seq, "hash",
                                             r->head.hash);
    json_t *out = json_pack("{s:o, s:I, s:I, s:o}", "tables", tables, "rows", (json_int_t)r->rows,
                            "table_count", (json_int_t)r->ntables, "chain_head", head);
    char *text = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
    puts(text ? text : "{}");
    free(text);
    json_decref(out);
}

static void print_table(const struct store_copy_report *r)
{
    static const char *const headers[] = {"TABLE", "SQLITE", "POSTGRES"};
    struct cli_table *t = cli_table_new(3, headers);
    for (size_t i = 0; i < r->ntables; i++) {
        char src[24], dst[24];
        snprintf(src, sizeof src, "%lld", (long long)r->tables[i].source);
        snprintf(dst, sizeof dst, "%lld", (long long)r->tables[i].target);
        const char *cells[] = {r->tables[i].table, src, dst};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("copied %lld rows in %zu tables; ", (long long)r->rows, r->ntables);
    if (r->head.empty)
        printf("the timeline is empty in both\n");
    else
        printf("chain head seq %lld hash %s matches\n", (long long)r->head.seq, r->head.hash);
}

int cli_store_copy(struct cli_ctx *ctx)
{
    const char *from = ctx->str[STORE_OPT_FROM], *to = ctx->str[STORE_OPT_TO];
    if (!from || !*from)
        return cli_usage_error(ctx, "copy: --from FILE (the SQLite database) is required");
    if (!to || !*to)
        return cli_usage_error(ctx, "copy: --to URL (the PostgreSQL database) is required");
    struct store_copy_report report;
    struct error err = {0};
    if (store_copy(from, to, &report, &err) != OK) {
        fprintf(stderr, "tocsin store copy: %s\n",
                err.message[0] ? err.message : "the copy failed; nothing was written");
        return CLI_REFUSED;
    }
    if (ctx->json)
        print_json(&report);
    else
        print_table(&report);
    store_copy_report_free(&report);
    return CLI_OK;
}
