/*
 * store/alerts: ingested alerts (migration 002). Structs filled here own their strings
 * (alert_free_fields); callbacks get borrowed ones.
 * prune (retention, jobs/retention.c): deletes at most `limit` resolved alerts whose resolved_at
 * is before `before`, oldest id first; *n = how many. Never touches open alerts or the timeline.
 */
#ifndef TOCSIN_STORE_ALERTS_H
#define TOCSIN_STORE_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/alert.h"
#include "store/store_ops.h"

struct store_alert_filter {
    int statuses;            /* bit mask of (1 << enum alert_status); 0 = all */
    const char *service;     /* NULL = any */
    const char *incident_id; /* NULL = any */
    int limit;               /* 0 = no limit */
    int64_t before_id;       /* keyset paging: only ids below it (the list is id DESC); 0 = all */
};

typedef int (*store_alert_cb)(const struct alert *a, void *ctx);

#define STORE_ALERT_OPS(X)                                                                         \
    X(alert_find_open, 0, (const char *scope, const char *dedup_key, struct alert *out),           \
      (scope, dedup_key, out))                                                                     \
    X(alert_insert, 0, (const struct alert *a, int64_t *id), (a, id))                              \
    X(alert_update, 0, (const struct alert *a), (a))                                               \
    X(alert_list, 0, (const struct store_alert_filter *f, store_alert_cb cb, void *ctx),           \
      (f, cb, ctx))                                                                                \
    X(alert_count_open, 0, (const char *incident_id, int64_t *n), (incident_id, n))                \
    X(alert_prune, 0, (int64_t before, int limit, int64_t *n), (before, limit, n))

STORE_OPS_DECLARE(alert, STORE_ALERT_OPS)

#endif
