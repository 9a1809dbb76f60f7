/* metrics: see metrics.h. Status codes are kept per route in a 100..599 array. */
#include "app/metrics.h"
#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>

enum { STATUS_MIN = 100, STATUS_SPAN = 500, NBUCKETS = 12 };

static const double bucket_s[NBUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,   0.25,   0.5,   1.0};

struct route_metrics {
    _Atomic unsigned long long status[STATUS_SPAN];
    _Atomic unsigned long long buckets[NBUCKETS]; /* last is +Inf */
    _Atomic unsigned long long count;
    _Atomic unsigned long long sum_us;
};

struct metrics {
    size_t nroutes; /* plus one slot for unmatched requests */
    struct route_metrics *routes;
    _Atomic unsigned long long unrouted;
    _Atomic unsigned long long dropped;
};

struct metrics *metrics_new(size_t nroutes)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    m->nroutes = nroutes;
    m->routes = xcalloc(nroutes + 1, sizeof *m->routes);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free(m->routes);
    free(m);
}

void metrics_observe(struct metrics *m, int route, int status, double ms)
{
    size_t i = route < 0 || (size_t)route >= m->nroutes ? m->nroutes : (size_t)route;
    struct route_metrics *rm = &m->routes[i];
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
        atomic_fetch_add(&rm->status[status - STATUS_MIN], 1);
    double s = ms / 1000.0;
    size_t b = 0;
    while (b < NBUCKETS - 1 && s > bucket_s[b])
        b++;
    atomic_fetch_add(&rm->buckets[b], 1);
    atomic_fetch_add(&rm->count, 1);
    atomic_fetch_add(&rm->sum_us, (unsigned long long)(ms * 1000.0));
}

void metrics_count_unrouted(struct metrics *m, unsigned n)
{
    if (m && n)
        atomic_fetch_add(&m->unrouted, n);
}

void metrics_count_dropped(struct metrics *m, unsigned n)
{
    if (m && n)
        atomic_fetch_add(&m->dropped, n);
}

void metrics_render(struct metrics *m, const char *(*route_name)(size_t i), struct buf *out)
{
    buf_printf(out,
               "# HELP tocsin_incidents_unrouted_total Incidents whose escalation reached no one "
               "(the fallback target was paged, if set).\n"
               "# TYPE tocsin_incidents_unrouted_total counter\n"
               "tocsin_incidents_unrouted_total %llu\n",
               atomic_load(&m->unrouted));
    buf_printf(out,
               "# HELP tocsin_notify_methods_dropped_total Methods named for a page that could not "
               "reach the user (no address, channel not configured; on the incident's timeline).\n"
               "# TYPE tocsin_notify_methods_dropped_total counter\n"
               "tocsin_notify_methods_dropped_total %llu\n",
               atomic_load(&m->dropped));
    buf_puts(out, "# HELP tocsin_http_requests_total HTTP requests by route and status code.\n"
                  "# TYPE tocsin_http_requests_total counter\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        const char *name = i < m->nroutes ? route_name(i) : "unmatched";
        for (int s = 0; s < STATUS_SPAN; s++) {
            unsigned long long n = atomic_load(&m->routes[i].status[s]);
            if (n)
                buf_printf(out, "tocsin_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n", name,
                           s + STATUS_MIN, n);
        }
    }
    buf_puts(out, "# HELP tocsin_http_request_duration_seconds HTTP request latency by route.\n"
                  "# TYPE tocsin_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        struct route_metrics *rm = &m->routes[i];
        unsigned long long count = atomic_load(&rm->count);
        if (!count)
            continue;
        const char *name = i < m->nroutes ? route_name(i) : "unmatched";
        unsigned long long cum = 0;
        for (int b = 0; b < NBUCKETS; b++) {
            cum += atomic_load(&rm->buckets[b]);
            if (b < NBUCKETS - 1)
                buf_printf(out,
                           "tocsin_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                           "%llu\n",
                           name, bucket_s[b], cum);
            else
                buf_printf(out,
                           "tocsin_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
                           "%llu\n",
                           name, cum);
        }
        buf_printf(out, "tocsin_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                   (double)atomic_load(&rm->sum_us) / 1e6);
        buf_printf(out, "tocsin_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
                   count);
    }
}
