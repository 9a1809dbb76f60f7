/*
 * engine: see engine.h. One pass = heartbeats, escalations, follow-ups, retention, hand-offs.
 * Probes run on a second thread (prober_main) woken by the same kicks, so a probe waiting on a
 * slow target never delays an escalation step; engine_sync waits for a pass of both.
 */
#include "runtime/engine.h"
#include "jobs/escalate.h"
#include "jobs/drills.h"
#include "jobs/incident_roles.h"
#include "jobs/incident_rules.h"
#include "jobs/maintenance_clock.h"
#include "jobs/handoff.h"
#include "jobs/report_mail.h"
#include "jobs/retention.h"
#include "jobs/postmortem.h"
#include "jobs/notify_enqueue.h"
#include "runtime/notifier.h"
#include "jobs/alert_ingest.h"
#include "runtime/prober.h"
#include "util/log.h"
#include "util/pacer.h"
#include "store/heartbeats.h"
#include "store/probes.h"
#include "store/alerts.h"
#include "store/nodes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ENGINE_MAX_SLEEP_MS = 1000, ENGINE_SYNC_TIMEOUT_S = 30 };

struct probe_state {
    char *service;
    int64_t next_run;
};

struct hb_state {
    char *name;
    int64_t fired_for; /* last_seen value an alert was raised for */
};

struct engine {
    struct app *app;
    pthread_t thread;
    pthread_t prober;   /* probes run on their own thread: a slow target never delays a step */
    struct pacer pacer; /* worker 0: deadlines (engine_main), 1: probes; engine_sync waits both */
    struct probe_state *probes;
    size_t nprobes;
    struct hb_state *hbs;
    size_t nhbs;
    int64_t handoffs_since; /* shifts that started after this were announced; 0 = first pass */
    int64_t retention_due;  /* the next retention pass (jobs/retention.h); 0 = the first pass */
};

enum { HANDOFF_LOOKBACK_MS = 60 * 60 * 1000 }; /* at start-up, announce shifts this recent */

/* ---- state tables keyed by name (small: one entry per service/heartbeat) ---- */

static struct probe_state *probe_state(struct engine *e, const char *service, int64_t now)
{
    for (size_t i = 0; i < e->nprobes; i++)
        if (strcmp(e->probes[i].service, service) == 0)
            return &e->probes[i];
    e->probes = xrealloc(e->probes, (e->nprobes + 1) * sizeof *e->probes);
    struct probe_state *p = &e->probes[e->nprobes++];
    *p = (struct probe_state){.service = xstrdup(service), .next_run = now};
    return p;
}

static struct hb_state *hb_state(struct engine *e, const char *name)
{
    for (size_t i = 0; i < e->nhbs; i++)
        if (strcmp(e->hbs[i].name, name) == 0)
            return &e->hbs[i];
    e->hbs = xrealloc(e->hbs, (e->nhbs + 1) * sizeof *e->hbs);
    struct hb_state *h = &e->hbs[e->nhbs++];
    *h = (struct hb_state){.name = xstrdup(name)};
    return h;
}

/* ---- heartbeats ---- */

struct seen {
    const struct config *cfg;
    int64_t *last; /* per configured heartbeat, 0 = never */
};

static int collect_seen(const char *name, int64_t last_seen, void *arg)
{
    struct seen *s = arg;
    for (size_t i = 0; i < s->cfg->heartbeat_count; i++)
        if (strcmp(s->cfg->heartbeats[i].name, name) == 0)
            s->last[i] = last_seen;
    return 0;
}

enum result engine_heartbeats_seen(struct store_conn *c, const struct config *cfg, int64_t *last)
{
    struct seen s = {.cfg = cfg, .last = last};
    for (size_t i = 0; i < cfg->heartbeat_count; i++)
        last[i] = 0;
    return store_heartbeat_list(c, collect_seen, &s);
}

struct first_seen {
    const char *name;
    int64_t at;
};

static enum result first_seen_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct first_seen *f = arg;
    enum result result = store_heartbeat_touch(tx, f->name, f->at);
    return result == OK ? OK : error_set(err, result, "store: cannot record heartbeat %s", f->name);
}

static bool raise_alert(struct engine *e, const struct config *cfg, struct ingest_source *src,
                        struct ingest_event *ev)
{
    struct error err = {0};
    if (ingest_run(e->app, cfg, src, ev, 1, &err) == OK)
        return true;
    log_error("engine: %s alert on %s not stored: %s", src->source_kind, src->service, err.message);
    return false;
}

/* Raises the miss of check-in last_seen; false when the alert could not be stored (tried again
 * at the next pass). Another node's raise of the same miss (claim_lost) counts as done. */
static bool heartbeat_missed(struct engine *e, const struct config *cfg,
                             const struct config_heartbeat *hb, int64_t last_seen)
{
    char scope[160], actor[160];
    snprintf(scope, sizeof scope, "heartbeat:%s", hb->name);
    snprintf(actor, sizeof actor, "heartbeat:%s", hb->name);
    json_t *labels = json_pack("{s:s,s:s}", "heartbeat", hb->name, "severity", hb->severity);
    json_t *details =
        json_pack("{s:I,s:I,s:I}", "last_seen_ms", (json_int_t)last_seen, "interval_ms",
                  (json_int_t)hb->interval, "grace_ms", (json_int_t)hb->grace);
    struct ingest_source src = {.scope = scope,
                                .source_kind = "heartbeat",
                                .service = hb->service,
                                .actor = actor,
                                .missed_heartbeat = hb->name,
                                .missed_for = last_seen};
    struct ingest_event ev = {.action = ALERT_TRIGGER,
                              .dedup_key = scope,
                              .summary = hb->summary,
                              .source = "tocsin",
                              .severity = hb->severity,
                              .labels = labels,
                              .details = details};
    bool done = raise_alert(e, cfg, &src, &ev);
    if (done && !src.claim_lost)
        log_warn("engine: heartbeat %s missed (service %s)", hb->name, hb->service);
    json_decref(labels);
    json_decref(details);
    return done;
}

static int64_t heartbeats_pass(struct engine *e, const struct config *cfg, int64_t now)
{
    int64_t next = INT64_MAX;
    if (!cfg->heartbeat_count)
        return next;
    struct error err = {0};
    struct store_conn *c = store_reader(e->app->store, &err);
    int64_t *last = xcalloc(cfg->heartbeat_count, sizeof *last);
    if (!c || engine_heartbeats_seen(c, cfg, last) != OK) {
        free(last);
        return now + ENGINE_MAX_SLEEP_MS;
    }
    for (size_t i = 0; i < cfg->heartbeat_count; i++) {
        const struct config_heartbeat *hb = &cfg->heartbeats[i];
        if (!last[i]) { /* first known now: the clock starts here */
            struct first_seen f = {.name = hb->name, .at = now};
            if (store_write(e->app->store, first_seen_job, &f, &err) != OK)
                log_error("engine: %s", err.message);
            last[i] = now;
        }
        int64_t due = last[i] + hb->interval + hb->grace;
        struct hb_state *st = hb_state(e, hb->name);
        if (now >= due && st->fired_for != last[i]) {
            if (heartbeat_missed(e, cfg, hb, last[i]))
                st->fired_for = last[i];
            else if (now + ENGINE_MAX_SLEEP_MS < next)
                next = now + ENGINE_MAX_SLEEP_MS; /* try again soon */
        } else if (now < due && due < next) {
            next = due;
        }
    }
    free(last);
    return next;
}

/* ---- probes ---- */

struct probe_write {
    const char *service;
    const struct store_probe_result *res;
    const char *scope; /* of the probe's alert (its dedup key too) */
    int limit;
    bool streak_ok; /* out: the streak this result is part of, from the stored results */
    int streak;
    bool alert_open; /* out: the probe's alert is open (firing or acknowledged) */
};

/* Stores the result and reads the streak it extends in the same transaction: several nodes may
 * take turns running a service's probe, so the streak is the store's, not this node's. */
static enum result probe_write_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct probe_write *w = arg;
    enum result result = store_probe_result_insert(tx, w->service, w->res);
    if (result == OK)
        result = store_probe_streak(tx, w->service, w->limit, &w->streak_ok, &w->streak);
    if (result == OK) {
        struct alert a = {0};
        result = store_alert_find_open(tx, w->scope, w->scope, &a);
        w->alert_open = result == OK;
        alert_free_fields(&a);
        if (result == ERR_NOT_FOUND)
            result = OK;
    }
    return result == OK ? OK : error_set(err, result, "store: cannot keep the probe result");
}

struct probe_claim {
    char key[160];
    int64_t now, until;
    bool claimed;
};

static enum result probe_claim_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct probe_claim *c = arg;
    enum result result = store_cluster_claim(tx, c->key, c->now, c->until);
    c->claimed = result == OK;
    if (result == ERR_NOT_FOUND)
        return OK;
    return result == OK ? OK : error_set(err, result, "store: cannot claim the probe round");
}

/* Is this round of service's probe this node's to run? (Several nodes: exactly one runs it.) When
 * another node has it, *next_run becomes the end of that node's round. */
static bool probe_claim(struct engine *e, const char *service, int64_t now, int64_t every,
                        int64_t *next_run)
{
    struct probe_claim c = {.now = now, .until = now + every};
    snprintf(c.key, sizeof c.key, "probe:%s", service);
    struct error err = {0};
    if (store_write(e->app->store, probe_claim_job, &c, &err) != OK) {
        log_error("engine: %s", err.message);
        return false;
    }
    if (c.claimed)
        return true;
    struct store_conn *rd = store_reader(e->app->store, &err);
    int64_t until = 0;
    if (rd && store_cluster_value(rd, c.key, &until) == OK && until > now)
        *next_run = until;
    return false;
}

static void probe_record(struct engine *e, const struct config *cfg,
                         const struct config_service *svc, const struct probe_outcome *o,
                         int64_t now)
{
    struct store_probe_result res = {.at = now,
                                     .ok = o->ok,
                                     .status = o->status,
                                     .latency_ms = o->latency_ms,
                                     .error = o->ok ? NULL : (char *)o->error};
    char scope[160], actor[160];
    snprintf(scope, sizeof scope, "probe:%s", svc->id);
    snprintf(actor, sizeof actor, "probe:%s", svc->id);
    struct ingest_source src = {
        .scope = scope, .source_kind = "probe", .service = svc->id, .actor = actor};
    struct error err = {0};
    int fail_after = svc->probe->fail_after, recover_after = svc->probe->recover_after;
    struct probe_write w = {.service = svc->id,
                            .res = &res,
                            .scope = scope,
                            .limit = (fail_after > recover_after ? fail_after : recover_after) + 1};
    if (store_write(e->app->store, probe_write_job, &w, &err) != OK) {
        log_error("engine: probe result for %s not stored: %s", svc->id, err.message);
        return;
    }
    /* From what the store says, read with the result: raise while the failure streak has reached
     * fail_after and no alert is open, resolve while the success streak has reached recover_after
     * and one is. So a raise that failed (the store away, the node killed between the two writes)
     * is made by the next round, on whichever node runs it. */
    bool fire = !o->ok && !w.streak_ok && w.streak >= fail_after && !w.alert_open;
    bool recover = o->ok && w.streak_ok && w.streak >= recover_after && w.alert_open;
    if (!fire && !recover)
        return;
    char summary[512];
    snprintf(summary, sizeof summary, "%s is failing its health probe: %s", svc->name, o->error);
    json_t *labels = json_pack("{s:s,s:s}", "probe", svc->id, "severity", "critical");
    json_t *details = json_pack("{s:s,s:i,s:f,s:s}", "url", svc->probe->url, "status", o->status,
                                "latency_ms", o->latency_ms, "error", o->error);
    struct ingest_event ev = {.action = fire ? ALERT_TRIGGER : ALERT_RESOLVE,
                              .dedup_key = scope,
                              .summary = summary,
                              .source = svc->probe->url,
                              .severity = "critical",
                              .labels = labels,
                              .details = details};
    raise_alert(e, cfg, &src, &ev);
    json_decref(labels);
    json_decref(details);
}

static int64_t probes_pass(struct engine *e, const struct config *cfg, int64_t now)
{
    int64_t next = INT64_MAX;
    size_t n = 0;
    const struct config_probe **due = xcalloc(cfg->service_count + 1, sizeof *due);
    const struct config_service **svcs = xcalloc(cfg->service_count + 1, sizeof *svcs);
    for (size_t i = 0; i < cfg->service_count; i++) {
        const struct config_service *svc = &cfg->services[i];
        if (!svc->probe)
            continue;
        struct probe_state *st = probe_state(e, svc->id, now);
        if (now >= st->next_run) {
            st->next_run = now + svc->probe->every;
            if (probe_claim(e, svc->id, now, svc->probe->every, &st->next_run)) {
                due[n] = svc->probe;
                svcs[n++] = svc;
            }
        }
        if (st->next_run < next)
            next = st->next_run;
    }
    if (n) {
        struct probe_outcome *out = xcalloc(n, sizeof *out);
        probe_run(due, n, now, out);
        for (size_t i = 0; i < n; i++)
            probe_record(e, cfg, svcs[i], &out[i], now);
        free(out);
    }
    free(due);
    free(svcs);
    return next;
}

/* ---- the threads ---- */

enum { WORKER_DEADLINES, WORKER_PROBES, WORKERS };

static void *engine_main(void *arg)
{
    struct engine *e = arg;
    uint64_t gen;
    while (pacer_begin(&e->pacer, &gen)) {
        struct config *cfg = app_config(e->app);
        int64_t now = clock_now(e->app->clock);
        int queued = 0;
        int64_t next = heartbeats_pass(e, cfg, now);
        int64_t enext = escalate_pass(e->app, cfg, now, &queued);
        next = enext < next ? enext : next;
        next = followup_pass(e->app, cfg, now, &queued, next);
        next = role_backup_pass(e->app, cfg, now, next);
        next = incident_rules_clock_pass(e->app, cfg, now, &queued, next);
        next = drill_schedule_pass(e->app, cfg, now, &queued, next);
        next = maintenance_clock_pass(e->app, cfg, now, &queued, next);
        next = drill_alerts_pass(e->app, cfg, now, next);
        next = report_mail_pass(e->app, cfg, now, &queued, next);
        next = retention_pass(e->app, cfg, now, &e->retention_due, next);
        handoff_pass(e->app, cfg, e->handoffs_since ? e->handoffs_since : now - HANDOFF_LOOKBACK_MS,
                     now, &queued);
        e->handoffs_since = now;
        if (queued && e->app->notifier)
            notifier_kick(e->app->notifier);
        config_unref(cfg);
        pacer_end_at(&e->pacer, WORKER_DEADLINES, gen, next, e->app->clock, ENGINE_MAX_SLEEP_MS);
    }
    return NULL;
}

static void *prober_main(void *arg)
{
    struct engine *e = arg;
    uint64_t gen;
    while (pacer_begin(&e->pacer, &gen)) {
        struct config *cfg = app_config(e->app);
        int64_t now = clock_now(e->app->clock);
        int64_t next = probes_pass(e, cfg, now);
        config_unref(cfg);
        pacer_end_at(&e->pacer, WORKER_PROBES, gen, next, e->app->clock, ENGINE_MAX_SLEEP_MS);
    }
    return NULL;
}

struct engine *engine_start(struct app *app)
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->app = app;
    pacer_init(&e->pacer, WORKERS);
    if (pthread_create(&e->thread, NULL, engine_main, e) != 0 ||
        pthread_create(&e->prober, NULL, prober_main, e) != 0)
        fatal("engine: cannot start its threads");
    return e;
}

void engine_stop(struct engine *e)
{
    if (!e)
        return;
    pacer_stop(&e->pacer);
    pthread_join(e->thread, NULL);
    pthread_join(e->prober, NULL);
    for (size_t i = 0; i < e->nprobes; i++)
        free(e->probes[i].service);
    for (size_t i = 0; i < e->nhbs; i++)
        free(e->hbs[i].name);
    free(e->probes);
    free(e->hbs);
    pacer_destroy(&e->pacer);
    free(e);
}

void engine_kick(struct engine *e)
{
    if (e)
        pacer_kick(&e->pacer);
}

void engine_sync(struct engine *e)
{
    if (e)
        pacer_sync(&e->pacer, ENGINE_SYNC_TIMEOUT_S * 1000LL);
}
