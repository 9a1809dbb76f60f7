/*
 * app: the shared server state's two operations: take the current config, reload it.
 * See app.h for the locking rules.
 */
#include "app/app.h"
#include "jobs/chatops_enqueue.h"
#include "jobs/timeline.h"
#include "store/nodes.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config *app_config(struct app *app)
{
    pthread_mutex_lock(&app->config_lock);
    struct config *c = config_ref(app->config);
    pthread_mutex_unlock(&app->config_lock);
    return c;
}

struct reload_job {
    struct tclock *clock;
    const char *actor;
    const struct config *next;
    bool announce;   /* tell the other nodes (CLUSTER_KEY_CONFIG) */
    int64_t gen_out; /* the counter after this reload's bump */
};

static enum result reload_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct reload_job *j = arg;
    const struct config *c = j->next;
    json_t *data =
        json_pack("{s:s,s:I,s:I,s:I,s:I}", "path", c->path, "severities",
                  (json_int_t)c->severity_count, "users", (json_int_t)c->user_count, "services",
                  (json_int_t)c->service_count, "escalation_policies", (json_int_t)c->policy_count);
    enum result result = timeline_append(tx, clock_now(j->clock), j->actor, "config.reloaded", NULL,
                                         data, NULL, err);
    if (result == OK && j->announce &&
        ((result = store_cluster_bump(tx, CLUSTER_KEY_CONFIG)) != OK ||
         (result = store_cluster_value(tx, CLUSTER_KEY_CONFIG, &j->gen_out)) != OK))
        error_set(err, result, "store: cannot tell the other nodes of the reload");
    return result;
}

static bool same_strings(const struct string_list *a, const struct string_list *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

/* The server.* keys http_start reads once (docs/security.md, "Connections"). */
static bool server_limits_changed(const struct config *a, const struct config *b)
{
    return a->server.max_connections != b->server.max_connections ||
           a->server.max_connections_per_address != b->server.max_connections_per_address ||
           a->server.header_timeout != b->server.header_timeout ||
           a->server.body_timeout != b->server.body_timeout ||
           a->server.idle_timeout != b->server.idle_timeout ||
           a->server.shutdown_grace != b->server.shutdown_grace ||
           a->server.min_body_rate != b->server.min_body_rate ||
           a->server.body_rate_grace != b->server.body_rate_grace ||
           !same_strings(&a->server.trusted_proxies, &b->server.trusted_proxies);
}

static void warn_restart_only(const struct config *old, const struct config *next)
{
    if (strcmp(old->server.listen, next->server.listen) != 0)
        log_warn("config: server.listen changed to %s; restart to apply", next->server.listen);
    if (strcmp(old->storage.driver, next->storage.driver) != 0 ||
        (old->storage.path && next->storage.path &&
         strcmp(old->storage.path, next->storage.path) != 0))
        log_warn("config: storage changed; restart to apply");
    if (old->server.max_body != next->server.max_body)
        log_warn("config: server.max_body changed; restart to apply");
    if (server_limits_changed(old, next))
        log_warn("config: server connection limits, deadlines, body rate, trusted_proxies (for "
                 "the connection limit) or shutdown_grace changed; restart to apply");
    if (!old->server.tls.cert_file != !next->server.tls.cert_file)
        log_warn("config: server.tls %s; restart to apply (a changed certificate or key file is "
                 "read on SIGHUP)",
                 next->server.tls.cert_file ? "added" : "removed");
}

/* server.tls and server.listen take a restart; until then the links tocsin writes (ack links, the
 * UI's Secure cookie, status page and chat links) keep the scheme and address it serves: a
 * public_url the config leaves to its default (scheme://listen) is carried over from the running
 * config while either differs. A public_url written in the config is used as written. */
static void keep_served_public_url(const struct config *old, struct config *next)
{
    bool old_tls = old->server.tls.cert_file && old->server.tls.key_file;
    bool new_tls = next->server.tls.cert_file && next->server.tls.key_file;
    if (old_tls == new_tls && strcmp(old->server.listen, next->server.listen) == 0)
        return;
    char def[1024];
    snprintf(def, sizeof def, "%s://%s", new_tls ? "https" : "http", next->server.listen);
    if (!next->server.public_url || strcmp(next->server.public_url, def) != 0)
        return;
    free(next->server.public_url);
    next->server.public_url = xstrdup(old->server.public_url);
    log_warn("config: server.public_url stays %s (what is served) until the restart that applies "
             "server.tls or server.listen",
             next->server.public_url);
}

static enum result reload(struct app *app, const char *actor, bool announce,
                          struct config_errors *errs, struct error *err)
{
    struct config_errors local = {0};
    struct config_errors *e = errs ? errs : &local;
    pthread_mutex_lock(&app->reload_lock);
    struct config *next = config_load(app->config_path, e);
    enum result result = OK;
    if (!next) {
        for (size_t i = 0; i < e->count; i++)
            log_error("config: %s", e->items[i]);
        log_error("config: reload of %s refused (%zu errors); the running config is kept",
                  app->config_path, e->count);
        result =
            error_set(err, ERR_UNPROCESSABLE, "config: %s", e->count ? e->items[0] : "invalid");
        goto out;
    }
    pthread_mutex_lock(&app->config_lock);
    keep_served_public_url(app->config, next); /* reloads are serialised: app->config stays */
    pthread_mutex_unlock(&app->config_lock);
    struct reload_job j = {.clock = app->clock, .actor = actor, .next = next, .announce = announce};
    result = store_write(app->store, reload_job, &j, err);
    if (result == OK && announce)
        atomic_store(&app->config_gen, j.gen_out); /* this node need not follow its own bump */
    if (result != OK) {
        log_error("config: reload not recorded (%s); the running config is kept", err->message);
        config_unref(next);
        goto out;
    }
    pthread_mutex_lock(&app->config_lock);
    struct config *old = app->config;
    app->config = next;
    pthread_mutex_unlock(&app->config_lock);
    chatops_enqueue_enable(next->chatops.slack.on || next->chatops.mattermost.on ||
                           next->chatops.teams.on);
    warn_restart_only(old, next);
    config_unref(old);
    log_info("config: reloaded %s", app->config_path);
out:
    pthread_mutex_unlock(&app->reload_lock);
    config_errors_free(&local);
    return result;
}

enum result app_reload(struct app *app, const char *actor, struct config_errors *errs,
                       struct error *err)
{
    return reload(app, actor, true, errs, err);
}

enum result app_reload_follow(struct app *app, struct error *err)
{
    return reload(app, "tocsin:cluster", false, NULL, err);
}
