/*
 * jobs/maintenance_clock: see maintenance_clock.h. On every engine pass the windows are read;
 * a window whose effective status (maint_effective: the stored one moved on by the clock) is past
 * the status of its newest public update (maint_announced: what subscribers were last told) is
 * due. Comparing against the announced status rather than the stored one keeps a person's update
 * from being repeated (the API posts it with the effective status) and still catches a move the
 * API settled into the stored status without posting (a rename after the start).
 *
 * One store job per due window: claims "maint-clock:<id>:<status>" for good (another node, or
 * this one after a restart, finds it taken and does nothing), reads the window again (a person
 * may have announced it meanwhile), settles it, appends the default update, tells the email
 * subscribers (jobs/subscribers.h) and the webhook subscribers (jobs/status_webhooks.h) and
 * appends maintenance.started / maintenance.completed, all in one transaction.
 *
 * Found late (no node was running at the window's time): a start whose window has already ended
 * is not announced (only the completion is); a start found while the window still runs is
 * announced, and so is a completion found up to MAINT_CLOCK_LATE_MAX_MS after scheduled_until.
 * A completion found later than that is recorded (the update on the page, the timeline with
 * told=false, a log line) without mail or webhooks: news that old helps no one.
 */
#include "jobs/maintenance_clock.h"
#include "domain/maintenance.h"
#include "jobs/status_webhooks.h"
#include "jobs/subscribers.h"
#include "jobs/timeline.h"
#include "runtime/notifier.h"
#include "store/maintenances.h"
#include "store/nodes.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAINT_CLOCK_READ_MAX = 500, DUE_MAX = 64 };
#define MAINT_CLOCK_LATE_MAX_MS (24LL * 3600 * 1000)

struct due {
    char id[MAINT_ID_MAX];
    enum maint_status to;
};

struct scan {
    int64_t now, next;
    struct due due[DUE_MAX];
    size_t n;
};

/* The status the clock moved window m to and its subscribers have not heard, or -1. */
static int clock_move(const struct maintenance *m, int64_t now)
{
    enum maint_status eff = maint_effective(m, now);
    if (eff != MAINT_IN_PROGRESS && eff != MAINT_COMPLETED)
        return -1;
    return maint_announced(m) < eff ? (int)eff : -1;
}

static int scan_one(const struct maintenance *m, void *arg)
{
    struct scan *s = arg;
    int to = clock_move(m, s->now);
    if (to >= 0 && s->n < DUE_MAX) {
        memcpy(s->due[s->n].id, m->id, sizeof m->id);
        s->due[s->n++].to = (enum maint_status)to;
    } else if (to >= 0) {
        s->next = s->now; /* more than a pass takes: the rest on the next one */
    }
    int64_t change = maint_next_change(m, s->now);
    if (change > s->now && change < s->next)
        s->next = change;
    return 0;
}

struct clock_job {
    const struct config *cfg;
    const unsigned char *link_key;
    const char *id;
    enum maint_status to;
    int64_t now;
    bool done, claimed_elsewhere, stale, told;
    char name[MAINT_NAME_MAX + 1];
};

static enum result clock_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct clock_job *j = arg;
    j->done = j->claimed_elsewhere = j->stale = j->told = false; /* a job may run again */
    char key[MAINT_CLOCK_CLAIM_MAX];
    snprintf(key, sizeof key, MAINT_CLOCK_CLAIM_FMT, j->id, maint_status_name(j->to));
    enum result result = store_cluster_claim(tx, key, j->now, INT64_MAX);
    if (result == ERR_NOT_FOUND) {
        j->claimed_elsewhere = true;
        return OK;
    }
    if (result != OK)
        return error_set(err, result, "store: cannot claim %s", key);
    struct maintenance m = {0};
    if ((result = store_maintenance_get(tx, j->id, &m)) != OK) {
        maintenance_free_fields(&m);
        if (result == ERR_NOT_FOUND)
            return OK;
        return error_set(err, result, "store: cannot read maintenance %s", j->id);
    }
    if (clock_move(&m, j->now) != (int)j->to) { /* announced meanwhile */
        maintenance_free_fields(&m);
        return OK;
    }
    enum maint_status from = maint_announced(&m);
    int64_t due_at = j->to == MAINT_IN_PROGRESS ? m.scheduled_for : m.scheduled_until;
    j->stale = j->to == MAINT_COMPLETED && j->now - due_at > MAINT_CLOCK_LATE_MAX_MS;
    snprintf(j->name, sizeof j->name, "%s", m.name ? m.name : "");
    const char *status = maint_status_name(j->to);
    const char *body = maint_default_body(j->to);
    maint_settle(&m, j->now);
    maint_append_update(&m, status, body, j->now);
    m.updated_at = j->now;
    result = store_maintenance_update(tx, &m);
    if (result != OK)
        error_set(err, result, "store: cannot store maintenance %s", m.id);
    if (result == OK && !j->stale)
        result =
            subscribers_maintenance_update(tx, j->cfg, j->link_key, &m, status, body, j->now, err);
    if (result == OK && !j->stale)
        result = status_webhooks_maintenance(tx, j->cfg, j->link_key, &m, from, j->now, err);
    char when[RFC3339_LEN];
    time_format_rfc3339(due_at, when);
    if (result == OK)
        result = timeline_append(
            tx, j->now, "scheduler",
            j->to == MAINT_IN_PROGRESS ? "maintenance.started" : "maintenance.completed", NULL,
            json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", m.id, "name", j->name, "status", status,
                      "due_at", when, "told", !j->stale),
            NULL, err);
    maintenance_free_fields(&m);
    j->done = result == OK;
    j->told = j->done && !j->stale;
    return result;
}

int64_t maintenance_clock_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                               int64_t next)
{
    (void)queued; /* subscribers' mail goes through the notifier's outbox, kicked here */
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    struct scan s = {.now = now, .next = next};
    enum result rr = c ? store_maintenance_list(c, MAINT_CLOCK_READ_MAX, scan_one, &s) : err.code;
    if (rr != OK) {
        log_error("maintenance clock: cannot read the maintenance windows: %s",
                  c ? result_name(rr) : err.message);
        return next;
    }
    bool kick = false;
    for (size_t i = 0; i < s.n; i++) {
        struct clock_job j = {.cfg = cfg,
                              .link_key = notifier_ack_key(app->notifier),
                              .id = s.due[i].id,
                              .to = s.due[i].to,
                              .now = now};
        if (store_write(app->store, clock_job, &j, &err) != OK) {
            log_error("maintenance clock: %s: %s", j.id, err.message); /* again next pass */
            continue;
        }
        if (j.stale)
            log_warn("maintenance clock: maintenance %s (%s) ended more than a day ago; marked "
                     "completed without telling its subscribers",
                     j.id, j.name);
        else if (j.done)
            log_info("maintenance clock: maintenance %s (%s) %s by the clock", j.id, j.name,
                     j.to == MAINT_IN_PROGRESS ? "started" : "completed");
        kick = kick || j.told;
    }
    if (kick)
        notifier_kick(app->notifier);
    return s.next;
}
