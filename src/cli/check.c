/*
 * cli/check: `tocsin check [--config FILE] [--json]` runs every service probe of a config file
 * once, from this machine, without a server: the config is loaded with config_load_reporting()
 * (errors printed as FILE:LINE: message, exit 2), the probes run all at once with probe_run(), and
 * the result is a table SERVICE URL STATUS LATENCY VERDICT (or, with --json, an array of {service,
 * url, ok, status, latency_ms, error}).
 *
 * Exit codes: 0 every probe passed (or there are none), 1 a probe failed, 2 usage error or an
 * invalid config. Runs through cli_run_local() (no --url/--token). Main thread only; probe_run()
 * blocks until every probe has answered or timed out.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "config/config.h"
#include "runtime/prober.h"
#include "util/clock.h"
#include "util/log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONFIG "tocsin.yaml"

enum { C_CONFIG };

static const struct cli_opt check_opts[] = {
    {"--config", "-c", CLI_OPT_STR, C_CONFIG},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* The services of c that have a probe, and their probes, in file order. */
struct probe_set {
    const struct config_service **services;
    const struct config_probe **probes;
    size_t n;
};

static void collect(const struct config *c, struct probe_set *set)
{
    set->services = xcalloc(c->service_count + 1, sizeof(*set->services));
    set->probes = xcalloc(c->service_count + 1, sizeof(*set->probes));
    set->n = 0;
    for (size_t i = 0; i < c->service_count; i++) {
        if (!c->services[i].probe)
            continue;
        set->services[set->n] = &c->services[i];
        set->probes[set->n] = c->services[i].probe;
        set->n++;
    }
}

static void print_json(const struct probe_set *set, const struct probe_outcome *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < set->n; i++) {
        const struct probe_outcome *o = &out[i];
        json_t *row = json_object();
        json_object_set_new(row, "service", json_string(set->services[i]->id));
        json_object_set_new(row, "url", json_string(set->probes[i]->url));
        json_object_set_new(row, "ok", json_boolean(o->ok));
        json_object_set_new(row, "status", o->status ? json_integer(o->status) : json_null());
        json_object_set_new(row, "latency_ms", json_real(round(o->latency_ms * 10.0) / 10.0));
        /* curl's messages are ASCII, but a body substring quoted in one may not be UTF-8. */
        json_t *err = o->ok ? json_null() : json_string(o->error);
        json_object_set_new(row, "error", err ? err : json_string("(not valid UTF-8)"));
        json_array_append_new(arr, row);
    }
    char *text = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    puts(text ? text : "[]");
    free(text);
    json_decref(arr);
}

static void print_table(const struct probe_set *set, const struct probe_outcome *out)
{
    static const char *const headers[] = {"SERVICE", "URL", "STATUS", "LATENCY", "VERDICT"};
    struct cli_table *t = cli_table_new(5, headers);
    cli_table_set_max(t, 1, 60);
    cli_table_set_max(t, 4, 100);
    size_t failed = 0;
    for (size_t i = 0; i < set->n; i++) {
        const struct probe_outcome *o = &out[i];
        char status[16], latency[32], verdict[sizeof(o->error) + 8];
        if (o->status)
            snprintf(status, sizeof(status), "%d", o->status);
        else
            snprintf(status, sizeof(status), "-");
        snprintf(latency, sizeof(latency), o->latency_ms < 10.0 ? "%.1fms" : "%.0fms",
                 o->latency_ms);
        if (o->ok)
            snprintf(verdict, sizeof(verdict), "ok");
        else
            snprintf(verdict, sizeof(verdict), "FAIL: %s", o->error);
        failed += !o->ok;
        const char *cells[] = {set->services[i]->id, set->probes[i]->url, status, latency, verdict};
        cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    if (failed)
        printf("%zu of %zu probe%s FAILED\n", failed, set->n, set->n == 1 ? "" : "s");
    else
        printf("%zu probe%s ok\n", set->n, set->n == 1 ? "" : "s");
}

static int check_run(struct cli_ctx *ctx)
{
    const char *path = ctx->str[C_CONFIG] ? ctx->str[C_CONFIG] : DEFAULT_CONFIG;
    if (!*path)
        return cli_usage_error(ctx, "--config must not be empty");
    struct config *c = config_load_reporting(path);
    if (!c)
        return CLI_USAGE;
    struct probe_set set;
    collect(c, &set);
    int result = CLI_OK;
    if (set.n == 0) {
        puts(ctx->json ? "[]" : "no probes configured");
    } else {
        struct probe_outcome *out = xcalloc(set.n, sizeof(*out));
        probe_run(set.probes, set.n, clock_now(clock_real()), out);
        if (ctx->json)
            print_json(&set, out);
        else
            print_table(&set, out);
        for (size_t i = 0; i < set.n; i++)
            if (!out[i].ok)
                result = CLI_REFUSED;
        free(out);
    }
    free(set.services);
    free(set.probes);
    config_unref(c);
    return result;
}

static const struct cli_cmd check_cmd = {
    "usage: tocsin check [--config FILE] [--json]\n"
    "\n"
    "Runs every service probe of the config once, from here, without a server, and\n"
    "prints SERVICE URL STATUS LATENCY VERDICT (ok, or FAIL: why).\n"
    "  -c, --config FILE  the config file (default " DEFAULT_CONFIG ")\n"
    "exit codes: 0 every probe passed (or none is configured), 1 a probe failed,\n"
    "            2 usage error or invalid config (FILE:LINE: message on stderr)\n",
    check_opts, 0, 0, check_run};

static int cli_check(int argc, char **argv)
{
    return cli_run_local(argc, argv, &check_cmd);
}

static const struct cli_verb verbs[] = {
    {"check", cli_check, "run the config's probes once, locally (no server)"},
};
CLI_VERBS(check, verbs);
