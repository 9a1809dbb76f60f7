/*
 * store/incidents: incidents and the named counters their ids come from (migration 001). Structs
 * filled here own their strings (incident_free_fields); callbacks get borrowed ones.
 * incident_find_open_group: the newest unresolved incident with that group key, or ERR_NOT_FOUND.
 */
#ifndef TOCSIN_STORE_INCIDENTS_H
#define TOCSIN_STORE_INCIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/incident.h"
#include "store/store_ops.h"

struct store_incident_filter {
    int statuses; /* bit mask of (1 << enum incident_status); 0 = all */
    int limit;    /* 0 = no limit */
    /* Keyset paging (api/paging.h): only the incidents after this one in the list's order
     * (created_at DESC, length(id) DESC, id DESC); after_id NULL = from the start. */
    int64_t after_created_at;
    const char *after_id;
};

typedef int (*store_incident_cb)(const struct incident *inc, void *ctx); /* non-0 stops */
typedef void (*store_count_cb)(const char *key, int64_t n, void *ctx);

#define STORE_INCIDENT_OPS(X)                                                                      \
    X(counter_next, 0, (const char *key, int64_t *out), (key, out))                                \
    X(incident_insert, STORE_OP_PUBLIC, (const struct incident *inc), (inc))                       \
    X(incident_update, STORE_OP_PUBLIC, (const struct incident *inc), (inc))                       \
    X(incident_get, 0, (const char *id, struct incident *out), (id, out))                          \
    X(incident_list, 0, (const struct store_incident_filter *f, store_incident_cb cb, void *ctx),  \
      (f, cb, ctx))                                                                                \
    X(incident_count_open, 0, (store_count_cb cb, void *ctx), (cb, ctx))                           \
    X(incident_find_open_group, 0, (const char *group_key, struct incident *out), (group_key, out))

STORE_OPS_DECLARE(incident, STORE_INCIDENT_OPS)

#endif
