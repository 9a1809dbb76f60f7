/*
 * ingest: the transactional half of alert intake. See ingest.h for the rules.
 */
#include "ingest.h"
#include "engine.h"
#include "incident_ops.h"
#include "timeline.h"
#include "util/crypto.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { TITLE_MAX = 200 };

struct silence_set {
    struct silence *items;
    size_t count;
};

struct ingest_job {
    struct app *app;
    const struct config *cfg;
    struct ingest_source *src;
    const struct config_service *svc;
    struct ingest_event *ev;
    size_t n;
    struct silence_set silences;
    int64_t now;
};

static int collect_silence(const struct silence *s, void *arg)
{
    struct ingest_job *j = arg;
    if (s->service && strcmp(s->service, j->src->service) != 0)
        return 0;
    struct silence_set *set = &j->silences;
    set->items = xrealloc(set->items, (set->count + 1) * sizeof *set->items);
    struct silence *copy = &set->items[set->count++];
    *copy = *s;
    copy->service = s->service ? xstrdup(s->service) : NULL;
    copy->matchers = xstrdup(s->matchers ? s->matchers : "{}");
    copy->reason = xstrdup(s->reason ? s->reason : "");
    copy->created_by = xstrdup(s->created_by ? s->created_by : "");
    return 0;
}

static const struct silence *matching_silence(struct ingest_job *j, json_t *labels)
{
    for (size_t i = 0; i < j->silences.count; i++)
        if (alerts_silence_matches(&j->silences.items[i], j->src->service, labels, j->now))
            return &j->silences.items[i];
    return NULL;
}

static char *json_text(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    return s ? s : xstrdup("{}");
}

/* Copies at most max characters of s (valid UTF-8). */
static char *utf8_prefix(const char *s, size_t max)
{
    size_t n = 0, chars = 0;
    while (s[n]) {
        if (((unsigned char)s[n] & 0xC0) != 0x80 && chars++ == max)
            break;
        n++;
    }
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
                          struct alert *a, struct error *err)
{
    const char *sev = config_alert_severity(j->cfg, j->svc, e->severity);
    struct incident inc;
    enum result result = store_incident_find_open_group(tx, a->group_key, &inc);
    if (result == ERR_NOT_FOUND) {
        char *title = utf8_prefix(a->summary, TITLE_MAX);
        struct incident_new n = {.title = title,
                                 .severity = sev,
                                 .service = j->src->service,
                                 .group_key = a->group_key,
                                 .auto_resolve = j->svc ? j->svc->alerts.auto_resolve : true};
        result = incident_ops_declare(tx, j->now, j->src->actor, &n, &inc, err);
        free(title);
        e->opened = result == OK;
    } else if (result == OK && severity_rank(j->cfg, sev) < severity_rank(j->cfg, inc.severity)) {
        result = incident_ops_set_severity(tx, &inc, sev, j->now, j->src->actor,
                                           "a more severe alert joined", err);
    } else if (result != OK) {
        return error_set(err, result, "store: cannot look up the alert's incident");
    }
    if (result == OK)
        a->incident_id = xstrdup(inc.id);
    incident_free_fields(&inc);
    return result;
}

static enum result trigger_new(struct ingest_job *j, struct store_conn *tx, struct ingest_event *e,
                               struct error *err)
{
    struct alert a = {
        .status = ALERT_FIRING, .first_seen = j->now, .last_seen = j->now, .repeat_count = 1};
    a.scope = xstrdup(j->src->scope);
    a.integration_id = j->src->integration_id ? xstrdup(j->src->integration_id) : NULL;
    a.source_kind = xstrdup(j->src->source_kind);
    a.service = xstrdup(j->src->service);
    a.dedup_key = xstrdup(e->dedup);
    a.summary = xstrdup(e->summary);
    a.source = e->source ? xstrdup(e->source) : NULL;
    a.severity = e->severity ? xstrdup(e->severity) : NULL;
    a.labels = json_text(e->labels);
    a.details = json_text(e->details);
    a.group_key =
        alerts_group_key(j->src->service, j->svc ? &j->svc->alerts.group_by : NULL, e->labels);
    const struct silence *s = matching_silence(j, e->labels);
    enum result result = OK;
    if (s) {
        a.silenced_by = xstrdup(s->id);
        e->silenced = true;
    } else {
        result = attach(j, tx, e, &a, err);
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
                           struct error *err)
{
    struct alert a;
    enum result result = store_alert_find_open(tx, j->src->scope, e->dedup, &a);
    if (result == ERR_NOT_FOUND)
        return trigger_new(j, tx, e, err);
    if (result != OK)
        return error_set(err, result, "store: cannot look up the alert");
    a.last_seen = j->now;
    a.repeat_count++;
    replace(&a.summary, e->summary);
    replace(&a.source, e->source);
    replace(&a.severity, e->severity);
    if (e->labels) {
        free(a.labels);
        a.labels = json_text(e->labels);
    }
    if (e->details) {
        free(a.details);
        a.details = json_text(e->details);
    }
    if (a.silenced_by && !matching_silence(j, e->labels)) {
        /* still firing after its silence ended: it pages now, like a new alert */
        free(a.silenced_by);
        a.silenced_by = NULL;
        result = attach(j, tx, e, &a, err);
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

static enum result ingest_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct ingest_job *j = arg;
    j->now = clock_now(j->app->clock);
    for (size_t i = 0; i < j->silences.count; i++)
        silence_free_fields(&j->silences.items[i]);
    j->silences.count = 0;
    enum result result = store_silence_list(tx, false, j->now, collect_silence, j);
    if (result == OK && j->src->touch_heartbeat) {
        result = store_heartbeat_touch(tx, j->src->touch_heartbeat, j->now);
        j->src->touched_at = j->now;
    }
    if (result != OK)
        return error_set(err, result, "store: cannot prepare the ingest");
    for (size_t i = 0; result == OK && i < j->n; i++) {
        struct ingest_event *e = &j->ev[i];
        if (e->action == ALERT_TRIGGER)
            result = trigger(j, tx, e, err);
        else
            result = settle(j, tx, e, err);
    }
    return result;
}

enum result ingest_run(struct app *app, const struct config *cfg, struct ingest_source *src,
                       struct ingest_event *ev, size_t n, struct error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (ev[i].dedup_key)
            snprintf(ev[i].dedup, sizeof ev[i].dedup, "%s", ev[i].dedup_key);
        else
            crypto_random_hex(16, ev[i].dedup);
    }
    struct ingest_job j = {.app = app,
                           .cfg = cfg,
                           .src = src,
                           .svc = config_service_find(cfg, src->service),
                           .ev = ev,
                           .n = n};
    enum result result = store_write(app->store, ingest_job, &j, err);
    for (size_t i = 0; result == OK && i < n; i++)
        if (ev[i].opened) { /* paging starts now, not at the engine's next tick */
            engine_kick(app->engine);
            break;
        }
    for (size_t i = 0; i < j.silences.count; i++)
        silence_free_fields(&j.silences.items[i]);
    free(j.silences.items);
    return result;
}
