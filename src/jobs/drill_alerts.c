/*
 * jobs/drill_alerts: the alerts a fire drill injects (docs/drills.md "Injected alerts",
 * docs/internals/drills.md). Each alert of the scenario's `alerts:` goes through the ingest path
 * of real alerts (jobs/alert_ingest.c, ingest_apply) as a drill alert: scope
 * "drill:<incident id>", dedup key "drill:<incident id>:<index>", source_kind "drill", attached to
 * the drill incident (never to a real one, never opening one, never silenced). An alert with no
 * `after` is injected in the transaction that declares the drill (drill_declare). A delayed one is
 * injected by the engine (drill_alerts_pass) once due on the clock: one store job claims
 * "drill-alert:<incident id>:<index>" for good (store_cluster_claim until INT64_MAX) and, in the
 * same transaction, injects it if the drill incident is still open; another node, or this one
 * after a restart, finds the claim taken. A drill resolved before an alert was due never gets it:
 * the pass looks at open drills only (one resolved between that look and the job: the claim is
 * taken and drill.alert_skipped goes on its timeline).
 * Threads: drill_inject_alert on the store writer; drill_alerts_pass on the engine thread.
 */
#include "jobs/alert_ingest.h"
#include "jobs/drills.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/nodes.h"
#include "store/timeline.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_MAX = 160, OPEN_DRILLS_MAX = 64 };

static json_t *strmap_json(const struct config_severity_mapping *m, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, m[i].from, json_string(m[i].to));
    return o;
}

static const char *map_get(const struct config_severity_mapping *m, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].from, k) == 0)
            return m[i].to;
    return NULL;
}

enum result drill_inject_alert(struct store_conn *tx, struct app *app, const struct config *cfg,
                               const struct config_drill *sc, size_t index, const char *incident_id,
                               const char *actor, int64_t now, struct error *err)
{
    const struct config_drill_alert *da = &sc->alerts[index];
    const char *name = map_get(da->labels, da->label_count, "alertname");
    const char *summary = map_get(da->annotations, da->annotation_count, "summary");
    if (!summary)
        summary = map_get(da->annotations, da->annotation_count, "description");
    const char *service = map_get(da->labels, da->label_count, "service");
    if (!service || !config_service_find(cfg, service))
        service = sc->service ? sc->service : "drill";
    char scope[KEY_MAX], dedup[KEY_MAX];
    snprintf(scope, sizeof scope, "drill:%s", incident_id);
    snprintf(dedup, sizeof dedup, "drill:%s:%zu", incident_id, index);
    json_t *labels = strmap_json(da->labels, da->label_count);
    json_t *details = strmap_json(da->annotations, da->annotation_count);
    struct ingest_source src = {.scope = scope,
                                .source_kind = "drill",
                                .service = service,
                                .actor = actor,
                                .drill_incident = incident_id};
    struct ingest_event ev = {.action = ALERT_TRIGGER,
                              .dedup_key = dedup,
                              .summary = summary ? summary : (name ? name : sc->title),
                              .source = name,
                              .severity = map_get(da->labels, da->label_count, "severity"),
                              .labels = labels,
                              .details = details};
    enum result result = ingest_apply(tx, app, cfg, &src, &ev, 1, now, err);
    json_decref(labels);
    json_decref(details);
    return result;
}

/* ---- the delayed alerts ---- */

static char handled[OPEN_DRILLS_MAX * 4][KEY_MAX]; /* engine thread only */
static size_t handled_next;

static bool was_handled(const char *key)
{
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        if (strcmp(handled[i], key) == 0)
            return true;
    return false;
}

static void mark_handled(const char *key)
{
    snprintf(handled[handled_next], KEY_MAX, "%s", key);
    handled_next = (handled_next + 1) % (sizeof handled / sizeof handled[0]);
}

struct open_drill {
    char id[INCIDENT_ID_MAX];
    int64_t created_at;
};

struct open_list {
    struct open_drill items[OPEN_DRILLS_MAX];
    size_t count;
};

static int collect_open(const struct incident *inc, void *arg)
{
    struct open_list *l = arg;
    if (!inc->drill || !incident_status_is_open(inc->status) || l->count == OPEN_DRILLS_MAX)
        return 0;
    snprintf(l->items[l->count].id, INCIDENT_ID_MAX, "%s", inc->id);
    l->items[l->count++].created_at = inc->created_at;
    return 0;
}

static int find_scenario(const struct timeline_entry *e, void *arg)
{
    char **out = arg;
    if (strcmp(e->kind, "drill.started") != 0)
        return 0;
    json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
    const char *s = json_string_value(json_object_get(d, "scenario"));
    *out = s ? xstrdup(s) : NULL;
    json_decref(d);
    return 1;
}

struct inject_job {
    struct app *app;
    const struct config *cfg;
    const struct config_drill *sc;
    size_t index;
    const char *incident_id, *key;
    int64_t now;
    bool injected, skipped;
};

static enum result inject_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct inject_job *j = arg;
    enum result result = store_cluster_claim(tx, j->key, j->now, INT64_MAX);
    if (result == ERR_NOT_FOUND)
        return OK; /* injected (or skipped) already: by another node, or before a restart */
    if (result != OK)
        return error_set(err, result, "store: cannot claim %s", j->key);
    struct incident inc = {0};
    result = store_incident_get(tx, j->incident_id, &inc);
    bool open = result == OK && incident_status_is_open(inc.status);
    incident_free_fields(&inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read drill incident %s", j->incident_id);
    if (!open) {
        j->skipped = true;
        return timeline_append(tx, j->now, "scheduler", "drill.alert_skipped", j->incident_id,
                               json_pack("{s:s,s:I,s:s}", "scenario", j->sc->id, "index",
                                         (json_int_t)j->index, "reason",
                                         "the drill was resolved before the alert was due"),
                               NULL, err);
    }
    j->injected = true;
    return drill_inject_alert(tx, j->app, j->cfg, j->sc, j->index, j->incident_id, "drill", j->now,
                              err);
}

static bool any_delayed(const struct config *cfg)
{
    for (size_t i = 0; i < cfg->drill_count; i++)
        for (size_t k = 0; k < cfg->drills[i].alert_count; k++)
            if (cfg->drills[i].alerts[k].after > 0)
                return true;
    return false;
}

/* The delayed alerts of one open drill: injects the due ones, returns the next due time. */
static int64_t drill_due(struct app *app, const struct config *cfg, struct store_conn *c,
                         const struct open_drill *d, int64_t now, int64_t next)
{
    char *scenario = NULL;
    if (store_timeline_scan(c, d->id, find_scenario, &scenario) != OK) {
        free(scenario);
        return next;
    }
    const struct config_drill *sc = config_drill_find(cfg, scenario);
    free(scenario);
    for (size_t k = 0; sc && k < sc->alert_count; k++) {
        int64_t after = sc->alerts[k].after;
        if (after <= 0)
            continue;
        if (d->created_at + after > now) {
            next = d->created_at + after < next ? d->created_at + after : next;
            continue;
        }
        char key[KEY_MAX];
        snprintf(key, sizeof key, "drill-alert:%s:%zu", d->id, k);
        if (was_handled(key))
            continue;
        struct inject_job j = {.app = app,
                               .cfg = cfg,
                               .sc = sc,
                               .index = k,
                               .incident_id = d->id,
                               .key = key,
                               .now = now};
        struct error err = {0};
        if (store_write(app->store, inject_job, &j, &err) != OK) {
            log_error("drills: %s: %s", key, err.message); /* tried again next pass */
            continue;
        }
        mark_handled(key);
        if (j.injected)
            log_info("drills: drill %s: alert %zu of scenario %s injected", d->id, k, sc->id);
        else if (j.skipped)
            log_info("drills: drill %s resolved before alert %zu was due; not injected", d->id, k);
    }
    return next;
}

int64_t drill_alerts_pass(struct app *app, const struct config *cfg, int64_t now, int64_t next)
{
    if (!any_delayed(cfg))
        return next;
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    if (!c) {
        log_error("drills: cannot read the open drills: %s", err.message);
        return next;
    }
    static struct open_list l; /* engine thread only */
    l.count = 0;
    struct store_incident_filter f = {.statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED) |
                                                  (1 << INC_INVESTIGATING) | (1 << INC_IDENTIFIED) |
                                                  (1 << INC_MONITORING)};
    if (store_incident_list(c, &f, collect_open, &l) != OK) {
        log_error("drills: cannot list the open drills");
        return next;
    }
    for (size_t i = 0; i < l.count; i++)
        next = drill_due(app, cfg, c, &l.items[i], now, next);
    return next;
}
