/*
 * api/drills: fire drills (docs/drills.md, docs/internals/drills.md).
 *   GET  /api/v1/drills                         scenarios and the drills run     viewer
 *   POST /api/v1/drills   {scenario}            declares the drill incident      responder
 *   GET  /api/v1/drills/{id}/report             the drill's score                viewer
 * A drill is an incident with drill = true, declared from a scenario of the config's `drills:`
 * with `drill.started` {scenario, runbook} on its timeline; it pages like any incident, every
 * message marked [DRILL] (jobs/notify_enqueue.c), and stays out of the status page and the
 * monthly review. The report is scored from the incident, its timeline and its checklist items
 * (domain/drill.c).
 */
#include "api/api.h"
#include "domain/drill.h"
#include "domain/drill_schedule.h"
#include "jobs/drills.h"
#include "runtime/engine.h"
#include "store/alerts.h"
#include "store/checklists.h"
#include "store/incidents.h"
#include "store/timeline.h"
#include "util/jsonv.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

enum { DRILL_LIST_MAX = 200 };

/* The scenario; a scheduled one also says when it runs next (`next_at`, null when the schedule
 * has no further occurrence or its zone cannot be loaded). */
static json_t *scenario_json(const struct config_drill *d, int64_t now)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id", d->id, "title", d->title,
                          "severity", d->severity, "service", api_str_or_null(d->service), "type",
                          api_str_or_null(d->type), "summary", api_str_or_null(d->summary),
                          "runbook", api_str_or_null(d->runbook));
    const struct config_drill_schedule *s = d->schedule;
    if (!s) {
        json_object_set_new(o, "schedule", json_null());
        return o;
    }
    const struct tz *tz = s->timezone ? tz_get(s->timezone) : tz_utc();
    int64_t prev = -1, k = -1, next = INT64_MAX;
    if (tz)
        drill_schedule_around(s, tz, now, &prev, &k, &next);
    json_t *announce = json_array();
    for (size_t i = 0; i < s->announce_to.count; i++)
        json_array_append_new(announce, json_string(s->announce_to.items[i]));
    json_object_set_new(o, "schedule",
                        json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "every", s->every, "at", s->at,
                                  "timezone", s->timezone ? s->timezone : "UTC", "notice_ms",
                                  s->notice ? json_integer(s->notice) : json_null(), "announce_to",
                                  announce, "last_at", prev >= 0 ? api_time(prev) : json_null(),
                                  "next_at", next != INT64_MAX ? api_time(next) : json_null()));
    return o;
}

/* ---- the facts of one drill ---- */

struct facts_ctx {
    struct drill_facts f;
    char *scenario; /* owned */
    const struct config *cfg;
    const char *runbook; /* borrowed from cfg once the scenario is known */
    json_t *withheld;    /* the pages to contacts a real incident would have sent (owned) */
};

static int facts_entry(const struct timeline_entry *e, void *arg)
{
    struct facts_ctx *x = arg;
    if (strcmp(e->kind, "drill.started") == 0 && !x->scenario) {
        json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
        const char *s = json_string_value(json_object_get(d, "scenario"));
        x->scenario = s ? xstrdup(s) : NULL;
        const struct config_drill *sc = config_drill_find(x->cfg, x->scenario);
        x->runbook = sc ? sc->runbook : NULL;
        json_decref(d);
    }
    if (strcmp(e->kind, "drill.page_withheld") == 0) {
        json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
        if (json_is_object(d)) {
            json_object_set_new(d, "at", api_time(e->at));
            json_array_append(x->withheld, d);
        }
        json_decref(d);
    }
    drill_facts_add(&x->f, e->kind, e->data, e->at, x->runbook);
    return 0;
}

static int facts_item(const struct checklist_item *it, void *arg)
{
    struct facts_ctx *x = arg;
    x->f.checklist_items++;
    if (it->done_at) {
        x->f.checklist_done++;
        if (it->done_at > x->f.checklist_done_at)
            x->f.checklist_done_at = it->done_at;
    }
    return 0;
}

/* An injected alert of the drill (docs/drills.md "Injected alerts"). */
static int facts_alert(const struct alert *a, void *arg)
{
    struct facts_ctx *x = arg;
    if (!alert_is_drill(a))
        return 0;
    json_t *labels = json_loads(a->labels ? a->labels : "{}", 0, NULL);
    json_t *o =
        json_pack("{s:I,s:s?,s:s?,s:s,s:o}", "id", (json_int_t)a->id, "alertname",
                  json_string_value(json_object_get(labels, "alertname")), "summary", a->summary,
                  "status", alert_status_name(a->status), "first_seen", api_time(a->first_seen));
    json_decref(labels);
    json_array_insert_new(x->f.alerts, 0, o); /* the store lists newest first */
    return 0;
}

/* The score report of drill incident inc, read on c; NULL on a store error. */
static json_t *drill_report(struct store_conn *c, const struct config *cfg,
                            const struct incident *inc, int64_t now)
{
    struct facts_ctx x = {.cfg = cfg,
                          .withheld = json_array(),
                          .f = {.ack_at = inc->acknowledged_at, .alerts = json_array()}};
    enum result result = store_timeline_scan(c, inc->id, facts_entry, &x);
    if (result == OK)
        result = store_checklist_items(c, inc->id, facts_item, &x);
    struct store_alert_filter af = {.incident_id = inc->id};
    if (result == OK)
        result = store_alert_list(c, &af, facts_alert, &x);
    json_t *o = NULL;
    if (result == OK) {
        x.f.scenario = x.scenario;
        o = drill_score(inc, config_severity_find(cfg, inc->severity),
                        config_drill_find(cfg, x.scenario), &x.f, now);
        json_object_set_new(o, "status", json_string(incident_status_name(inc->status)));
        json_object_set_new(o, "declared_at", api_time(inc->created_at));
        json_object_set_new(o, "resolved_at", api_time(inc->resolved_at));
        json_object_set(o, "withheld_pages", x.withheld);
    }
    json_decref(x.withheld);
    json_decref(x.f.alerts);
    free(x.scenario);
    return o;
}

/* ---- list ---- */

struct list_ctx {
    struct store_conn *c;
    const struct config *cfg;
    int64_t now;
    json_t *arr;
    bool failed;
};

static int list_one(const struct incident *inc, void *arg)
{
    struct list_ctx *l = arg;
    if (!inc->drill || json_array_size(l->arr) >= DRILL_LIST_MAX)
        return 0;
    json_t *rep = drill_report(l->c, l->cfg, inc, l->now);
    if (!rep) {
        l->failed = true;
        return 1;
    }
    json_object_del(rep, "checks");
    json_array_append_new(l->arr, rep);
    return 0;
}

static void api_drill_list(struct request *r)
{
    struct error err = {0};
    int64_t now = clock_now(r->app->clock);
    json_t *scenarios = json_array();
    for (size_t i = 0; i < r->config->drill_count; i++)
        json_array_append_new(scenarios, scenario_json(&r->config->drills[i], now));
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {c, r->config, now, json_array(), false};
    struct store_incident_filter f = {0};
    enum result result = c ? store_incident_list(c, &f, list_one, &l) : err.code;
    if (result != OK || l.failed) {
        json_decref(scenarios);
        json_decref(l.arr);
        reply_error(r, result != OK ? result : ERR_UNAVAILABLE, "store: cannot list the drills");
        return;
    }
    reply_json(r, 200, json_pack("{s:o,s:o}", "scenarios", scenarios, "drills", l.arr));
}

/* ---- start ---- */

struct start_job {
    struct app *app;
    struct tclock *clock;
    const struct config *cfg;
    const struct config_drill *sc;
    const char *actor;
    struct incident result;
    int64_t now;
};

static enum result start_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct start_job *s = arg;
    s->now = clock_now(s->clock);
    return drill_declare(tx, s->app, s->cfg, s->sc, s->actor, s->now, NULL, &s->result, err);
}

static void api_drill_start(struct request *r)
{
    static const char *const fields[] = {"scenario", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *id = NULL;
    struct start_job s = {
        .app = r->app, .clock = r->app->clock, .cfg = r->config, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "scenario", true, 1, 64, &id, &err);
    if (result == OK && !(s.sc = config_drill_find(r->config, id)))
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "scenario: no drill scenario \"%.64s\" in the config", id);
    if (result == OK)
        result = store_write(r->app->store, start_job, &s, &err);
    if (result != OK) {
        reply_from_error(r, &err);
        goto out;
    }
    engine_kick(r->app->engine); /* paging starts, marked [DRILL] */
    log_info("drill %s started as %s by %s", s.sc->id, s.result.id, r->who.actor);
    json_t *j = api_incident_json(&s.result, r->config, s.now);
    json_object_set_new(j, "scenario", json_string(s.sc->id));
    char location[128];
    snprintf(location, sizeof location, "/api/v1/drills/%s/report", s.result.id);
    reply_header(r, "Location", location);
    reply_json(r, 201, j);
out:
    incident_free_fields(&s.result);
    json_decref(body);
}

/* ---- report ---- */

static void api_drill_report(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    struct error err = {0};
    if (!inc.drill) {
        reply_error(r, ERR_NOT_FOUND, "id: incident %.64s is not a drill", inc.id);
        incident_free_fields(&inc);
        return;
    }
    struct store_conn *c = store_reader(r->app->store, &err);
    json_t *rep = c ? drill_report(c, r->config, &inc, clock_now(r->app->clock)) : NULL;
    if (!rep)
        reply_error(r, ERR_UNAVAILABLE, "store: cannot read the drill's timeline");
    else
        reply_json(r, 200, rep);
    incident_free_fields(&inc);
}

static const struct route routes[] = {
    {"GET", "/api/v1/drills", api_drill_list, ACCESS_VIEWER, "drills_list"},
    {"POST", "/api/v1/drills", api_drill_start, ACCESS_RESPONDER, "drill_start"},
    {"GET", "/api/v1/drills/{id}/report", api_drill_report, ACCESS_VIEWER, "drill_report"},
};
HTTP_ROUTES(drills, routes);
