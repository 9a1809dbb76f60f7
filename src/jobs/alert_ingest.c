/*
 * ingest: the transactional half of alert intake. See ingest.h for the rules.
 */
#include "jobs/alert_ingest.h"
#include "runtime/engine.h"
#include "jobs/incident_ops.h"
#include "jobs/incident_rules.h"
#include "jobs/timeline.h"
#include "util/crypto.h"
#include "util/jsonfast.h"
#include "util/log.h"
#include "store/incidents.h"
#include "store/alerts.h"
#include "store/silences.h"
#include "store/nodes.h"
#include "store/heartbeats.h"
#include "util/utf8.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { TITLE_MAX = 200 };

/* What the request thread works out for each event before the job is queued, so that the writer
 * (which every request waits on) only does what needs the transaction: the JSON texts, the group
 * key, the title and the mapped severity of a trigger. */
struct prepared {
    char *labels, *details; /* JSON texts; NULL when the event has none */
    char *group_key;
    char *title;
    const char *severity; /* a config severity id (borrowed from the config) */
};

/* The silences in force, as read inside the writer's transaction, with their matchers parsed once.
 * Kept per writer thread between jobs while store_silences_version() has not moved (a silence
 * created or expired, or a rollback) and the clock has not gone back; see docs/internals/ingest.md.
 */
struct silence_cache {
    bool loaded;
    uint64_t version;
    int64_t shared_gen; /* several nodes: the store's `caches` counter when it was read */
    int64_t loaded_at;
    struct silence *items;
    json_t **matchers;
    size_t count, cap;
};

static pthread_key_t silences_key; /* the writer thread's struct silence_cache */
static pthread_once_t silences_once = PTHREAD_ONCE_INIT;

struct ingest_job {
    struct app *app;
    const struct config *cfg;
    struct ingest_source *src;
    const struct config_service *svc;
    struct ingest_event *ev;
    struct prepared *prep;
    size_t n;
    int64_t now;
    const struct silence_cache *silences; /* the writer thread's, during the job */
};

static void silence_cache_clear(struct silence_cache *c)
{
    for (size_t i = 0; i < c->count; i++) {
        silence_free_fields(&c->items[i]);
        json_decref(c->matchers[i]);
    }
    c->count = 0;
    c->loaded = false;
}

static int collect_silence(const struct silence *s, void *arg)
{
    struct silence_cache *c = arg;
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
        c->matchers = xrealloc(c->matchers, c->cap * sizeof *c->matchers);
    }
    struct silence *copy = &c->items[c->count];
    *copy = *s;
    copy->service = s->service ? xstrdup(s->service) : NULL;
    copy->matchers = xstrdup(s->matchers ? s->matchers : "{}");
    copy->reason = xstrdup(s->reason ? s->reason : "");
    copy->created_by = xstrdup(s->created_by ? s->created_by : "");
    c->matchers[c->count++] = alerts_silence_parse(copy);
    return 0;
}

static void silence_cache_free(void *arg)
{
    struct silence_cache *c = arg;
    silence_cache_clear(c);
    free(c->items);
    free(c->matchers);
    free(c);
}

static void silences_key_create(void)
{
    if (pthread_key_create(&silences_key, silence_cache_free) != 0)
        fatal("ingest: cannot create the silence cache key");
}

/* This thread's cache, created on first use and freed when the thread ends. */
static struct silence_cache *silence_cache(void)
{
    pthread_once(&silences_once, silences_key_create);
    struct silence_cache *c = pthread_getspecific(silences_key);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        pthread_setspecific(silences_key, c);
    }
    return c;
}

/* The silences ending after `now`, from this thread's cache or read again. */
static const struct silence_cache *silences_current(struct store_conn *tx, int64_t now, bool shared,
                                                    enum result *result)
{
    struct silence_cache *c = silence_cache();
    uint64_t version = store_silences_version(tx);
    int64_t gen = 0;
    /* Several nodes (PostgreSQL): a silence another node added is seen at once, not after this
     * node's next watch pass: its batch bumped `caches`, read here under the write lock (one
     * indexed read per batch; docs/internals/multinode.md). */
    *result = shared ? store_cluster_value(tx, CLUSTER_KEY_CACHES, &gen) : OK;
    if (*result != OK)
        return c;
    if (c->loaded && c->version == version && c->shared_gen == gen && now >= c->loaded_at)
        return c;
    silence_cache_clear(c);
    *result = store_silence_list(tx, false, now, collect_silence, c);
    if (*result != OK) {
        silence_cache_clear(c);
        return c;
    }
    c->loaded = true;
    c->version = version;
    c->shared_gen = gen;
    c->loaded_at = now;
    return c;
}

static const struct silence *matching_silence(struct ingest_job *j, json_t *labels)
{
    const struct silence_cache *c = j->silences;
    for (size_t i = 0; i < c->count; i++)
        if (alerts_silence_matches_parsed(&c->items[i], c->matchers[i], j->src->service, labels,
                                          j->now))
            return &c->items[i];
    return NULL;
}

/* Canonical text (compact, sorted keys) of labels or details; jsonfast writes the same bytes as
 * json_dumps, faster, and hands values with reals back to it. */
static char *json_text(json_t *v)
{
    char *s = jsonfast_dump_sorted(v);
    if (!s && v)
        s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    return s ? s : xstrdup("{}");
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Copies at most max characters of s (valid UTF-8). */
static char *utf8_prefix(const char *s, size_t max)
{
    size_t n = utf8_cut_chars(s, max);
    char *out = xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

static enum result alert_entry(struct ingest_job *j, struct store_conn *tx, const char *kind,
                               const struct alert *a, struct error *err)
{
    if (!a->incident_id)
        return OK;
    json_t *data = json_pack("{s:I,s:s,s:s,s:s,s:s?}", "alert_id", (json_int_t)a->id, "dedup_key",
                             a->dedup_key, "summary", a->summary, "source_kind", a->source_kind,
                             "severity", a->severity);
    return timeline_append(tx, j->now, j->src->actor, kind, a->incident_id, data, NULL, err);
}

static int severity_rank(const struct config *cfg, const char *id)
{
    const struct config_severity *s = config_severity_find(cfg, id);
    return s ? s->rank : 1 << 20;
}

/* Joins the open incident of the alert's group, or opens one. Fills a->incident_id. */
static enum result attach(struct ingest_job *j, struct store_conn *tx, struct ingest_event *e,
                          const struct prepared *p, struct alert *a, struct error *err)
{
    const char *sev = p->severity;
    struct incident inc = {0};    /* freed below on every path, whichever step failed */
    if (j->src->drill_incident) { /* a drill's alert: its drill incident, nothing else */
        enum result result = store_incident_get(tx, j->src->drill_incident, &inc);
        if (result != OK)
            error_set(err, result, "store: cannot read drill incident %s", j->src->drill_incident);
        else /* a drill exercises the rules as a real incident does */
            result = incident_rules_alert_joined(tx, j->cfg, &inc, e->labels, j->now, err);
        if (result == OK)
            a->incident_id = xstrdup(inc.id);
        incident_free_fields(&inc);
        return result;
    }
    enum result result = store_incident_find_open_group(tx, a->group_key, &inc);
    if (result == ERR_NOT_FOUND) {
        struct incident_new n = {.title = p->title,
                                 .severity = sev,
                                 .service = j->src->service,
                                 .group_key = a->group_key,
                                 .auto_resolve = j->svc ? j->svc->alerts.auto_resolve : true,
                                 .cfg = j->cfg};
        result = incident_ops_declare(tx, j->now, j->src->actor, &n, &inc, err);
        e->opened = result == OK;
    } else if (result == OK && severity_rank(j->cfg, sev) < severity_rank(j->cfg, inc.severity)) {
        result = incident_ops_set_severity(tx, j->cfg, &inc, sev, j->now, j->src->actor,
                                           "a more severe alert joined", err);
    } else if (result != OK) {
        error_set(err, result, "store: cannot look up the alert's incident");
    }
    if (result == OK) /* rules on the alert's labels (declare ran those without) */
        result = incident_rules_alert_joined(tx, j->cfg, &inc, e->labels, j->now, err);
    if (result == OK)
        a->incident_id = xstrdup(inc.id);
    incident_free_fields(&inc);
    return result;
}

static enum result trigger_new(struct ingest_job *j, struct store_conn *tx, struct ingest_event *e,
                               const struct prepared *p, struct error *err)
{
    struct alert a = {
        .status = ALERT_FIRING, .first_seen = j->now, .last_seen = j->now, .repeat_count = 1};
    a.scope = xstrdup(j->src->scope);
    a.integration_id = dup_or_null(j->src->integration_id);
    a.source_kind = xstrdup(j->src->source_kind);
    a.service = xstrdup(j->src->service);
    a.dedup_key = xstrdup(e->dedup);
    a.summary = xstrdup(e->summary);
    a.source = dup_or_null(e->source);
    a.severity = dup_or_null(e->severity);
    a.labels = xstrdup(p->labels ? p->labels : "{}");
    a.details = xstrdup(p->details ? p->details : "{}");
    a.group_key = xstrdup(p->group_key);
    const struct silence *s = j->src->drill_incident ? NULL : matching_silence(j, e->labels);
    enum result result = OK;
    if (s) {
        a.silenced_by = xstrdup(s->id);
        e->silenced = true;
    } else {
        result = attach(j, tx, e, p, &a, err);
    }
    if (result == OK)
        result = store_alert_insert(tx, &a, &a.id);
    if (result == OK)
        result = alert_entry(j, tx, "alert.triggered", &a, err);
    if (result == OK) {
        e->alert_id = a.id;
        snprintf(e->incident_id, sizeof e->incident_id, "%s", a.incident_id ? a.incident_id : "");
    } else if (err->code == OK) {
        error_set(err, result, "store: cannot store the alert");
    }
    alert_free_fields(&a);
    return result;
}

static void replace(char **field, const char *value)
{
    if (!value)
        return;
    free(*field);
    *field = xstrdup(value);
}

static enum result trigger(struct ingest_job *j, struct store_conn *tx, struct ingest_event *e,
                           const struct prepared *p, struct error *err)
{
    struct alert a;
    enum result result = store_alert_find_open(tx, j->src->scope, e->dedup, &a);
    if (result == ERR_NOT_FOUND)
        return trigger_new(j, tx, e, p, err);
    if (result != OK)
        return error_set(err, result, "store: cannot look up the alert");
    a.last_seen = j->now;
    a.repeat_count++;
    replace(&a.summary, e->summary);
    replace(&a.source, e->source);
    replace(&a.severity, e->severity);
    replace(&a.labels, p->labels);
    replace(&a.details, p->details);
    if (a.silenced_by && !matching_silence(j, e->labels)) {
        /* still firing after its silence ended: it pages now, like a new alert */
        free(a.silenced_by);
        a.silenced_by = NULL;
        result = attach(j, tx, e, p, &a, err);
        if (result == OK)
            result = alert_entry(j, tx, "alert.triggered", &a, err);
        if (result != OK) {
            alert_free_fields(&a);
            return result;
        }
    }
    result = store_alert_update(tx, &a);
    e->repeat = true;
    e->alert_id = a.id;
    snprintf(e->incident_id, sizeof e->incident_id, "%s", a.incident_id ? a.incident_id : "");
    alert_free_fields(&a);
    return result == OK ? OK : error_set(err, result, "store: cannot update the alert");
}

/* After an alert is acknowledged or resolved: move its incident if the rules say so. */
static enum result follow_incident(struct ingest_job *j, struct store_conn *tx,
                                   const struct alert *a, enum alert_action action,
                                   struct error *err)
{
    struct incident inc;
    enum result result = store_incident_get(tx, a->incident_id, &inc);
    if (result == ERR_NOT_FOUND)
        return OK;
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", a->incident_id);
    if (action == ALERT_ACKNOWLEDGE && inc.status == INC_TRIGGERED) {
        result = incident_ops_move(tx, &inc, INC_ACKNOWLEDGED, j->now, j->src->actor,
                                   "acknowledged by the alert source", err);
    } else if (action == ALERT_RESOLVE && inc.auto_resolve && incident_status_is_open(inc.status)) {
        int64_t open = 0;
        result = store_alert_count_open(tx, inc.id, &open);
        if (result == OK && open == 0)
            result = incident_ops_move(tx, &inc, INC_RESOLVED, j->now, "system",
                                       "every alert of this incident has resolved", err);
    }
    incident_free_fields(&inc);
    return result;
}

static enum result settle(struct ingest_job *j, struct store_conn *tx, struct ingest_event *e,
                          struct error *err)
{
    struct alert a;
    enum result result = store_alert_find_open(tx, j->src->scope, e->dedup, &a);
    if (result == ERR_NOT_FOUND) {
        e->dropped = true;
        return OK;
    }
    if (result != OK)
        return error_set(err, result, "store: cannot look up the alert");
    bool resolve = e->action == ALERT_RESOLVE;
    if (!resolve && a.status == ALERT_ACKNOWLEDGED) {
        e->alert_id = a.id;
        alert_free_fields(&a);
        return OK;
    }
    a.status = resolve ? ALERT_RESOLVED : ALERT_ACKNOWLEDGED;
    a.last_seen = j->now;
    if (resolve)
        a.resolved_at = j->now;
    result = store_alert_update(tx, &a);
    if (result == OK)
        result = alert_entry(j, tx, resolve ? "alert.resolved" : "alert.acknowledged", &a, err);
    if (result == OK && a.incident_id)
        result = follow_incident(j, tx, &a, e->action, err);
    e->alert_id = a.id;
    snprintf(e->incident_id, sizeof e->incident_id, "%s", a.incident_id ? a.incident_id : "");
    alert_free_fields(&a);
    return result;
}

static enum result ingest_job_at(struct store_conn *tx, struct ingest_job *j, struct error *err)
{
    enum result result;
    j->silences = silences_current(tx, j->now, store_shared(j->app->store), &result);
    if (result == OK && j->src->touch_heartbeat) {
        result = store_heartbeat_touch(tx, j->src->touch_heartbeat, j->now);
        j->src->touched_at = j->now;
    }
    j->src->claim_lost = false;
    if (result == OK && j->src->missed_heartbeat) {
        result = store_heartbeat_claim_missed(tx, j->src->missed_heartbeat, j->src->missed_for);
        if (result == ERR_NOT_FOUND) { /* raised already: by another node, or before a restart */
            j->src->claim_lost = true;
            return OK;
        }
    }
    if (result != OK)
        return error_set(err, result, "store: cannot prepare the ingest");
    for (size_t i = 0; result == OK && i < j->n; i++) {
        struct ingest_event *e = &j->ev[i];
        if (e->action == ALERT_TRIGGER)
            result = trigger(j, tx, e, &j->prep[i], err);
        else
            result = settle(j, tx, e, err);
    }
    return result;
}

static enum result ingest_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct ingest_job *j = arg;
    j->now = clock_now(j->app->clock);
    return ingest_job_at(tx, j, err);
}

/* Outside the transaction: everything about a trigger that does not depend on the store. */
static void prepare(const struct ingest_job *j, const struct ingest_event *e, struct prepared *p)
{
    p->labels = e->labels ? json_text(e->labels) : NULL;
    p->details = e->details ? json_text(e->details) : NULL;
    p->group_key =
        alerts_group_key(j->src->service, j->svc ? &j->svc->alerts.group_by : NULL, e->labels);
    p->title = utf8_prefix(e->summary, TITLE_MAX);
    p->severity = config_alert_severity(j->cfg, j->svc, e->severity);
}

static void ingest_job_init(struct ingest_job *j, struct app *app, const struct config *cfg,
                            struct ingest_source *src, struct ingest_event *ev, size_t n)
{
    *j = (struct ingest_job){.app = app,
                             .cfg = cfg,
                             .src = src,
                             .svc = config_service_find(cfg, src->service),
                             .ev = ev,
                             .prep = xcalloc(n ? n : 1, sizeof *j->prep),
                             .n = n};
    for (size_t i = 0; i < n; i++) {
        if (ev[i].dedup_key) {
            ev[i].dedup = ev[i].dedup_key; /* whole: a cut key would merge two alerts */
        } else {
            crypto_random_hex(16, ev[i].generated);
            ev[i].dedup = ev[i].generated;
        }
        if (ev[i].action == ALERT_TRIGGER)
            prepare(j, &ev[i], &j->prep[i]);
    }
}

static void ingest_job_clear(struct ingest_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->prep[i].labels);
        free(j->prep[i].details);
        free(j->prep[i].group_key);
        free(j->prep[i].title);
    }
    free(j->prep);
    j->prep = NULL;
}

/* An incident was opened: paging starts now, not at the engine's next tick. */
static void kick_if_opened(const struct ingest_job *j, enum result result)
{
    for (size_t i = 0; result == OK && i < j->n; i++)
        if (j->ev[i].opened) {
            engine_kick(j->app->engine);
            return;
        }
}

enum result ingest_run(struct app *app, const struct config *cfg, struct ingest_source *src,
                       struct ingest_event *ev, size_t n, struct error *err)
{
    struct ingest_job j;
    ingest_job_init(&j, app, cfg, src, ev, n);
    enum result result = store_write(app->store, ingest_job, &j, err);
    kick_if_opened(&j, result);
    ingest_job_clear(&j);
    return result;
}

enum result ingest_apply(struct store_conn *tx, struct app *app, const struct config *cfg,
                         struct ingest_source *src, struct ingest_event *ev, size_t n, int64_t now,
                         struct error *err)
{
    struct ingest_job j;
    ingest_job_init(&j, app, cfg, src, ev, n);
    j.now = now;
    enum result result = ingest_job_at(tx, &j, err);
    ingest_job_clear(&j);
    return result;
}

struct ingest_async {
    struct ingest_job job;
    struct error *err;
    enum result result;
    ingest_done_fn done;
    void *done_arg;
};

struct ingest_async *ingest_prepare(struct app *app, const struct config *cfg,
                                    struct ingest_source *src, struct ingest_event *ev, size_t n)
{
    struct ingest_async *a = xcalloc(1, sizeof *a);
    ingest_job_init(&a->job, app, cfg, src, ev, n);
    a->result = ERR_UNAVAILABLE;
    return a;
}

static void async_done(void *arg, enum result result)
{
    struct ingest_async *a = arg;
    a->result = result;
    kick_if_opened(&a->job, result);
    a->done(a->done_arg);
}

void ingest_submit(struct ingest_async *a, struct error *err, ingest_done_fn done, void *done_arg)
{
    a->err = err;
    a->done = done;
    a->done_arg = done_arg;
    store_submit(a->job.app->store, ingest_job, &a->job, err, async_done, a);
}

enum result ingest_result(const struct ingest_async *a)
{
    return a->result;
}

void ingest_async_free(struct ingest_async *a)
{
    if (!a)
        return;
    ingest_job_clear(&a->job);
    free(a);
}
