/*
 * api/metrics: GET /metrics, the Prometheus text exposition: requests by route and status with
 * latency histograms (app/metrics), open incidents by severity, timeline entries, and the store's
 * group-commit latency and batch size histograms. Public, like Prometheus' own targets.
 */
#include "api/api.h"
#include "app/metrics.h"
#include "app/version.h"
#include "store/incidents.h"
#include "store/timeline.h"
#include "util/buf.h"

#include <string.h>

static const char *route_label(size_t i)
{
    return router_route(i)->name;
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

static void api_metrics(struct request *r)
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

static const struct route routes[] = {
    {"GET", "/metrics", api_metrics, ACCESS_PUBLIC, "metrics"},
};
HTTP_ROUTES(metrics, routes);
