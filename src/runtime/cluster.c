/*
 * cluster: see cluster.h.
 */
#include "runtime/cluster.h"
#include "runtime/engine.h"
#include "runtime/notifier.h"
#include "runtime/ack_key.h"
#include "app/version.h"
#include "util/log.h"
#include "util/pacer.h"
#include "store/nodes.h"

#include "domain/ack_link.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

enum { CLUSTER_SYNC_TIMEOUT_MS = 10000 };

struct cluster {
    struct app *app;
    pthread_t thread;
    struct pacer pacer; /* one worker: cluster_main */
    bool seen;          /* `caches` and `public` were read once */
    int64_t caches, public_gen;
    double beat_at; /* CLOCK_MONOTONIC ms of the last heartbeat written */
};

/* ---- writes ---- */

struct beat_job {
    const struct app *app;
    bool release; /* first beat: drop the claims a previous run of this node left */
};

static enum result beat_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct beat_job *j = arg;
    const struct app *app = j->app;
    enum result result = store_node_beat(tx, app->node_id, (int64_t)getpid(), TOCSIN_VERSION,
                                         app->started_at, clock_now(clock_real()));
    if (result == OK) /* the record of when tocsin ran: the status page's "no data" */
        result = store_run_touch(tx, app->node_id, atomic_load(&app->run_started),
                                 clock_now(app->clock));
    if (result == OK && j->release) /* SQLite: one process per file, so every claim is stale */
        result = store_node_release(tx, store_shared(app->store) ? app->node_id : NULL);
    return result == OK ? OK : error_set(err, result, "store: cannot record node %s", app->node_id);
}

static int64_t dev_offset(const struct app *app)
{
    return clock_now(app->clock) - clock_now(clock_real());
}

static enum result publish_job(struct store_conn *tx, void *arg, struct error *err)
{
    const int64_t *offset = arg;
    enum result result = store_cluster_raise(tx, CLUSTER_KEY_DEV_CLOCK, *offset);
    return result == OK ? OK : error_set(err, result, "store: cannot share the dev clock");
}

enum result cluster_publish_dev_clock(struct app *app, struct error *err)
{
    int64_t offset = dev_offset(app);
    return store_write(app->store, publish_job, &offset, err);
}

static enum result ack_key_job(struct store_conn *tx, void *arg, struct error *err)
{
    enum result result = store_cluster_raise(tx, CLUSTER_KEY_ACK_KEY, *(const int64_t *)arg);
    return result == OK ? OK : error_set(err, result, "store: cannot record the ack-link key");
}

void cluster_adopt_dev_clock(struct app *app)
{
    struct error err = {0};
    struct store_conn *rd = store_reader(app->store, &err);
    int64_t dev = 0;
    if (!app->dev_clock || !rd || store_cluster_value(rd, CLUSTER_KEY_DEV_CLOCK, &dev) != OK)
        return;
    if (dev > dev_offset(app))
        clock_advance(app->clock, dev - dev_offset(app));
}

/* ---- the watch ---- */

static void watch(struct cluster *c)
{
    struct app *app = c->app;
    struct error err = {0};
    struct store_conn *rd = store_reader(app->store, &err);
    int64_t caches = 0, config = 0, dev = 0, public_gen = 0;
    if (!rd || store_cluster_value(rd, CLUSTER_KEY_CACHES, &caches) != OK ||
        store_cluster_value(rd, CLUSTER_KEY_PUBLIC, &public_gen) != OK ||
        store_cluster_value(rd, CLUSTER_KEY_CONFIG, &config) != OK ||
        (app->dev_clock && store_cluster_value(rd, CLUSTER_KEY_DEV_CLOCK, &dev) != OK))
        return; /* the store is down: /healthz says so; try again next time */
    if (c->seen && caches != c->caches)
        store_invalidate_caches(app->store);
    if (c->seen && public_gen != c->public_gen)
        store_note_public_change(app->store); /* the status page is rendered again */
    c->caches = caches;
    c->public_gen = public_gen;
    c->seen = true;
    int64_t mine = atomic_load(&app->config_gen);
    if (config > mine) {
        atomic_store(&app->config_gen, config);
        if (app_reload_follow(app, &err) != OK)
            log_error("cluster: another node reloaded its config; this node's reload failed: %s",
                      err.message);
        else
            log_info("cluster: config reloaded after another node's reload");
        engine_kick(app->engine); /* deadlines may have moved, as after SIGHUP */
    }
    if (app->dev_clock) {
        int64_t ahead = dev - dev_offset(app);
        if (ahead > 0) {
            clock_advance(app->clock, ahead);
            engine_kick(app->engine); /* what fell due on the new time, now */
            notifier_kick(app->notifier);
        }
    }
}

static void beat(struct cluster *c, bool first)
{
    double now = clock_mono_ms();
    if (!first && now - c->beat_at < CLUSTER_BEAT_MS)
        return;
    if (store_failpoint_armed(c->app->store))
        return; /* a test is about to fail a write: this periodic one must not take it */
    c->beat_at = now;
    struct beat_job j = {.app = c->app, .release = first};
    struct error err = {0};
    if (store_write(c->app->store, beat_job, &j, &err) != OK)
        log_error("cluster: %s", err.message);
}

static void *cluster_main(void *arg)
{
    struct cluster *c = arg;
    uint64_t gen;
    while (pacer_begin(&c->pacer, &gen)) {
        watch(c);
        beat(c, false);
        pacer_end(&c->pacer, 0, gen, INT64_MAX, 0, CLUSTER_WATCH_MS);
    }
    return NULL;
}

/* The ack-link key (DATA/notify.key) must be the same on every node: a link signed by one node
 * is opened on whichever node the load balancer picks. The first node records a fingerprint of
 * its key (the first 62 bits of its BLAKE2b hash); a node with another key refuses to start. */
static enum result check_ack_key(struct app *app, struct error *err)
{
    unsigned char key[ACKLINK_KEY_LEN], h[16];
    if (ack_key_load(app->data_dir, key, err) != OK) /* the notifier loads the same file */
        return err->code;
    crypto_generichash(h, sizeof h, key, sizeof key, NULL, 0);
    sodium_memzero(key, sizeof key);
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = (bits << 8) | h[i];
    int64_t fp = (int64_t)((bits >> 2) | 1); /* positive and never 0 (0: none recorded) */
    int64_t seen = 0;
    struct store_conn *rd = store_reader(app->store, err);
    if (!rd || store_cluster_value(rd, CLUSTER_KEY_ACK_KEY, &seen) != OK)
        return error_set(err, ERR_UNAVAILABLE, "store: cannot read the nodes' ack-link key");
    if (!seen) {
        if (store_write(app->store, ack_key_job, &fp, err) != OK)
            return err->code;
        if (store_cluster_value(rd, CLUSTER_KEY_ACK_KEY, &seen) != OK)
            return error_set(err, ERR_UNAVAILABLE, "store: cannot read the nodes' ack-link key");
    }
    if (seen != fp)
        return error_set(err, ERR_CONFLICT,
                         "%s/notify.key differs from the key the other nodes sharing this "
                         "store sign acknowledgement links with: copy notify.key from one of "
                         "them into this node's data directory",
                         app->data_dir);
    return OK;
}

enum result cluster_join(struct app *app, struct error *err)
{
    if (app->config->storage.claim_lease < 30 * 1000)
        log_warn("cluster: storage.claim_lease is under 30 s: a delivery may take 10 s and the "
                 "write lock 5 s more, so a slow receiver may be sent the same page twice "
                 "(under one idempotency key)");
    struct beat_job j = {.app = app, .release = true};
    if (check_ack_key(app, err) != OK || store_write(app->store, beat_job, &j, err) != OK)
        return err->code ? err->code : ERR_UNAVAILABLE;
    return OK;
}

struct release_job {
    const struct app *app;
};

static enum result release_job(struct store_conn *tx, void *arg, struct error *err)
{
    const struct app *app = ((struct release_job *)arg)->app;
    enum result result = store_node_release(tx, app->node_id);
    if (result == OK) /* the run's last instant: its record ends now, not at the last beat */
        result = store_run_touch(tx, app->node_id, atomic_load(&app->run_started),
                                 clock_now(app->clock));
    return result == OK ? OK : error_set(err, result, "store: cannot release the claims");
}

static enum result run_job(struct store_conn *tx, void *arg, struct error *err)
{
    const struct app *app = arg;
    enum result result =
        store_run_touch(tx, app->node_id, atomic_load(&app->run_started), clock_now(app->clock));
    return result == OK ? OK : error_set(err, result, "store: cannot record this run");
}

void cluster_record_run(struct app *app)
{
    struct error err = {0};
    if (store_write(app->store, run_job, app, &err) != OK)
        log_warn("cluster: %s", err.message);
}

void cluster_leave(struct app *app)
{
    struct release_job j = {.app = app};
    struct error err = {0};
    if (store_write(app->store, release_job, &j, &err) != OK)
        log_warn("cluster: %s (they end with their lease)", err.message);
}

struct cluster *cluster_start(struct app *app, struct error *err)
{
    struct cluster *c = xcalloc(1, sizeof *c);
    c->app = app;
    c->beat_at = clock_mono_ms();
    struct store_conn *rd = store_reader(app->store, err);
    int64_t config = 0;
    if (rd && store_cluster_value(rd, CLUSTER_KEY_CONFIG, &config) == OK)
        atomic_store(&app->config_gen, config); /* the config file read at start is current */
    pacer_init(&c->pacer, 1);
    if (pthread_create(&c->thread, NULL, cluster_main, c) != 0)
        fatal("cluster: cannot start its thread");
    return c;
}

void cluster_stop(struct cluster *c)
{
    if (!c)
        return;
    pacer_stop(&c->pacer);
    pthread_join(c->thread, NULL);
    pacer_destroy(&c->pacer);
    free(c);
}

void cluster_sync(struct cluster *c)
{
    if (c)
        pacer_sync(&c->pacer, CLUSTER_SYNC_TIMEOUT_MS);
}
