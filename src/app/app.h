/*
 * app: the running server's shared state, handed to every request handler: the store, the clock,
 * the current config (swapped whole on reload), paths and metrics.
 *
 * The config pointer is guarded by a mutex only for the swap; a reader takes a reference
 * (app_config) and keeps using that config for the whole request, even if a reload lands
 * meanwhile. app_reload runs on the signal thread (SIGHUP) or a request thread
 * (POST /api/v1/config/reload); reloads are serialised by the same mutex.
 */
#ifndef TOCSIN_APP_H
#define TOCSIN_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "store/store.h"
#include "util/clock.h"

struct metrics;
struct ratelimit;
struct engine;
struct notifier;
struct cluster;
struct auditor;

struct app {
    struct store *store;
    struct tclock *clock;
    bool dev_clock;
    char *config_path;
    char *data_dir;
    char *node_id;               /* this node's name among those sharing the store (serve --node) */
    int64_t started_at;          /* wall-clock ms */
    _Atomic int64_t run_started; /* app-clock ms this run of tocsin began (store runs) */
    _Atomic int64_t config_gen;  /* CLUSTER_KEY_CONFIG as of this node's last reload */
    struct cluster *cluster;     /* NULL until started */
    pthread_mutex_t config_lock;
    pthread_mutex_t reload_lock;
    struct config *config;
    struct metrics *metrics;
    struct ratelimit *ratelimit; /* per integration key */
    struct engine *engine;       /* NULL until started */
    struct notifier *notifier;   /* NULL until started */
    struct auditor *auditor;     /* NULL until started: verify then answers 503 */
};

/* The current config, with a reference the caller must drop with config_unref. */
struct config *app_config(struct app *app);
/* Loads config_path again; on success swaps it in and records config.reloaded on the timeline.
 * On failure keeps the old config, logs every error and, when errs is not NULL, hands them back. */
enum result app_reload(struct app *app, const char *actor, struct config_errors *errs,
                       struct error *err);

/* app_reload because another node reloaded (runtime/cluster.c): the same, without telling the
 * other nodes again. */
enum result app_reload_follow(struct app *app, struct error *err);

#endif
