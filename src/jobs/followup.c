/*
 * jobs/followup: reminders for overdue post-mortems, action items and checklist items past their
 * deadline (jobs/postmortem.h, docs/internals/checklists.md: one reminder per item). The
 * engine calls followup_pass on every pass: a read finds whether anything is due (the rows with
 * a reminder, earliest first); only then one store job, in one transaction, re-reads them,
 * queues one reminder per owner through the outbox (notify_enqueue, keyed by the reminder's time
 * so a replay queues nothing twice), puts postmortem.overdue / action.overdue on the timeline, and
 * moves each reminder POSTMORTEM_REMIND_EVERY on. No owner (a post-mortem falls back to the
 * incident's commander) or an owner with no contact method: the timeline entry says so
 * ("notified": false) and the reminder still moves on.
 * Threads: followup_pass on the engine thread; the job on the store writer.
 */
#include "jobs/notify_enqueue.h"
#include "jobs/postmortem.h"
#include "jobs/timeline.h"
#include "store/actions.h"
#include "store/checklists.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FOLLOWUP_BATCH = 100 };

struct due_scan {
    int64_t now;
    int64_t next; /* the first remind_at after now; INT64_MAX when none */
    size_t n;
    struct postmortem pms[FOLLOWUP_BATCH];
    struct action_item acts[FOLLOWUP_BATCH];
    bool collect; /* copy the due rows (the job) or only count them (the read) */
};

static int pm_due(const struct postmortem *pm, void *arg)
{
    struct due_scan *s = arg;
    if (pm->remind_at > s->now) {
        if (pm->remind_at < s->next)
            s->next = pm->remind_at;
        return 1;
    }
    if (s->n >= FOLLOWUP_BATCH)
        return 1;
    if (s->collect) {
        struct postmortem *c = &s->pms[s->n];
        *c = *pm;
        c->template_id = xstrdup(pm->template_id);
        c->owner = pm->owner ? xstrdup(pm->owner) : NULL;
        c->created_by = xstrdup(pm->created_by);
        c->review_attendees = pm->review_attendees ? xstrdup(pm->review_attendees) : NULL;
        for (int f = 0; f < PM_FIELD_COUNT; f++)
            c->fields[f] = pm->fields[f] ? xstrdup(pm->fields[f]) : NULL;
    }
    s->n++;
    return 0;
}

static int act_due(const struct action_item *a, void *arg)
{
    struct due_scan *s = arg;
    if (a->remind_at > s->now) {
        if (a->remind_at < s->next)
            s->next = a->remind_at;
        return 1;
    }
    if (s->n >= FOLLOWUP_BATCH)
        return 1;
    if (s->collect) {
        struct action_item *c = &s->acts[s->n];
        *c = *a;
        c->title = xstrdup(a->title);
        c->owner = a->owner ? xstrdup(a->owner) : NULL;
        c->priority = xstrdup(a->priority);
        c->incident_id = a->incident_id ? xstrdup(a->incident_id) : NULL;
        c->postmortem_id = a->postmortem_id ? xstrdup(a->postmortem_id) : NULL;
        c->created_by = xstrdup(a->created_by);
    }
    s->n++;
    return 0;
}

struct fu_job {
    const struct config *cfg;
    int64_t now;
    int queued;
};

/* Queues the reminder for user (may be NULL); *notified says whether a row was queued. */
static enum result remind_user(struct store_conn *tx, struct fu_job *j, const char *user,
                               const struct incident *inc, const char *key, const char *subject,
                               const char *text, bool *notified, struct error *err)
{
    *notified = false;
    if (!user)
        return OK;
    struct notify_message m = {.kind = NOTIFY_REMINDER,
                               .key = key,
                               .user = user,
                               .inc = inc,
                               .subject = subject,
                               .text = text,
                               .reason = "overdue follow-up",
                               .actor = "tocsin"};
    int q = 0;
    struct error e = {0};
    enum result result = notify_enqueue(tx, j->cfg, &m, j->now, &q, &e);
    if (result == ERR_UNPROCESSABLE) { /* no contact method: said on the timeline */
        log_warn("followup: cannot remind %s: %s", user, e.message);
        return OK;
    }
    if (result != OK)
        return error_set(err, result, "%s", e.message);
    j->queued += q;
    *notified = true;
    return OK;
}

static enum result remind_pm(struct store_conn *tx, struct fu_job *j, struct postmortem *pm,
                             struct error *err)
{
    struct incident inc = {0};
    enum result result = store_incident_get(tx, pm->incident_id, &inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", pm->incident_id);
    const char *owner = pm->owner ? pm->owner : inc.roles[ROLE_COMMANDER];
    char key[48], due[RFC3339_LEN], subject[256], text[1024];
    snprintf(key, sizeof key, "pm-reminder:%lld", (long long)pm->remind_at);
    time_format_rfc3339(pm->due_at, due);
    snprintf(subject, sizeof subject, "Post-mortem overdue: %s %s", pm->id, inc.title);
    snprintf(text, sizeof text,
             "The post-mortem %s of %s (%s) was due at %s and is still %s.\n"
             "Finish it: tocsin postmortem show %s; publish: tocsin postmortem publish %s\n",
             pm->id, inc.id, inc.severity, due, postmortem_state_name(pm->state), pm->id, pm->id);
    bool notified = false;
    result = remind_user(tx, j, owner, &inc, key, subject, text, &notified, err);
    pm->remind_at = j->now + POSTMORTEM_REMIND_EVERY;
    if (result == OK && (result = store_postmortem_update(tx, pm)) != OK)
        error_set(err, result, "store: cannot update %s", pm->id);
    if (result == OK)
        result = timeline_append(tx, j->now, "tocsin", "postmortem.overdue", inc.id,
                                 json_pack("{s:s,s:s,s:s?,s:b}", "id", pm->id, "due_at", due,
                                           "owner", owner, "notified", notified),
                                 NULL, err);
    incident_free_fields(&inc);
    return result;
}

static enum result remind_action(struct store_conn *tx, struct fu_job *j, struct action_item *a,
                                 struct error *err)
{
    struct incident inc = {0};
    enum result result = OK;
    if (a->incident_id && (result = store_incident_get(tx, a->incident_id, &inc)) != OK)
        return error_set(err, result, "store: cannot read incident %s", a->incident_id);
    char key[48], due[RFC3339_LEN], subject[256], text[1024];
    snprintf(key, sizeof key, "act-reminder:%s:%lld", a->id, (long long)a->remind_at);
    time_format_rfc3339(a->due_at, due);
    snprintf(subject, sizeof subject, "Action item overdue: %s %s", a->id, a->title);
    snprintf(text, sizeof text,
             "The action item %s (%s, %s) was due at %s and is still open.\n"
             "Done? tocsin action done %s\n",
             a->id, a->title, a->priority, due, a->id);
    bool notified = false;
    result = remind_user(tx, j, a->owner, a->incident_id ? &inc : NULL, key, subject, text,
                         &notified, err);
    a->remind_at = j->now + POSTMORTEM_REMIND_EVERY;
    if (result == OK && (result = store_action_update(tx, a)) != OK)
        error_set(err, result, "store: cannot update %s", a->id);
    if (result == OK)
        result = timeline_append(tx, j->now, "tocsin", "action.overdue", a->incident_id,
                                 json_pack("{s:s,s:s,s:s?,s:b}", "id", a->id, "due_at", due,
                                           "owner", a->owner, "notified", notified),
                                 NULL, err);
    if (a->incident_id)
        incident_free_fields(&inc);
    return result;
}

static enum result dl_job(struct store_conn *tx, struct fu_job *j, struct error *err);
static enum result rb_job(struct store_conn *tx, struct fu_job *j, struct error *err);

static enum result fu_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct fu_job *j = arg;
    struct due_scan *s = xcalloc(1, sizeof *s);
    s->now = j->now;
    s->next = INT64_MAX;
    s->collect = true;
    enum result result = store_postmortem_remind_due(tx, pm_due, s);
    for (size_t i = 0; i < s->n; i++) {
        if (result == OK)
            result = remind_pm(tx, j, &s->pms[i], err);
        postmortem_free_fields(&s->pms[i]);
    }
    if (result != OK)
        goto out;
    s->n = 0;
    result = store_action_remind_due(tx, act_due, s);
    for (size_t i = 0; i < s->n; i++) {
        if (result == OK)
            result = remind_action(tx, j, &s->acts[i], err);
        action_item_free_fields(&s->acts[i]);
    }
    if (result == OK)
        result = dl_job(tx, j, err);
    if (result == OK)
        result = rb_job(tx, j, err);
out:
    if (result != OK && !err->message[0])
        error_set(err, result, "store: cannot read the due reminders");
    free(s);
    return result;
}

/* ---- checklist deadlines (migration 012) ---- */

/* The items with a deadline, not done, not reminded: those due at now (copied with their
 * incident when collecting), and the first deadline after now (*next). */
struct dl_scan {
    struct store_conn *c;
    int64_t now, next;
    size_t n;
    bool collect;
    enum result failed;
    struct checklist_item items[FOLLOWUP_BATCH];
    struct incident incs[FOLLOWUP_BATCH];
};

static int dl_due(const struct checklist_item *it, void *arg)
{
    struct dl_scan *s = arg;
    struct incident inc = {0};
    enum result result = store_incident_get(s->c, it->incident_id, &inc);
    if (result != OK) {
        s->failed = result;
        return 1;
    }
    int64_t due = checklist_item_due_at(it, &inc);
    int stop = 0;
    if (due && due > s->now) {
        if (due < s->next)
            s->next = due;
    } else if (due && s->n >= FOLLOWUP_BATCH) {
        stop = 1;
    } else if (due) {
        if (s->collect) {
            checklist_item_copy(&s->items[s->n], it);
            s->incs[s->n] = inc;
            memset(&inc, 0, sizeof inc);
        }
        s->n++;
    }
    incident_free_fields(&inc);
    return stop;
}

static enum result dl_scan_run(struct store_conn *c, struct dl_scan *s)
{
    enum result result = store_checklist_deadline_items(c, dl_due, s);
    return result == OK ? s->failed : result;
}

static enum result remind_item(struct store_conn *tx, struct fu_job *j, struct checklist_item *it,
                               struct incident *inc, struct error *err)
{
    const char *user = checklist_item_remindee(it, inc);
    char key[160], due[RFC3339_LEN], within[32], subject[256], text[1024];
    snprintf(key, sizeof key, "cl-reminder:%s:%d", it->checklist_id, it->n);
    time_format_rfc3339(checklist_item_due_at(it, inc), due);
    time_format_duration(it->due_within, within, sizeof within);
    snprintf(subject, sizeof subject, "Checklist item overdue: %s %s", inc->id, it->text);
    snprintf(text, sizeof text,
             "%s (%s), checklist \"%s\" item %d: \"%s\" was due at %s (%s after %s) and is "
             "not done.\nDone? tocsin tick %s %s %d\n",
             inc->id, inc->title, it->title, it->n, it->text, due, within, it->due_from, inc->id,
             it->checklist_id, it->n);
    bool notified = false;
    enum result result = remind_user(tx, j, user, inc, key, subject, text, &notified, err);
    if (result == OK && (result = store_checklist_item_reminded(
                             tx, it->incident_id, it->checklist_id, it->n, j->now)) != OK)
        error_set(err, result, "store: cannot update checklist %s item %d", it->checklist_id,
                  it->n);
    if (result == OK)
        result = timeline_append(tx, j->now, "tocsin", "checklist.overdue", inc->id,
                                 json_pack("{s:s,s:i,s:s,s:s,s:s?,s:b}", "checklist",
                                           it->checklist_id, "item", it->n, "text", it->text,
                                           "due_at", due, "owner", user, "notified", notified),
                                 NULL, err);
    return result;
}

static enum result dl_job(struct store_conn *tx, struct fu_job *j, struct error *err)
{
    struct dl_scan *s = xcalloc(1, sizeof *s);
    s->c = tx;
    s->now = j->now;
    s->next = INT64_MAX;
    s->collect = true;
    enum result result = dl_scan_run(tx, s);
    for (size_t i = 0; i < s->n; i++) {
        if (result == OK)
            result = remind_item(tx, j, &s->items[i], &s->incs[i], err);
        checklist_item_free_fields(&s->items[i]);
        incident_free_fields(&s->incs[i]);
    }
    if (result != OK && !err->message[0])
        error_set(err, result, "store: cannot read the checklist deadlines");
    free(s);
    return result;
}

/* ---- runbook reviews (runbooks[].review_by, owner) ---- */

/* A runbook not reviewed by its review_by date reminds its owner then, and again each week while
 * the date stays (the config names a later date once it is reviewed). The key names the week, so
 * the outbox holds one reminder per runbook, date and week whatever the nodes and restarts; the
 * engine thread remembers the keys it saw queued to not start a job for them each pass. */
enum { RB_SEEN_MAX = 256 };
#define RB_WEEK (7LL * 24 * 3600 * 1000)

static char rb_seen[RB_SEEN_MAX][160]; /* engine thread only */
static size_t rb_nseen;

static bool rb_overdue(const struct config_runbook *rb, int64_t now, char *key, size_t n)
{
    if (!rb->review_by_ms || !rb->owner || now < rb->review_by_ms)
        return false;
    snprintf(key, n, "rb-review:%s:%s:w%lld", rb->id, rb->review_by,
             (long long)((now - rb->review_by_ms) / RB_WEEK));
    return true;
}

static bool rb_was_seen(const char *key)
{
    for (size_t i = 0; i < rb_nseen; i++)
        if (strcmp(rb_seen[i], key) == 0)
            return true;
    return false;
}

/* The runbook reviews due at now and not seen yet; *next: the earliest later one. */
static size_t rb_scan(const struct config *cfg, int64_t now, int64_t *next, bool mark)
{
    size_t due = 0;
    for (size_t i = 0; i < cfg->runbook_count; i++) {
        const struct config_runbook *rb = &cfg->runbooks[i];
        char key[160];
        if (!rb->review_by_ms || !rb->owner)
            continue;
        int64_t at = rb->review_by_ms;
        if (rb_overdue(rb, now, key, sizeof key)) {
            at += ((now - rb->review_by_ms) / RB_WEEK + 1) * RB_WEEK;
            if (mark && !rb_was_seen(key)) {
                rb_nseen = rb_nseen < RB_SEEN_MAX ? rb_nseen : 0;
                snprintf(rb_seen[rb_nseen++], sizeof rb_seen[0], "%s", key);
            }
            due += !rb_was_seen(key);
        }
        if (at < *next)
            *next = at;
    }
    return due;
}

static enum result rb_job(struct store_conn *tx, struct fu_job *j, struct error *err)
{
    enum result result = OK;
    for (size_t i = 0; i < j->cfg->runbook_count && result == OK; i++) {
        const struct config_runbook *rb = &j->cfg->runbooks[i];
        char key[160], subject[300], text[1024];
        if (!rb_overdue(rb, j->now, key, sizeof key))
            continue;
        snprintf(subject, sizeof subject, "Runbook review overdue: %s %s", rb->id, rb->title);
        snprintf(text, sizeof text,
                 "The runbook %s (%s) was to be reviewed by %s. Review it, then set a later "
                 "runbooks[].review_by in the config.\nRead it: tocsin runbook show %s\n",
                 rb->id, rb->title, rb->review_by, rb->id);
        bool notified = false;
        int before = j->queued;
        result = remind_user(tx, j, rb->owner, NULL, key, subject, text, &notified, err);
        if (result == OK && j->queued > before)
            log_info("followup: runbook %s review overdue (by %s): reminded %s", rb->id,
                     rb->review_by, rb->owner);
    }
    return result;
}

/* Whether anything is due at now, and the next reminder's time (*next). */
static enum result scan(struct store_conn *c, int64_t now, int64_t *next, size_t *due)
{
    struct due_scan *s = xcalloc(1, sizeof *s);
    s->now = now;
    s->next = INT64_MAX;
    enum result result = store_postmortem_remind_due(c, pm_due, s);
    if (result == OK)
        result = store_action_remind_due(c, act_due, s);
    struct dl_scan *d = xcalloc(1, sizeof *d);
    d->c = c;
    d->now = now;
    d->next = INT64_MAX;
    if (result == OK)
        result = dl_scan_run(c, d);
    *next = s->next < d->next ? s->next : d->next;
    *due = s->n + d->n;
    free(d);
    free(s);
    return result;
}

int64_t followup_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                      int64_t next)
{
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    int64_t at = INT64_MAX;
    size_t due = 0;
    enum result result = c ? scan(c, now, &at, &due) : err.code;
    size_t rb_due = rb_scan(cfg, now, &at, false);
    if (result == OK && (due || rb_due)) {
        struct fu_job j = {cfg, now, 0};
        result = store_write(app->store, fu_job, &j, &err);
        *queued += j.queued;
        if (result == OK)
            rb_scan(cfg, now, &at, true);
        if (result == OK)
            result = scan(c, now, &at, &due);
    }
    if (result != OK) {
        log_error("followup: %s", err.message[0] ? err.message : "cannot read the reminders");
        at = now + 1000; /* try again in a second */
    } else if (due) {
        at = now + 1000; /* more than a batch was due */
    }
    return at < next ? at : next;
}
