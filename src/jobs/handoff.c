/*
 * handoff: tells the incoming person when a shift starts. Each engine pass looks at every
 * schedule layer (and at the schedule as a whole where a schedule-wide override starts or ends):
 * when the shift in force now started after the previous pass (the end of an override counts: it
 * hands the shift back, so the overrides that ended since then are read too), one store job claims
 * it (store_handoff_claim: once per schedule, layer and start, across restarts), queues a
 * NOTIFY_HANDOFF message with the open incidents, the incidents resolved within the schedule's
 * `handoff_recent` window (newest first, with their post-mortem state) and the items of every
 * checklist whose phase is `handoff`, and appends oncall.handoff to the timeline. Threads: the
 * engine thread; the jobs on the store writer.
 */
#include "jobs/handoff.h"
#include "jobs/incident_roles.h"
#include "jobs/escalate.h"
#include "jobs/notify_enqueue.h"
#include "jobs/timeline.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "store/incidents.h"
#include "store/escalations.h"
#include "store/postmortems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HANDOFF_INCIDENTS = 20, HANDOFF_TEXT_MAX = 64 * 1024 };

struct handoff_job {
    const struct config *cfg;
    const struct config_schedule *s;
    const char *layer; /* "*" for the schedule as a whole */
    struct oncall_slot slot;
    int64_t now;
    int queued;
};

struct open_list {
    struct buf *b;
    int n;
};

static int add_open(const struct incident *inc, void *arg)
{
    struct open_list *o = arg;
    buf_printf(o->b, "  - %s%s [%s, %s] %s\n", inc->drill ? "[DRILL] " : "", inc->id, inc->severity,
               incident_status_name(inc->status), inc->title);
    return ++o->n >= HANDOFF_INCIDENTS;
}

/* The incidents resolved in [since, now], the newest HANDOFF_INCIDENTS kept (sorted by
 * resolved_at, newest first); total counts them all. */
struct recent_one {
    char id[INCIDENT_ID_MAX];
    char *severity, *title;
    int64_t resolved_at;
    enum incident_status status;
    bool drill;
};

struct recent_list {
    int64_t since, now;
    struct recent_one items[HANDOFF_INCIDENTS];
    int n, total;
};

static int add_recent(const struct incident *inc, void *arg)
{
    struct recent_list *r = arg;
    if (!inc->resolved_at || inc->resolved_at < r->since || inc->resolved_at > r->now)
        return 0;
    r->total++;
    int at = r->n;
    while (at > 0 && r->items[at - 1].resolved_at < inc->resolved_at)
        at--;
    if (at >= HANDOFF_INCIDENTS)
        return 0;
    if (r->n == HANDOFF_INCIDENTS) { /* the oldest one drops out */
        free(r->items[r->n - 1].severity);
        free(r->items[r->n - 1].title);
        r->n--;
    }
    memmove(&r->items[at + 1], &r->items[at], (size_t)(r->n - at) * sizeof r->items[0]);
    struct recent_one *o = &r->items[at];
    snprintf(o->id, sizeof o->id, "%s", inc->id);
    o->severity = xstrdup(inc->severity);
    o->title = xstrdup(inc->title);
    o->resolved_at = inc->resolved_at;
    o->status = inc->status;
    o->drill = inc->drill;
    r->n++;
    return 0;
}

static void recent_free(struct recent_list *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->items[i].severity);
        free(r->items[i].title);
    }
}

/* "post-mortem draft (due ...)", "no post-mortem yet (required)", "no post-mortem required". */
static enum result postmortem_note(struct store_conn *tx, const struct config *cfg,
                                   const struct recent_one *o, struct buf *b)
{
    struct postmortem pm;
    enum result result = store_postmortem_get_by_incident(tx, o->id, &pm);
    if (result == OK) {
        char due[RFC3339_LEN] = "";
        if (pm.due_at && pm.state != PM_PUBLISHED)
            time_format_rfc3339(pm.due_at, due);
        buf_printf(b, "post-mortem %s %s%s%s", pm.id, postmortem_state_name(pm.state),
                   *due ? ", due " : "", due);
        postmortem_free_fields(&pm);
        return OK;
    }
    if (result != ERR_NOT_FOUND)
        return result;
    const struct config_severity *sev = config_severity_find(cfg, o->severity);
    buf_printf(b, "%s",
               sev && sev->postmortem_required ? "no post-mortem yet (required)"
                                               : "no post-mortem required");
    return OK;
}

static enum result add_resolved(struct store_conn *tx, const struct handoff_job *j, struct buf *b,
                                int *count)
{
    int64_t window = j->s->handoff_recent;
    if (window <= 0)
        return OK;
    struct recent_list r = {.since = j->now - window, .now = j->now};
    struct store_incident_filter f = {.statuses = (1 << INC_RESOLVED) | (1 << INC_CLOSED)};
    enum result result = store_incident_list(tx, &f, add_recent, &r);
    char span[32];
    time_format_duration(window, span, sizeof span);
    if (result == OK)
        buf_printf(b, "\nResolved in the last %s:\n", span);
    for (int i = 0; result == OK && i < r.n; i++) {
        const struct recent_one *o = &r.items[i];
        char at[RFC3339_LEN];
        time_format_rfc3339(o->resolved_at, at);
        buf_printf(b, "  - %s%s [%s, %s %s] %s; ", o->drill ? "[DRILL] " : "", o->id, o->severity,
                   incident_status_name(o->status), at, o->title);
        result = postmortem_note(tx, j->cfg, o, b);
        buf_printf(b, "\n");
    }
    if (result == OK && !r.total)
        buf_printf(b, "  (none)\n");
    else if (result == OK && r.total > r.n)
        buf_printf(b, "  (and %d more)\n", r.total - r.n);
    *count = r.total;
    recent_free(&r);
    return result;
}

/* The message: the shift, the open incidents, the recently resolved ones, the hand-off
 * checklist. *open and *resolved count the incidents listed (open: at most HANDOFF_INCIDENTS). */
static enum result handoff_text(struct store_conn *tx, const struct handoff_job *j, struct buf *b,
                                int *open, int *resolved)
{
    char from[RFC3339_LEN], until[RFC3339_LEN];
    time_format_rfc3339(j->slot.from, from);
    time_format_rfc3339(j->slot.until, until);
    buf_printf(b, "You are on call for %s (%s) from %s until %s.\n\nOpen incidents:\n",
               j->s->name ? j->s->name : j->s->id, j->layer, from, until);
    struct open_list o = {.b = b};
    struct store_incident_filter f = {.statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED) |
                                                  (1 << INC_INVESTIGATING) | (1 << INC_IDENTIFIED) |
                                                  (1 << INC_MONITORING),
                                      .limit = HANDOFF_INCIDENTS};
    enum result result = store_incident_list(tx, &f, add_open, &o);
    if (result != OK)
        return result;
    if (!o.n)
        buf_printf(b, "  (none)\n");
    *open = o.n;
    result = add_resolved(tx, j, b, resolved);
    if (result != OK)
        return result;
    for (size_t i = 0; i < j->cfg->checklist_count; i++) {
        const struct config_checklist *c = &j->cfg->checklists[i];
        if (!c->phase || strcmp(c->phase, "handoff") != 0)
            continue;
        buf_printf(b, "\n%s:\n", c->title);
        for (size_t k = 0; k < c->items.count; k++)
            buf_printf(b, "  [ ] %s\n", c->items.items[k]);
    }
    return OK;
}

static enum result handoff_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct handoff_job *j = arg;
    enum result result =
        store_handoff_claim(tx, j->s->id, j->layer, j->slot.from, j->slot.user, j->now);
    if (result == ERR_CONFLICT)
        return OK; /* announced already */
    if (result != OK)
        return error_set(err, result, "store: cannot record the hand-off of %s", j->s->id);
    struct buf b;
    buf_init(&b, HANDOFF_TEXT_MAX);
    char key[192], subject[256], from[RFC3339_LEN], until[RFC3339_LEN];
    snprintf(key, sizeof key, "handoff:%s/%s/%lld", j->s->id, j->layer, (long long)j->slot.from);
    snprintf(subject, sizeof subject, "You are now on call: %s (%s)", j->s->id, j->layer);
    time_format_rfc3339(j->slot.from, from);
    time_format_rfc3339(j->slot.until, until);
    int open = 0, resolved = 0;
    result = handoff_text(tx, j, &b, &open, &resolved);
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:i,s:i}", "schedule", j->s->id, "layer",
                             j->layer, "user", j->slot.user, "from", from, "until", until,
                             "override", j->slot.override ? j->slot.override->id : NULL, "open",
                             open, "resolved", resolved);
    if (result == OK)
        result = timeline_append(tx, j->now, "tocsin", "oncall.handoff", NULL, data, NULL, err);
    else
        json_decref(data);
    int moved = 0;
    if (result == OK) /* the roles filled from this schedule follow the shift */
        result = incident_roles_handoff(tx, j->cfg, j->s->id, j->now, &moved, err);
    if (result == OK) {
        struct notify_message m = {.kind = NOTIFY_HANDOFF,
                                   .key = key,
                                   .user = j->slot.user,
                                   .subject = subject,
                                   .text = b.data ? b.data : "",
                                   .reason = "shift starts"};
        struct error e = {0};
        result = notify_enqueue(tx, j->cfg, &m, j->now, &j->queued, &e);
        if (result == ERR_UNPROCESSABLE || result == ERR_NOT_FOUND) {
            log_warn("handoff: %s cannot be told: %s", j->slot.user, e.message);
            result = OK;
        } else if (result != OK) {
            error_set(err, result, "%s", e.message);
        }
    }
    buf_free(&b);
    return result;
}

static void announce(struct app *app, const struct config *cfg, const struct config_schedule *s,
                     const char *layer, const struct oncall_slot *slot, int64_t since, int64_t now,
                     int *queued)
{
    if (!slot->user || slot->from <= since || slot->from > now)
        return;
    struct handoff_job j = {.cfg = cfg, .s = s, .layer = layer, .slot = *slot, .now = now};
    struct error err = {0};
    if (store_write(app->store, handoff_job, &j, &err) != OK)
        log_error("handoff: %s/%s: %s", s->id, layer, err.message);
    else
        *queued += j.queued; /* rows queued by a job whose commit failed were never stored */
}

static bool schedule_wide(const struct oncall_slot *slot)
{
    return slot->override && !slot->override->layer;
}

/* The schedule as a whole has its own shifts only where a schedule-wide override starts or ends
 * (the layers announce the rest). */
static bool wide_edge(const struct config_schedule *s, const struct oncall_overrides *ov,
                      const struct oncall_slot *slot)
{
    struct oncall_slot before;
    return schedule_wide(slot) ||
           (oncall_at(s, NULL, ov->items, ov->n, slot->from - 1, &before) == 0 &&
            schedule_wide(&before));
}

void handoff_pass(struct app *app, const struct config *cfg, int64_t since, int64_t now,
                  int *queued)
{
    if (!cfg->schedule_count)
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    struct oncall_overrides ov = {0};
    /* overrides that ended since the last look too: their end is a hand-off back */
    if (!c || escalate_overrides_load(c, since, now + 1, &ov, &err) != OK) {
        log_error("handoff: %s", err.message);
        return;
    }
    for (size_t i = 0; i < cfg->schedule_count; i++) {
        const struct config_schedule *s = &cfg->schedules[i];
        struct oncall_slot slot;
        for (size_t l = 0; l < s->layer_count; l++)
            if (oncall_at(s, s->layers[l].name, ov.items, ov.n, now, &slot) == 0)
                announce(app, cfg, s, s->layers[l].name, &slot, since, now, queued);
        if (oncall_at(s, NULL, ov.items, ov.n, now, &slot) == 0 && slot.from > since &&
            wide_edge(s, &ov, &slot))
            announce(app, cfg, s, "*", &slot, since, now, queued);
    }
    oncall_overrides_free(&ov);
}
