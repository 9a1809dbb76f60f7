/*
 * jobs/drills: see drills.h. The scheduler, on every engine pass, looks at each scenario with a
 * `schedule`: its last occurrence at or before now and its next one (domain/drill_schedule.c).
 *   - The last occurrence, not yet handled: one store job claims "drill:<id>:<occurrence ms>"
 *     for good (store_cluster_claim until INT64_MAX) and, in the same transaction, declares the
 *     drill as `tocsin drill start` does, actor "scheduler", drill.started carrying
 *     `scheduled_for`. Another node, or this one after a restart, finds the claim taken and does
 *     nothing: each occurrence runs once. An occurrence found more than DRILL_LATE_MAX_MS late
 *     (no node was running then) is not started late: the claim is taken and drill.missed goes
 *     on the timeline (and the log), so nothing is silent. Unless the scenario was never seen
 *     before: the first pass that meets a scenario claims "drill-seen:<id>" for good, and a late
 *     occurrence met at that first sight predates the scenario (a config just added with an `at`
 *     in the past) and is skipped with a log line, not reported missed.
 *   - The next occurrence, once its notice began (schedule.notice before it): one job claims
 *     "drill-notice:<id>:<occurrence ms>", queues a NOTIFY_INFO "[DRILL] scheduled" message to
 *     each of announce_to and appends drill.announced to the timeline.
 * What this process has handled is remembered (handled[]), so a pass does not write the store
 * again for the same occurrence; after a restart the claim answers instead.
 * Threads: the engine thread; the jobs on the store writer.
 */
#include "jobs/drills.h"
#include "domain/drill_schedule.h"
#include "jobs/incident_ops.h"
#include "jobs/notify_enqueue.h"
#include "jobs/timeline.h"
#include "runtime/engine.h"
#include "store/nodes.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

enum { HANDLED_MAX = 64, CLAIM_KEY_MAX = 160 };
#define DRILL_LATE_MAX_MS (3600LL * 1000)

enum result drill_declare(struct store_conn *tx, struct app *app, const struct config *cfg,
                          const struct config_drill *sc, const char *actor, int64_t now,
                          json_t *extra, struct incident *out, struct error *err)
{
    struct incident_new n = {.title = sc->title,
                             .severity = sc->severity,
                             .service = sc->service,
                             .type = sc->type,
                             .summary = sc->summary,
                             .drill = true,
                             .cfg = cfg};
    enum result result = incident_ops_declare(tx, now, actor, &n, out, err);
    json_t *data = json_pack("{s:s,s:s?,s:s?}", "scenario", sc->id, "runbook", sc->runbook,
                             "expect_severity", sc->expect_severity);
    if (extra)
        json_object_update(data, extra);
    json_decref(extra);
    if (result == OK)
        result = timeline_append(tx, now, actor, "drill.started", out->id, data, NULL, err);
    else
        json_decref(data);
    for (size_t i = 0; result == OK && i < sc->alert_count; i++)
        if (sc->alerts[i].after <= 0)
            result = drill_inject_alert(tx, app, cfg, sc, i, out->id, "drill", now, err);
    return result;
}

/* ---- the scheduler ---- */

static char handled[HANDLED_MAX][CLAIM_KEY_MAX]; /* the engine thread's alone */
static size_t handled_next;

static bool was_handled(const char *key)
{
    for (size_t i = 0; i < HANDLED_MAX; i++)
        if (strcmp(handled[i], key) == 0)
            return true;
    return false;
}

static void mark_handled(const char *key)
{
    snprintf(handled[handled_next], CLAIM_KEY_MAX, "%s", key);
    handled_next = (handled_next + 1) % HANDLED_MAX;
}

struct sched_job {
    struct app *app;
    const struct config *cfg;
    const struct config_drill *sc;
    const char *key;
    int64_t occurrence, now;
    bool notice;    /* the announcement, else the drill itself */
    bool seen_only; /* only claim drill-seen:<id> (no occurrence due yet) */
    bool started, missed, skipped, claimed_elsewhere;
    char incident_id[64];
    int queued;
};

/* The occurrence as the wall time of the scenario's zone with its offset and name:
 * "2099-07-01 09:00 +02:00 Europe/Paris" (no zone: UTC, "+00:00 UTC"). */
static void local_time(const char *zone, int64_t at, char *out, size_t size)
{
    const struct tz *tz = zone ? tz_get(zone) : NULL;
    if (!tz)
        tz = tz_utc();
    struct tz_tm t;
    tz_local(tz, at, &t);
    int32_t off = t.offset < 0 ? -t.offset : t.offset;
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d %c%02d:%02d %s", t.year, t.month, t.day, t.hour,
             t.minute, t.offset < 0 ? '-' : '+', (int)(off / 3600), (int)(off % 3600 / 60),
             zone && tz != tz_utc() ? zone : "UTC");
}

static enum result announce(struct store_conn *tx, struct sched_job *j, struct error *err)
{
    const struct config_drill_schedule *s = j->sc->schedule;
    char when[RFC3339_LEN], local[128], subject[400], text[1200];
    time_format_rfc3339(j->occurrence, when);
    local_time(s->timezone, j->occurrence, local, sizeof local);
    snprintf(subject, sizeof subject, "[DRILL] Scheduled fire drill at %s: %s", local,
             j->sc->title);
    snprintf(text, sizeof text,
             "A fire drill starts by itself at %s (%s).\n\nScenario: %s\nSeverity: %s\n%s%s%s"
             "It is a drill: the incident and its pages are marked [DRILL].\n",
             local, when, j->sc->id, j->sc->severity, j->sc->runbook ? "Runbook: " : "",
             j->sc->runbook ? j->sc->runbook : "", j->sc->runbook ? "\n" : "");
    json_t *told = json_array();
    for (size_t i = 0; i < s->announce_to.count; i++) {
        const char *user = s->announce_to.items[i];
        struct notify_message m = {.kind = NOTIFY_INFO,
                                   .key = j->key,
                                   .user = user,
                                   .subject = subject,
                                   .text = text,
                                   .reason = "drill notice",
                                   .actor = "scheduler"};
        struct error e = {0};
        enum result result = notify_enqueue(tx, j->cfg, &m, j->now, &j->queued, &e);
        if (result == ERR_UNPROCESSABLE || result == ERR_NOT_FOUND) {
            log_warn("drills: %s cannot be told of drill %s: %s", user, j->sc->id, e.message);
            continue;
        }
        if (result != OK) {
            json_decref(told);
            return error_set(err, result, "%s", e.message);
        }
        json_array_append_new(told, json_string(user));
    }
    return timeline_append(tx, j->now, "scheduler", "drill.announced", NULL,
                           json_pack("{s:s,s:s,s:s,s:o}", "scenario", j->sc->id, "scheduled_for",
                                     when, "local", local, "told", told),
                           NULL, err);
}

/* Claims "drill-seen:<id>" for good; *first is true when this call took it (first sight). */
static enum result claim_seen(struct store_conn *tx, const struct sched_job *j, bool *first,
                              struct error *err)
{
    char seen[CLAIM_KEY_MAX];
    snprintf(seen, sizeof seen, "drill-seen:%s", j->sc->id);
    enum result result = store_cluster_claim(tx, seen, j->now, INT64_MAX);
    *first = result == OK;
    if (result == ERR_NOT_FOUND)
        return OK;
    return result == OK ? OK : error_set(err, result, "store: cannot claim %s", seen);
}

static enum result sched_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct sched_job *j = arg;
    bool first = false;
    if (j->seen_only)
        return claim_seen(tx, j, &first, err);
    enum result result = store_cluster_claim(tx, j->key, j->now, INT64_MAX);
    if (result == ERR_NOT_FOUND) {
        j->claimed_elsewhere = true;
        return OK;
    }
    if (result != OK)
        return error_set(err, result, "store: cannot claim %s", j->key);
    if (j->notice)
        return announce(tx, j, err);
    char when[RFC3339_LEN];
    time_format_rfc3339(j->occurrence, when);
    if ((result = claim_seen(tx, j, &first, err)) != OK)
        return result;
    if (j->now - j->occurrence > DRILL_LATE_MAX_MS && first) {
        j->skipped = true; /* due before the scenario was ever run: not a miss */
        return OK;
    }
    if (j->now - j->occurrence > DRILL_LATE_MAX_MS) {
        j->missed = true;
        return timeline_append(tx, j->now, "scheduler", "drill.missed", NULL,
                               json_pack("{s:s,s:s,s:s}", "scenario", j->sc->id, "scheduled_for",
                                         when, "reason", "no node was running at its time"),
                               NULL, err);
    }
    struct incident inc = {0};
    result = drill_declare(tx, j->app, j->cfg, j->sc, "scheduler", j->now,
                           json_pack("{s:s}", "scheduled_for", when), &inc, err);
    if (result == OK) {
        j->started = true;
        snprintf(j->incident_id, sizeof j->incident_id, "%s", inc.id);
    }
    incident_free_fields(&inc);
    return result;
}

static void run_job(struct app *app, struct sched_job *j, int *queued)
{
    if (was_handled(j->key))
        return;
    struct error err = {0};
    if (store_write(app->store, sched_job, j, &err) != OK) {
        log_error("drills: %s: %s", j->key, err.message); /* tried again next pass */
        return;
    }
    mark_handled(j->key);
    *queued += j->queued;
    if (j->started)
        log_info("drills: scheduled drill %s started as %s", j->sc->id, j->incident_id);
    else if (j->missed)
        log_warn("drills: scheduled drill %s was due more than an hour ago; not started",
                 j->sc->id);
    else if (j->skipped)
        log_info("drills: scheduled drill %s: its last occurrence predates the first run of "
                 "the scenario; the next one will run",
                 j->sc->id);
    if (j->started)
        engine_kick(app->engine); /* paging starts, marked [DRILL] */
}

int64_t drill_schedule_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                            int64_t next)
{
    for (size_t i = 0; i < cfg->drill_count; i++) {
        const struct config_drill *sc = &cfg->drills[i];
        const struct config_drill_schedule *s = sc->schedule;
        if (!s)
            continue;
        const struct tz *tz = s->timezone ? tz_get(s->timezone) : tz_utc();
        if (!tz) {
            log_error("drills: %s: time zone %s cannot be loaded", sc->id, s->timezone);
            continue;
        }
        int64_t prev, k, nxt;
        drill_schedule_around(s, tz, now, &prev, &k, &nxt);
        char key[CLAIM_KEY_MAX];
        if (prev >= 0) {
            snprintf(key, sizeof key, "drill:%s:%lld", sc->id, (long long)prev);
            struct sched_job j = {
                .app = app, .cfg = cfg, .sc = sc, .key = key, .occurrence = prev, .now = now};
            run_job(app, &j, queued);
        } else { /* nothing due yet: remember the scenario was seen, so a later miss is one */
            snprintf(key, sizeof key, "drill-seen:%s", sc->id);
            struct sched_job j = {
                .app = app, .cfg = cfg, .sc = sc, .key = key, .now = now, .seen_only = true};
            run_job(app, &j, queued);
        }
        if (nxt == INT64_MAX)
            continue;
        if (nxt < next)
            next = nxt;
        if (s->notice > 0 && s->announce_to.count > 0) {
            if (nxt - s->notice <= now) {
                snprintf(key, sizeof key, "drill-notice:%s:%lld", sc->id, (long long)nxt);
                struct sched_job j = {.app = app,
                                      .cfg = cfg,
                                      .sc = sc,
                                      .key = key,
                                      .occurrence = nxt,
                                      .now = now,
                                      .notice = true};
                run_job(app, &j, queued);
            } else if (nxt - s->notice < next) {
                next = nxt - s->notice;
            }
        }
    }
    return next;
}
