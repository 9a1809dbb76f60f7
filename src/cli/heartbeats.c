/*
 * cli/heartbeats: the monitored jobs that check in.
 *   tocsin heartbeats                                           GET /api/v1/heartbeats
 *
 * Server strings go through cli_put()/cli_clean(). One request per verb, usage errors found
 * before it; request bodies are owned here and released after the call. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_heartbeats(const json_t *body)
{
    const json_t *list = json_object_get(body, "heartbeats");
    size_t n = json_array_size(list);
    if (n == 0) {
        puts("no heartbeats configured");
        return;
    }
    static const char *const headers[] = {"NAME",   "SERVICE",   "INTERVAL", "GRACE",
                                          "STATUS", "LAST SEEN", "NEXT DUE"};
    struct cli_table *t = cli_table_new(7, headers);
    int64_t now = cli_now_ms();
    size_t down = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *hb = json_array_get(list, i);
        char last[48], due[CLI_TIME_LEN + 32];
        cli_fmt_ago(cli_jstr(hb, "last_seen"), now, last, sizeof(last));
        cli_fmt_when(cli_jstr(hb, "next_due"), now, due, sizeof(due));
        const char *status = cli_jstr(hb, "status");
        if (status && strcmp(status, "down") == 0)
            down++;
        const char *cells[] = {cli_jstr(hb, "name"),
                               cli_jstr(hb, "service"),
                               cli_jstr(hb, "interval"),
                               cli_jstr(hb, "grace"),
                               status,
                               last,
                               due};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu heartbeat%s, %zu down\n", n, n == 1 ? "" : "s", down);
}

static int heartbeats_run(struct cli_ctx *ctx)
{
    return cli_get_and_print(ctx, "/api/v1/heartbeats", print_heartbeats);
}

static const struct cli_cmd heartbeats_cmd = {
    "usage: tocsin heartbeats [--json]\n"
    "\n"
    "Lists the heartbeats of the config: when each job last checked in, when the next\n"
    "check-in is due, and its status (up, down: overdue and alerting, pending: never seen).\n",
    NULL, 0, 0, heartbeats_run};

static int cli_heartbeats(int argc, char **argv)
{
    return cli_run(argc, argv, &heartbeats_cmd);
}

static const struct cli_verb verbs[] = {
    {"heartbeats", cli_heartbeats, "list heartbeats and when each is due"},
};
CLI_VERBS(heartbeats, verbs);
