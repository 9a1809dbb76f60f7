/*
 * store/timeline: the hash-chained timeline rows (migration 001). timeline_last: the last seq and
 * hash (0 and the genesis hash when empty). timeline_scan: one incident's entries, or all when
 * incident_id is NULL, by seq; callbacks get borrowed entries.
 */
#ifndef TOCSIN_STORE_TIMELINE_H
#define TOCSIN_STORE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/timeline_chain.h"
#include "store/store_ops.h"

typedef int (*store_timeline_cb)(const struct timeline_entry *e, void *ctx);

#define STORE_TIMELINE_OPS(X)                                                                      \
    X(timeline_insert, 0, (const struct timeline_entry *e), (e))                                   \
    X(timeline_last, 0, (int64_t * seq, char hash[SHA256_HEX_LEN]), (seq, hash))                   \
    X(timeline_scan, 0, (const char *incident_id, store_timeline_cb cb, void *ctx),                \
      (incident_id, cb, ctx))

STORE_OPS_DECLARE(timeline, STORE_TIMELINE_OPS)

#endif
