/*
 * api/metrics: GET /metrics, the Prometheus text exposition: requests by route and status with
 * latency histograms (app/metrics), open incidents by severity, timeline entries, and the store's
 * group-commit latency and batch size histograms. Public, like Prometheus' own targets.
 */
#include "jobs/incident_roles.h"
#include "runtime/chat_api.h"
#include "api/api.h"
#include "app/metrics.h"
#include "app/version.h"
#include "store/incidents.h"
#include "store/subscribers.h"
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

/* One histogram: cumulative buckets (bounds[i] < 0 is +Inf), each bound and the sum multiplied by
 * scale (ms -> s for durations); a scale of 1 prints the sum as a whole number (a count). */
static void render_histogram(struct buf *out, const char *name, const char *help,
                             const uint64_t *buckets, const double *bounds, int n, double scale,
                             double sum, uint64_t count)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (int i = 0; i < n; i++) {
        cum += buckets[i];
        if (bounds[i] < 0)
            buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
        else
            buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i] * scale,
                       (unsigned long long)cum);
    }
    if (scale == 1.0)
        buf_printf(out, "%s_sum %llu\n", name, (unsigned long long)sum);
    else
        buf_printf(out, "%s_sum %.6f\n", name, sum * scale);
    buf_printf(out, "%s_count %llu\n", name, (unsigned long long)count);
}

static void render_store(struct request *r, struct buf *out)
{
    struct store_stats st;
    store_get_stats(r->app->store, &st);
    render_histogram(out, "tocsin_store_commit_duration_seconds", "Group-commit latency.",
                     st.commit_ms_buckets, store_commit_bucket_ms, 12, 1e-3, st.commit_ms_sum,
                     st.commits);
    render_histogram(out, "tocsin_store_commit_batch_size", "Writes per group commit.",
                     st.batch_buckets, store_batch_bucket, 8, 1.0, (double)st.jobs, st.commits);
    buf_printf(out,
               "# TYPE tocsin_store_failed_commits_total counter\n"
               "tocsin_store_failed_commits_total %llu\n",
               (unsigned long long)st.failed_commits);
}

static int count_subscriber(const struct subscriber *s, void *arg)
{
    ++*(int64_t *)arg;
    return 0;
}

static void api_metrics(struct request *r)
{
    struct buf out;
    struct error err = {0};
    buf_init(&out, 8 * 1024 * 1024);
    buf_printf(&out, "# TYPE tocsin_build_info gauge\ntocsin_build_info{version=\"%s\"} 1\n",
               TOCSIN_VERSION);
    metrics_render(r->app->metrics, route_label, &out);
    buf_printf(&out,
               "# HELP tocsin_roles_unfilled_total Roles the config fills on declare that no one "
               "could be found for (on the incident's timeline as incident.role_unfilled).\n"
               "# TYPE tocsin_roles_unfilled_total counter\ntocsin_roles_unfilled_total %llu\n",
               incident_roles_unfilled_total());
    struct store_conn *c = store_reader(r->app->store, &err);
    if (c) {
        buf_puts(&out, "# HELP tocsin_incidents_open Open incidents by severity.\n"
                       "# TYPE tocsin_incidents_open gauge\n");
        store_incident_count_open(c, count_open, &out);
        int64_t disabled = 0;
        if (store_subscriber_list(c, "disabled", count_subscriber, &disabled) == OK)
            buf_printf(&out,
                       "# HELP tocsin_status_webhooks_disabled Status page webhook subscribers "
                       "disabled after failed deliveries.\n"
                       "# TYPE tocsin_status_webhooks_disabled gauge\n"
                       "tocsin_status_webhooks_disabled %lld\n",
                       (long long)disabled);
        int64_t seq = 0;
        char head[SHA256_HEX_LEN];
        if (store_timeline_last(c, &seq, head) == OK)
            buf_printf(&out,
                       "# HELP tocsin_timeline_entries Entries in the audit timeline.\n"
                       "# TYPE tocsin_timeline_entries gauge\ntocsin_timeline_entries %lld\n",
                       (long long)seq);
    }
    render_store(r, &out);
    chat_api_metrics(&out);
    size_t len = out.len;
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf_steal(&out), len);
}

static const struct route routes[] = {
    {"GET", "/metrics", api_metrics, ACCESS_PUBLIC, "metrics"},
};
HTTP_ROUTES(metrics, routes);
