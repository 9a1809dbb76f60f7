/*
 * store/heartbeats: the last time each heartbeat was seen (migration 002); touch never moves it
 * back. claim_missed: records that the miss of check-in `last_seen` was raised (migration 007):
 * OK the first time, ERR_NOT_FOUND when it already was, or a newer check-in came meanwhile (another
 * node's), or the heartbeat has no row.
 */
#ifndef TOCSIN_STORE_HEARTBEATS_H
#define TOCSIN_STORE_HEARTBEATS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"

typedef int (*store_heartbeat_cb)(const char *name, int64_t last_seen, void *ctx);

#define STORE_HEARTBEAT_OPS(X)                                                                     \
    X(heartbeat_touch, 0, (const char *name, int64_t at), (name, at))                              \
    X(heartbeat_list, 0, (store_heartbeat_cb cb, void *ctx), (cb, ctx))                            \
    X(heartbeat_claim_missed, 0, (const char *name, int64_t last_seen), (name, last_seen))

STORE_OPS_DECLARE(heartbeat, STORE_HEARTBEAT_OPS)

#endif
