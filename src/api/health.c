/*
 * api/health: GET /healthz (is the store readable), GET /metrics (Prometheus text), and the
 * dev clock (only with `serve --dev-clock`; otherwise these routes answer 404).
 */
#include "api/api.h"
#include "runtime/engine.h"
#include "app/metrics.h"
#include "runtime/notifier.h"
#include "util/buf.h"
#include "util/jsonv.h"
#include "util/timeutil.h"
#include "app/version.h"

#include <string.h>

void api_healthz(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    int64_t seq = 0;
    char head[SHA256_HEX_LEN];
    bool ok = c && store_timeline_last(c, &seq, head) == OK;
    reply_json(r, ok ? 200 : 503,
               json_pack("{s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "store",
                         ok ? "ok" : "unavailable", "version", TOCSIN_VERSION));
}

static const char *route_label(size_t i)
{
    return http_routes[i].name;
}

static void count_open(const char *severity, int64_t n, void *arg)
{
    buf_printf(arg, "tocsin_incidents_open{severity=\"%s\"} %lld\n", severity, (long long)n);
}

static void render_store(struct request *r, struct buf *out)
{
    struct store_stats st;
    store_get_stats(r->app->store, &st);
    buf_puts(out, "# HELP tocsin_store_commit_duration_seconds Group-commit latency.\n"
                  "# TYPE tocsin_store_commit_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < 12; i++) {
        cum += st.commit_ms_buckets[i];
        if (store_commit_bucket_ms[i] < 0)
            buf_printf(out, "tocsin_store_commit_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
        else
            buf_printf(out, "tocsin_store_commit_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       store_commit_bucket_ms[i] / 1000.0, (unsigned long long)cum);
    }
    buf_printf(out, "tocsin_store_commit_duration_seconds_sum %.6f\n", st.commit_ms_sum / 1000.0);
    buf_printf(out, "tocsin_store_commit_duration_seconds_count %llu\n",
               (unsigned long long)st.commits);
    buf_puts(out, "# HELP tocsin_store_commit_batch_size Writes per group commit.\n"
                  "# TYPE tocsin_store_commit_batch_size histogram\n");
    cum = 0;
    for (int i = 0; i < 8; i++) {
        cum += st.batch_buckets[i];
        if (store_batch_bucket[i] < 0)
            buf_printf(out, "tocsin_store_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
        else
            buf_printf(out, "tocsin_store_commit_batch_size_bucket{le=\"%g\"} %llu\n",
                       store_batch_bucket[i], (unsigned long long)cum);
    }
    buf_printf(out, "tocsin_store_commit_batch_size_sum %llu\n", (unsigned long long)st.jobs);
    buf_printf(out, "tocsin_store_commit_batch_size_count %llu\n", (unsigned long long)st.commits);
    buf_printf(out,
               "# TYPE tocsin_store_failed_commits_total counter\n"
               "tocsin_store_failed_commits_total %llu\n",
               (unsigned long long)st.failed_commits);
}

void api_metrics(struct request *r)
{
    struct buf out;
    struct error err = {0};
    buf_init(&out, 8 * 1024 * 1024);
    buf_printf(&out, "# TYPE tocsin_build_info gauge\ntocsin_build_info{version=\"%s\"} 1\n",
               TOCSIN_VERSION);
    metrics_render(r->app->metrics, route_label, &out);
    struct store_conn *c = store_reader(r->app->store, &err);
    if (c) {
        buf_puts(&out, "# HELP tocsin_incidents_open Open incidents by severity.\n"
                       "# TYPE tocsin_incidents_open gauge\n");
        store_incident_count_open(c, count_open, &out);
        int64_t seq = 0;
        char head[SHA256_HEX_LEN];
        if (store_timeline_last(c, &seq, head) == OK)
            buf_printf(&out,
                       "# HELP tocsin_timeline_entries Entries in the audit timeline.\n"
                       "# TYPE tocsin_timeline_entries gauge\ntocsin_timeline_entries %lld\n",
                       (long long)seq);
    }
    render_store(r, &out);
    size_t len = out.len;
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf_steal(&out), len);
}

static bool dev_clock_or_reply(struct request *r)
{
    if (r->app->dev_clock)
        return true;
    reply_error(r, ERR_NOT_FOUND, "path: the dev clock is off (start with serve --dev-clock)");
    return false;
}

static json_t *clock_json(struct request *r)
{
    int64_t now = clock_now(r->app->clock);
    return json_pack("{s:o,s:I}", "now", api_time(now), "offset_ms",
                     (json_int_t)(now - clock_now(clock_real())));
}

void api_clock_get(struct request *r)
{
    if (dev_clock_or_reply(r))
        reply_json(r, 200, clock_json(r));
}

void api_clock_post(struct request *r)
{
    static const char *const fields[] = {"advance", NULL};
    if (!dev_clock_or_reply(r))
        return;
    struct error err = {0};
    json_t *body = NULL;
    const char *adv = NULL;
    int64_t ms = 0;
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "advance", true, 1, 32, &adv, &err);
    if (result == OK && time_parse_duration(adv, &ms) != 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "advance: \"%s\" is not a duration (use 30s, 15m, 1h, 2d)", adv);
    if (result == OK) {
        clock_advance(r->app->clock, ms);
        if (r->app->engine)
            engine_sync(r->app->engine); /* deadlines now due have fired when we answer */
        notifier_sync(r->app->notifier); /* and what they queued (or what became due) went out */
        reply_json(r, 200, clock_json(r));
    } else {
        reply_from_error(r, &err);
    }
    json_decref(body);
}
