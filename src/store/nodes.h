/*
 * store/nodes: what the tocsin nodes sharing one database know of each other (migration 007;
 * docs/internals/multinode.md).
 * node_beat: records node `id` alive at `at` (wall-clock ms), creating its row. node_release:
 * drops every notification claim node `id` holds (a node that restarts takes its rows back at
 * once instead of waiting for its own lease); id NULL: every node's (a store only one process
 * can use, SQLite: whoever held a claim is gone). node_list: every node, by id, with the
 * notification claims it holds at `now` (app clock). cluster_value: the named counter's value, 0
 * when it was never set. cluster_bump: adds 1 to it. cluster_raise: sets it to `value` if that is
 * larger. cluster_claim: a claim held until a time (app clock): sets `key` to `until` when it is
 * unset or its time has come (<= now): OK; ERR_NOT_FOUND when another claim still runs (a probe
 * round: "probe:<service>").
 * run_touch: records that node `node`'s run begun at `started_at` (app clock) was alive at
 * `seen_at`, creating its row; seen_at never moves back. run_list: the runs that overlap
 * [from, to] (seen_at >= from and started_at <= to), by started_at then node: the record of when
 * tocsin was running, for the status page's "no data" (migration 013).
 */
#ifndef TOCSIN_STORE_NODES_H
#define TOCSIN_STORE_NODES_H

#include <stdint.h>

#include "store/store_ops.h"

struct store_node {
    const char *id, *version; /* borrowed during the callback */
    int64_t pid, started_at, heartbeat_at;
    int64_t claims; /* notification rows it holds a live claim on */
};

typedef int (*store_node_cb)(const struct store_node *n, void *ctx); /* non-0 stops */
typedef int (*store_run_cb)(const char *node, int64_t started_at, int64_t seen_at, void *ctx);

#define STORE_NODE_OPS(X)                                                                          \
    X(node_beat, 0,                                                                                \
      (const char *id, int64_t pid, const char *version, int64_t started_at, int64_t at),          \
      (id, pid, version, started_at, at))                                                          \
    X(node_release, 0, (const char *id), (id))                                                     \
    X(node_list, 0, (int64_t now, store_node_cb cb, void *ctx), (now, cb, ctx))                    \
    X(cluster_value, 0, (const char *key, int64_t *value), (key, value))                           \
    X(cluster_bump, 0, (const char *key), (key))                                                   \
    X(cluster_raise, 0, (const char *key, int64_t value), (key, value))                            \
    X(cluster_claim, 0, (const char *key, int64_t now, int64_t until), (key, now, until))          \
    X(run_touch, 0, (const char *node, int64_t started_at, int64_t seen_at),                       \
      (node, started_at, seen_at))                                                                 \
    X(run_list, 0, (int64_t from, int64_t to, store_run_cb cb, void *ctx), (from, to, cb, ctx))

STORE_OPS_DECLARE(node, STORE_NODE_OPS)

#endif
