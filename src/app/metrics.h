/*
 * metrics: request counters and latency histograms for /metrics (Prometheus text format).
 * Counters are atomics indexed by route and status, so recording never takes a lock.
 * Threads: metrics_observe from any request thread; metrics_render from the /metrics handler.
 */
#ifndef TOCSIN_METRICS_H
#define TOCSIN_METRICS_H

#include <stddef.h>

#include "util/buf.h"

struct metrics;

struct metrics *metrics_new(size_t nroutes);
void metrics_free(struct metrics *m);
/* route: index in the router's table (router_route), or -1 for requests no route matched. */
void metrics_observe(struct metrics *m, int route, int status, double ms);
/* Counts an incident that routed to no one (tocsin_incidents_unrouted_total). */
void metrics_count_unrouted(struct metrics *m, unsigned n);
/* Counts methods named for a page that could not reach the user (the user lacks the address or
 * the channel is not configured): tocsin_notify_methods_dropped_total. */
void metrics_count_dropped(struct metrics *m, unsigned n);
/* Appends the request metrics; route_name(i) labels route i. */
void metrics_render(struct metrics *m, const char *(*route_name)(size_t i), struct buf *out);

#endif
