/*
 * cli/nodes: the tocsin nodes sharing the server's store.
 *   tocsin nodes                                                GET /api/v1/nodes
 *
 * Server strings go through the table printer. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"

#include <stdio.h>
#include <string.h>

static void print_nodes(const json_t *body)
{
    const json_t *list = json_object_get(body, "nodes");
    size_t n = json_array_size(list), alive = 0;
    static const char *const headers[] = {"NODE",   "STATE", "LAST HEARTBEAT", "STARTED",
                                          "CLAIMS", "PID",   "VERSION"};
    struct cli_table *t = cli_table_new(7, headers);
    int64_t now = cli_now_ms();
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(list, i);
        char beat[48], started[48], claims[24], pid[24], id[160];
        bool up = json_is_true(json_object_get(o, "alive"));
        alive += up;
        cli_fmt_ago(cli_jstr(o, "last_heartbeat"), now, beat, sizeof beat);
        cli_fmt_ago(cli_jstr(o, "started_at"), now, started, sizeof started);
        snprintf(claims, sizeof claims, "%lld",
                 (long long)json_integer_value(json_object_get(o, "claims")));
        snprintf(pid, sizeof pid, "%lld", (long long)json_integer_value(json_object_get(o, "pid")));
        snprintf(id, sizeof id, "%s%s", cli_jstr(o, "id") ? cli_jstr(o, "id") : "",
                 json_is_true(json_object_get(o, "self")) ? " (this one)" : "");
        const char *cells[] = {id,  up ? "alive" : "gone", beat, started, claims,
                               pid, cli_jstr(o, "version")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu node%s, %zu alive (store %s)\n", n, n == 1 ? "" : "s", alive,
           cli_jstr(body, "store") ? cli_jstr(body, "store") : "?");
}

static int nodes_run(struct cli_ctx *ctx)
{
    return cli_get_and_print(ctx, "/api/v1/nodes", print_nodes);
}

static const struct cli_cmd nodes_cmd = {
    "usage: tocsin nodes [--json]\n"
    "\n"
    "Lists the tocsin nodes that share the server's store: each one's last heartbeat, whether\n"
    "it is alive (a heartbeat in the last 15 s), when it started, and how many notifications\n"
    "it holds a claim on (rows it is sending).\n",
    NULL, 0, 0, nodes_run};

static int cli_nodes(int argc, char **argv)
{
    return cli_run(argc, argv, &nodes_cmd);
}

static const struct cli_verb verbs[] = {
    {"nodes", cli_nodes, "list the nodes sharing the store"},
};
CLI_VERBS(nodes, verbs);
