/*
 * cli/drills: fire drills (docs/drills.md).
 *   tocsin drill list [--json]                  GET  /api/v1/drills
 *   tocsin drill start SCENARIO [--json]        POST /api/v1/drills
 *   tocsin drill report INCIDENT [--json]       GET  /api/v1/drills/{id}/report
 * `start` prints the drill incident's id alone on line 1. Server strings go through
 * cli_put()/cli_clean(). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_list(const json_t *body)
{
    const json_t *sc = json_object_get(body, "scenarios");
    if (json_array_size(sc) == 0)
        puts("no drill scenarios in the config");
    else {
        static const char *const headers[] = {"SCENARIO", "SEVERITY", "RUNBOOK",
                                              "EVERY",    "NEXT",     "TITLE"};
        struct cli_table *t = cli_table_new(6, headers);
        cli_table_set_max(t, 5, cli_last_col(50, 50));
        for (size_t i = 0; i < json_array_size(sc); i++) {
            const json_t *s = json_array_get(sc, i);
            const json_t *sched = json_object_get(s, "schedule");
            const char *cells[] = {cli_jstr(s, "id"),
                                   cli_jstr(s, "severity"),
                                   cli_jstr(s, "runbook"),
                                   json_is_object(sched) ? cli_jstr(sched, "every") : "-",
                                   json_is_object(sched) ? cli_jstr(sched, "next_at") : "-",
                                   cli_jstr(s, "title")};
            cli_table_add(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    const json_t *runs = json_object_get(body, "drills");
    if (json_array_size(runs) == 0) {
        puts("no drills run");
        return;
    }
    putchar('\n');
    static const char *const headers[] = {"INCIDENT", "SCENARIO", "STATUS", "SCORE"};
    struct cli_table *t = cli_table_new(4, headers);
    for (size_t i = 0; i < json_array_size(runs); i++) {
        const json_t *d = json_array_get(runs, i);
        char score[32];
        snprintf(score, sizeof score, "%lld%%",
                 (long long)json_integer_value(json_object_get(d, "score")));
        const char *cells[] = {cli_jstr(d, "incident_id"), cli_jstr(d, "scenario"),
                               cli_jstr(d, "status"), score};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static int drill_list(struct cli_ctx *ctx)
{
    return cli_get_and_print(ctx, "/api/v1/drills", print_list);
}

static int drill_start(struct cli_ctx *ctx)
{
    json_t *req = json_object();
    cli_json_set_str(req, "scenario", ctx->pos[1]);
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", "/api/v1/drills", req, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK) {
        cli_put(stdout, cli_jstr(resp.body, "id"));
        fputs("\n[DRILL] declared from scenario ", stdout);
        cli_put(stdout, ctx->pos[1]);
        fputs(": ", stdout);
        cli_put(stdout, cli_jstr(resp.body, "title"));
        fputc('\n', stdout);
    }
    cli_resp_free(&resp);
    json_decref(req);
    return result;
}

static void print_report(const json_t *r)
{
    printf("[DRILL] ");
    cli_put(stdout, cli_jstr(r, "incident_id"));
    fputs(" scenario ", stdout);
    cli_put(stdout, cli_jstr(r, "scenario") ? cli_jstr(r, "scenario") : "-");
    fputs(" (", stdout);
    cli_put(stdout, cli_jstr(r, "severity"));
    printf(", %s)\n", cli_jstr(r, "status") ? cli_jstr(r, "status") : "?");
    static const char *const headers[] = {"CHECK", "TARGET", "TOOK", "RESULT"};
    struct cli_table *t = cli_table_new(4, headers);
    const json_t *checks = json_object_get(r, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        const json_t *c = json_array_get(checks, i);
        const char *cells[] = {cli_jstr(c, "name"), cli_jstr(c, "target"), cli_jstr(c, "took"),
                               cli_jstr(c, "result")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("score: %lld%% (%lld of %lld checks passed, %lld pending)\n",
           (long long)json_integer_value(json_object_get(r, "score")),
           (long long)json_integer_value(json_object_get(r, "passed")),
           (long long)json_integer_value(json_object_get(r, "scored")),
           (long long)json_integer_value(json_object_get(r, "pending")));
    const json_t *sev = json_object_get(r, "expected_severity");
    if (cli_jstr(sev, "expected")) {
        fputs("expected severity: ", stdout);
        cli_put(stdout, cli_jstr(sev, "expected"));
        fputs(" (at ack ", stdout);
        cli_put(stdout, cli_jstr(sev, "at_ack") ? cli_jstr(sev, "at_ack") : "-");
        fputs(", at resolve ", stdout);
        cli_put(stdout, cli_jstr(sev, "at_resolve") ? cli_jstr(sev, "at_resolve") : "-");
        fputs("): ", stdout);
        cli_put(stdout, cli_jstr(sev, "result"));
        fputc('\n', stdout);
    }
    const json_t *alerts = json_object_get(r, "alerts");
    for (size_t i = 0; i < json_array_size(alerts); i++) {
        const json_t *a = json_array_get(alerts, i);
        fputs("injected alert: ", stdout);
        cli_put(stdout, cli_jstr(a, "alertname") ? cli_jstr(a, "alertname") : "-");
        fputs(" ", stdout);
        cli_put(stdout, cli_jstr(a, "summary") ? cli_jstr(a, "summary") : "");
        fputc('\n', stdout);
    }
}

static int drill_report(struct cli_ctx *ctx)
{
    char *path = cli_segment_path("/api/v1/drills/", ctx->pos[1], "/report");
    int result = cli_get_and_print(ctx, path, print_report);
    free(path);
    return result;
}

static const struct cli_sub drill_subs[] = {
    {"list", 1, 0, drill_list},
    {"start", 2, 0, drill_start},
    {"report", 2, 0, drill_report},
};

static int drill_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, drill_subs, sizeof drill_subs / sizeof drill_subs[0]);
}

static const struct cli_cmd drill_cmd = {
    "usage: tocsin drill list [--json]\n"
    "       tocsin drill start SCENARIO [--json]\n"
    "       tocsin drill report INCIDENT [--json]\n"
    "\n"
    "Fire drills from the config's `drills:` scenarios. `start` (responder) declares a drill\n"
    "incident that pages like a real one, every message marked [DRILL], and prints its id on\n"
    "the first line; `report` scores it against the severity's targets (ack, commander, first\n"
    "update, checklists, resolution, the expected runbook). Drills stay out of the monthly review\n"
    "and the status page. `list` shows each scenario's schedule (EVERY, NEXT: when it starts by\n"
    "itself; \"-\" when it has none).\n",
    NULL, 1, 2, drill_run};

static int cli_drill(int argc, char **argv)
{
    return cli_run(argc, argv, &drill_cmd);
}

static const struct cli_verb verbs[] = {
    {"drill", cli_drill, "drill list|start|report: fire drills, scored"},
};
CLI_VERBS(drills, verbs);
