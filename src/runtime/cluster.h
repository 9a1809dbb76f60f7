/*
 * cluster: this node among the tocsin nodes that share one database (docs/internals/multinode.md).
 * A thread that, every CLUSTER_WATCH_MS:
 *   - reads the shared counters (store/nodes.h cluster_state) and acts on the ones that moved:
 *     `caches` (another node revoked a credential or changed a silence): drops this node's
 *     caches (store_invalidate_caches); `public` (another node changed what the status page
 *     shows): this node renders its page again (store_note_public_change); `config` (another node
 * reloaded): reloads this node's own config file (app_reload_follow); `dev_clock_offset`
 * (--dev-clock only: another node's dev clock was moved): moves this node's dev clock as far;
 *   - every CLUSTER_BEAT_MS, records this node alive (nodes.heartbeat_at, wall clock).
 * So a change made on one node holds on every node within CLUSTER_WATCH_MS plus one read.
 * On SQLite (one node) the same runs and finds nothing moved but its own changes.
 * Threads: its own; cluster_sync from any thread.
 */
#ifndef TOCSIN_CLUSTER_H
#define TOCSIN_CLUSTER_H

#include "app/app.h"

enum { CLUSTER_WATCH_MS = 250, CLUSTER_BEAT_MS = 5000 };

/* Before the notifier and the engine start: checks this node's ack-link key against the other
 * nodes' (refusing another), records the node and releases the notification claims a previous
 * run under the same name left (so nothing this run claims is released under it). */
enum result cluster_join(struct app *app, struct error *err);
/* Starts the watch thread (after the engine and the notifier: it kicks them). */
struct cluster *cluster_start(struct app *app, struct error *err);
/* At a clean stop, after the notifier stopped: releases the claims this node still holds (rows
 * it skipped while stopping), so another node sends them now, not after the lease. */
void cluster_leave(struct app *app);
/* Records this run of tocsin alive now (store runs), at once rather than at the next beat. */
void cluster_record_run(struct app *app);
void cluster_stop(struct cluster *c);
/* Runs a watch pass now and waits for it (bounded): what other nodes changed so far holds here
 * when it returns. */
void cluster_sync(struct cluster *c);
/* --dev-clock, at start before the engine runs: moves this node's dev clock to the offset the
 * store keeps (where it was before a restart, or where the other nodes are). */
void cluster_adopt_dev_clock(struct app *app);
/* --dev-clock: tells the other nodes how far this node's dev clock was moved. */
enum result cluster_publish_dev_clock(struct app *app, struct error *err);

#endif
