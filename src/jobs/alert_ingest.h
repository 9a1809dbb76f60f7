/*
 * ingest: alert events into alerts and incidents, as one store transaction per request.
 *
 * Every intake (Alertmanager webhook, PagerDuty Events v2, generic webhook, heartbeats, probes)
 * parses its own format into `struct ingest_event`s and calls ingest_run, which applies them in
 * one store job, in order:
 *   trigger:     an open alert with the same (scope, dedup key) is a repeat (last_seen,
 *                repeat_count); else a new alert: silenced (stored, nothing else), or joined to
 *                the open incident of its group (raising its severity if needed), or opening a
 *                new incident;
 *   acknowledge: the open alert is acknowledged, its incident too if still triggered;
 *   resolve:     the open alert resolves; its incident resolves when that was its last open
 *                alert and the incident auto-resolves.
 * acknowledge/resolve for no open alert is dropped (PagerDuty's rule). Everything that touches an
 * incident is on the timeline with the source's actor.
 * Threads: ingest_run on request threads and the engine; the job on the store writer.
 */
#ifndef TOCSIN_INGEST_H
#define TOCSIN_INGEST_H

#include <jansson.h>

#include "domain/alert.h"
#include "app/app.h"
#include "domain/incident.h"

/* The longest dedup key, in characters (up to 4 bytes each); keys are kept whole, never cut. */
enum { INGEST_DEDUP_MAX = 255 };

struct ingest_source {
    const char *scope;          /* dedup scope */
    const char *integration_id; /* NULL for heartbeat/probe */
    const char *source_kind;
    const char *service;
    const char *actor;            /* "integration:NAME", "heartbeat:NAME", "probe:SERVICE" */
    const char *touch_heartbeat;  /* when set: record this heartbeat's check-in in the same
                                     transaction, before the events */
    int64_t touched_at;           /* out: the check-in time recorded */
    const char *missed_heartbeat; /* when set: the events are this heartbeat's missed alert for
                                     check-in missed_for; applied only by the first node (or
                                     pass) to claim that miss (store_heartbeat_claim_missed) */
    int64_t missed_for;
    bool claim_lost; /* out: another node (or an earlier pass) had raised it: nothing applied */
    const char *drill_incident; /* when set: a fire drill's injected alerts (jobs/drills.c): every
                                   new alert joins this drill incident, never another one, never
                                   opens one, and is not silenced; the scope must be
                                   "drill:<that id>" so they never deduplicate into real ones */
};

struct ingest_event {
    enum alert_action action;
    const char *dedup_key; /* NULL: generated (trigger only) */
    const char *summary;   /* trigger: required */
    const char *source;    /* may be NULL */
    const char *severity;  /* raw; may be NULL */
    json_t *labels;        /* object or NULL; borrowed */
    json_t *details;       /* object or NULL; borrowed */
    /* results */
    const char *dedup; /* the key used: dedup_key, or `generated`; set by ingest_prepare/run */
    char generated[33];
    int64_t alert_id;
    char incident_id[INCIDENT_ID_MAX];
    bool dropped;  /* ack/resolve with no open alert */
    bool silenced; /* stored, matched a silence */
    bool repeat;   /* trigger of an already open alert */
    bool opened;   /* opened a new incident */
};

/* Applies n events in one transaction. OK means all of them are committed. */
enum result ingest_run(struct app *app, const struct config *cfg, struct ingest_source *src,
                       struct ingest_event *ev, size_t n, struct error *err);

/* As ingest_run, inside the caller's transaction tx, at time now (a drill's start). */
enum result ingest_apply(struct store_conn *tx, struct app *app, const struct config *cfg,
                         struct ingest_source *src, struct ingest_event *ev, size_t n, int64_t now,
                         struct error *err);

/* ingest_run in two steps, for a caller that must not wait (http_defer):
 *   a = ingest_prepare(...)            request thread: dedup keys, texts, group keys;
 *   ingest_submit(a, err, done, arg)   queues the transaction and returns at once; done(arg) is
 *                                      called once, on the store writer thread, after the commit;
 *   ingest_result(a)                   then: what ingest_run would have returned (err filled);
 *   ingest_async_free(a).
 * src, ev (and what they point to), cfg and err must stay valid until done has been called. */
struct ingest_async;
typedef void (*ingest_done_fn)(void *arg);
struct ingest_async *ingest_prepare(struct app *app, const struct config *cfg,
                                    struct ingest_source *src, struct ingest_event *ev, size_t n);
void ingest_submit(struct ingest_async *a, struct error *err, ingest_done_fn done, void *done_arg);
enum result ingest_result(const struct ingest_async *a);
void ingest_async_free(struct ingest_async *a);

#endif
