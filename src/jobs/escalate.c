/*
 * escalate: see escalate.h.
 */
#include "jobs/escalate.h"
#include "runtime/engine.h"
#include "domain/business_hours.h"
#include "domain/escalation_policy.h"
#include "jobs/notify_enqueue.h"
#include "runtime/notifier.h"
#include "domain/oncall.h"
#include "jobs/timeline.h"
#include "util/log.h"
#include "util/buf.h"
#include "app/metrics.h"
#include "util/timeutil.h"
#include "store/incidents.h"
#include "store/overrides.h"
#include "store/escalations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DUE_BATCH = 256, MAX_BATCHES = 4096 };
/* An incident whose escalation fails on its own (a poison row) is tried again this much later,
 * so it neither blocks the others nor is retried every second. */
#define POISON_RETRY_MS (30 * 1000LL)

/* ---- overrides in force, loaded once per job ---- */

enum result escalate_overrides_load(struct store_conn *c, int64_t from, int64_t to,
                                    struct oncall_overrides *s, struct error *err)
{
    enum result result = store_override_list(c, NULL, from, to, oncall_overrides_add, s);
    return result == OK ? OK : error_set(err, result, "store: cannot read the overrides");
}

/* ---- targets -> users ---- */

/* The users a step or reminder reaches (ids borrowed from the config): every one of them, as
 * many as the targets name (a big team is paged whole, never cut at some count). */
struct users {
    const char **items;
    size_t n, alloc;
};

static void users_add(struct users *u, const char *id)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->items[i], id) == 0)
            return;
    if (u->n == u->alloc) {
        u->alloc = u->alloc ? 2 * u->alloc : 8;
        u->items = xrealloc(u->items, u->alloc * sizeof *u->items);
    }
    u->items[u->n++] = id;
}

static void users_free(struct users *u)
{
    free(u->items);
    *u = (struct users){0};
}

static json_t *users_json(const struct users *u)
{
    json_t *a = json_array();
    for (size_t i = 0; i < u->n; i++)
        json_array_append_new(a, json_string(u->items[i]));
    return a;
}

static const struct config_team *team_find(const struct config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->team_count; i++)
        if (strcmp(cfg->teams[i].id, id) == 0)
            return &cfg->teams[i];
    return NULL;
}

/* One step target ("schedule:ID[/LAYER]", "user:ID", "team:ID", "contact:ID") -> its users at
 * `now`, added to all; returns {target, users} for the timeline. */
static json_t *resolve_target(const struct config *cfg, const struct oncall_overrides *ov,
                              const char *target, int64_t now, struct users *all)
{
    struct users u = {0};
    const char *colon = strchr(target, ':');
    const char *id = colon ? colon + 1 : target;
    if (strncmp(target, "schedule:", 9) == 0) {
        const char *slash = strchr(id, '/'), *layer = slash ? slash + 1 : NULL;
        size_t n = slash ? (size_t)(slash - id) : strlen(id);
        char sched[65] = ""; /* a config id: at most 64 characters; longer names no schedule */
        if (n < sizeof sched) {
            memcpy(sched, id, n);
            sched[n] = '\0';
        }
        const struct config_schedule *s = config_schedule_find(cfg, sched);
        struct oncall_slot slot;
        if (s && oncall_at(s, layer, ov->items, ov->n, now, &slot) == 0 && slot.user)
            users_add(&u, slot.user);
    } else if (strncmp(target, "user:", 5) == 0) {
        if (config_user_find(cfg, id))
            users_add(&u, config_user_find(cfg, id)->id);
    } else if (strncmp(target, "team:", 5) == 0) {
        const struct config_team *t = team_find(cfg, id);
        for (size_t i = 0; t && i < t->members.count; i++)
            users_add(&u, t->members.items[i]);
    } else if (strncmp(target, "contact:", 8) == 0) {
        /* a contacts directory entry is paged as "contact:ID" (notify_enqueue reaches it by its
         * phone and email) */
        if (config_contact_find(cfg, id))
            users_add(&u, target);
    }
    for (size_t i = 0; i < u.n; i++)
        users_add(all, u.items[i]);
    json_t *j = json_pack("{s:s,s:o}", "target", target, "users", users_json(&u));
    users_free(&u);
    return j;
}

/* ---- one incident ---- */

/* The pages of one look, one per user (steps due together are merged): the first fire's key that
 * reached the user, every target that did, and whether any of them pages (a flagged breach alone
 * sends a notice). */
struct page {
    const char *user;
    char key[ESCALATION_KEY_MAX];
    json_t *targets;
    bool page;
};

struct pages {
    struct page *items;
    size_t n, alloc;
};

static void pages_add(struct pages *pg, const char *user, const char *key, const char *target,
                      bool page)
{
    struct page *it = NULL;
    for (size_t i = 0; i < pg->n && !it; i++)
        if (strcmp(pg->items[i].user, user) == 0)
            it = &pg->items[i];
    if (!it) {
        if (pg->n == pg->alloc) {
            pg->alloc = pg->alloc ? 2 * pg->alloc : 8;
            pg->items = xrealloc(pg->items, pg->alloc * sizeof *pg->items);
        }
        it = &pg->items[pg->n++];
        *it = (struct page){.user = user, .targets = json_array(), .page = page};
        snprintf(it->key, sizeof it->key, "%s", key);
    }
    it->page = it->page || page;
    for (size_t i = 0; i < json_array_size(it->targets); i++)
        if (strcmp(json_string_value(json_array_get(it->targets, i)), target) == 0)
            return;
    json_array_append_new(it->targets, json_string(target));
}

static void pages_free(struct pages *pg)
{
    for (size_t i = 0; i < pg->n; i++)
        json_decref(pg->items[i].targets);
    free(pg->items);
    *pg = (struct pages){0};
}

struct esc_ctx {
    struct app *app;
    const struct config *cfg;
    int64_t now;
    struct oncall_overrides ov;
    int queued;
    unsigned unrouted;  /* incidents that reached no one in this job (the metric, after commit) */
    unsigned dropped;   /* methods named for a page that could not reach the user (the metric) */
    const char *actor;  /* "tocsin" for timed steps, the person for manual ones */
    const char *reason; /* manual: the person's reason, or NULL */
    json_t *step_out;   /* manual: the last escalation.step data */
};

/* Queues m for each user; a user with no way to reach them is on the timeline, not an error. */
static enum result page_user(struct store_conn *tx, struct esc_ctx *x, const struct incident *inc,
                             struct notify_message m, struct error *err)
{
    int q = 0;
    struct error e = {0};
    m.dropped = &x->dropped;
    enum result result = notify_enqueue(tx, x->cfg, &m, x->now, &q, &e);
    if (result == ERR_UNPROCESSABLE || result == ERR_NOT_FOUND) {
        json_t *data = json_pack("{s:s,s:s,s:s}", "user", m.user, "key", m.key, "error", e.message);
        result = timeline_append(tx, x->now, "tocsin", "escalation.unreachable",
                                 inc ? inc->id : NULL, data, NULL, err);
    } else if (result != OK) {
        return error_set(err, result, "%s", e.message);
    }
    x->queued += q;
    return result;
}

static enum result page_users(struct store_conn *tx, struct esc_ctx *x, const struct incident *inc,
                              const struct users *u, struct notify_message m, struct error *err)
{
    enum result result = OK;
    for (size_t i = 0; i < u->n && result == OK; i++) {
        m.user = u->items[i];
        result = page_user(tx, x, inc, m, err);
    }
    return result;
}

/* One page per user of the look: the targets that reached them on the first line. */
static enum result pages_send(struct store_conn *tx, struct esc_ctx *x,
                              const struct config_escalation_policy *p, const struct incident *inc,
                              const struct pages *pg, struct error *err)
{
    enum result result = OK;
    const struct config_severity *sev = config_severity_find(x->cfg, inc->severity);
    const struct config_calendar *cal =
        sev && sev->business_hours ? config_calendar_find(x->cfg, sev->business_hours) : NULL;
    int64_t hold = cal && pg->n ? business_next_open(cal, x->now) : 0;
    if (hold > x->now) { /* outside business hours: the pages wait for the next opening */
        char at[RFC3339_LEN];
        time_format_rfc3339(hold, at);
        json_t *users = json_array();
        for (size_t i = 0; i < pg->n; i++)
            json_array_append_new(users, json_string(pg->items[i].user));
        result = timeline_append(tx, x->now, "tocsin", "escalation.held", inc->id,
                                 json_pack("{s:s,s:s,s:s,s:o}", "calendar", cal->id, "timezone",
                                           cal->timezone, "until", at, "users", users),
                                 NULL, err);
    }
    for (size_t i = 0; i < pg->n && result == OK; i++) {
        const struct page *it = &pg->items[i];
        struct buf via;
        buf_init(&via, 2048);
        for (size_t k = 0; k < json_array_size(it->targets); k++)
            buf_printf(&via, "%s%s", k ? ", " : "",
                       json_string_value(json_array_get(it->targets, k)));
        char why[160], note[320], subject[256];
        snprintf(why, sizeof why, "escalation %s (%s)", p ? p->id : "fallback",
                 (via.data ? via.data : ""));
        snprintf(note, sizeof note, "Paged as: %s", (via.data ? via.data : ""));
        struct notify_message m = {.kind = NOTIFY_PAGE,
                                   .key = it->key,
                                   .user = it->user,
                                   .inc = inc,
                                   .reason = why,
                                   .note = note,
                                   .hold_until = hold > x->now ? hold : 0};
        if (!it->page) { /* a flagged breach: a notice, not a page */
            char within[32] = "?";
            if (sev && sev->ack_within >= 0)
                time_format_duration(sev->ack_within, within, sizeof within);
            snprintf(subject, sizeof subject, "[%s] Not acknowledged within %s: %s %s",
                     inc->severity, within, inc->id, inc->title);
            m.kind = NOTIFY_REMINDER;
            m.subject = subject;
        }
        result = page_user(tx, x, inc, m, err);
        buf_free(&via);
    }
    return result;
}

/* A target's users at this moment, added to pg under key (and to *all). */
static json_t *reach(struct esc_ctx *x, const char *target, const char *key, bool page,
                     struct pages *pg, struct users *all)
{
    struct users u = {0};
    json_t *j = resolve_target(x->cfg, &x->ov, target, x->now, &u);
    for (size_t i = 0; i < u.n; i++) {
        pages_add(pg, u.items[i], key, target, page);
        users_add(all, u.items[i]);
    }
    users_free(&u);
    return j;
}

static json_t *fallback(struct esc_ctx *x, const struct incident *inc, const char *key,
                        struct pages *pg);

/* The step of a fire: its targets' users go into pg; a step (timed, manual, or fired by a breach
 * with `next`) is on the timeline as escalation.step; a breach's re-page or target adds its
 * targets to *breach_targets instead. */
static enum result fire_step(struct store_conn *tx, struct esc_ctx *x,
                             const struct config_escalation_policy *p, const struct incident *inc,
                             const struct escalation_fire *f, struct pages *pg,
                             json_t *breach_targets, struct users *breach_users, struct error *err)
{
    bool is_step = f->action == ESC_ACT_NEXT;
    bool page = f->action != ESC_ACT_FLAG;
    struct users all = {0};
    json_t *targets = json_array();
    if (f->step < 0) {
        json_array_append_new(targets, reach(x, f->target, f->key, page, pg, &all));
    } else {
        const struct config_escalation_step *step = &p->steps[f->step];
        for (size_t i = 0; i < step->notify.count; i++)
            json_array_append_new(targets, reach(x, step->notify.items[i], f->key, page, pg, &all));
    }
    if (!is_step || f->reason == ESC_ACK_BREACH || f->reason == ESC_RESOLVE_BREACH) {
        for (size_t i = 0; i < all.n; i++)
            users_add(breach_users, all.items[i]);
        if (!is_step) {
            json_array_extend(breach_targets, targets);
            json_decref(targets);
            users_free(&all);
            return OK;
        }
    }
    json_t *data =
        json_pack("{s:s,s:i,s:i,s:s,s:s,s:O,s:o,s:s?}", "policy", p->id, "round", f->round + 1,
                  "step", f->step + 1, "reason", escalation_reason_name(f->reason), "key", f->key,
                  "targets", targets, "users", users_json(&all), "message", x->reason);
    json_decref(targets);
    if (!all.n && page) { /* nobody on call in its schedule (or an empty team): the fallback */
        log_warn("escalate: %s step %d of %s reaches nobody; paging the fallback", inc->id,
                 f->step + 1, p->id);
        json_object_set_new(data, "fallback", fallback(x, inc, f->key, pg));
    }
    if (f->reason == ESC_MANUAL) {
        json_decref(x->step_out);
        x->step_out = json_incref(data);
    }
    users_free(&all);
    return timeline_append(tx, x->now, x->actor, "escalation.step", inc->id, data, NULL, err);
}

/* Nobody reached: the config's fallback target, else the timeline says no one was (and the
 * log). Returns the users paged through the fallback in *fb (JSON array). */
static json_t *fallback(struct esc_ctx *x, const struct incident *inc, const char *key,
                        struct pages *pg)
{
    struct users all = {0};
    json_t *users;
    if (x->cfg->fallback)
        json_decref(reach(x, x->cfg->fallback, key, true, pg, &all));
    if (!all.n)
        log_warn("escalate: %s reaches no one%s", inc->id,
                 x->cfg->fallback ? " (not even the fallback target)" : " (no fallback target)");
    users = users_json(&all);
    users_free(&all);
    return users;
}

/* The breach event: escalation.ack_breach / escalation.resolve_breach {policy, round, action,
 * targets, users, fallback?}. A breach that reached no one pages the fallback. */
static enum result breach_event(struct store_conn *tx, struct esc_ctx *x,
                                const struct config_escalation_policy *p,
                                const struct incident *inc, const struct escalation_state *st,
                                bool resolve, enum escalation_action a, json_t *targets,
                                const struct users *reached, struct pages *pg, struct error *err)
{
    const struct config_severity *sev = config_severity_find(x->cfg, inc->severity);
    int64_t within = sev ? (resolve ? sev->resolve_within : sev->ack_within) : -1;
    char w[32] = "";
    if (within >= 0)
        time_format_duration(within, w, sizeof w);
    json_t *data = json_pack("{s:s,s:i,s:s,s:s,s:O,s:o}", "policy", p->id, "round", st->round + 1,
                             "action", escalation_action_name(a), "within", w, "targets", targets,
                             "users", users_json(reached));
    if (!reached->n) {
        char key[48];
        snprintf(key, sizeof key, "%s:fallback", resolve ? "resolvebreach" : "ackbreach");
        json_object_set_new(data, "fallback", fallback(x, inc, key, pg));
    }
    return timeline_append(tx, x->now, "tocsin",
                           resolve ? "escalation.resolve_breach" : "escalation.ack_breach", inc->id,
                           data, NULL, err);
}

static bool ticket_only(const struct config_severity *s)
{
    return s && s->notify.count == 1 && strcmp(s->notify.items[0], "ticket") == 0;
}

/* An incident no step of its policy applies to (and that is not ticket-only), in a config that
 * has escalation policies: on the timeline, counted, and the fallback paged. Once, at the first
 * look. */
static enum result unrouted(struct store_conn *tx, struct esc_ctx *x,
                            const struct config_escalation_policy *p, const struct incident *inc,
                            struct pages *pg, struct error *err)
{
    if (!x->cfg->policy_count) /* no policy at all: a config that pages no one by design */
        return OK;
    if (escalation_routes(p, inc) || ticket_only(config_severity_find(x->cfg, inc->severity)))
        return OK;
    x->unrouted++;
    json_t *data =
        json_pack("{s:s?,s:s,s:s?,s:o}", "policy", p ? p->id : NULL, "reason",
                  p ? "no step of the policy applies to the incident"
                    : "no escalation policy (type, service, or \"default\")",
                  "fallback_target", x->cfg->fallback, "users", fallback(x, inc, "fallback:0", pg));
    return timeline_append(tx, x->now, "tocsin", "escalation.unrouted", inc->id, data, NULL, err);
}

/* The cadence reminder: the comms lead, else the commander, else whoever the first step pages. */
static enum result remind(struct store_conn *tx, struct esc_ctx *x,
                          const struct config_escalation_policy *p, const struct incident *inc,
                          int64_t due, struct error *err)
{
    struct users u = {0};
    const char *lead =
        inc->roles[ROLE_COMMS_LEAD] ? inc->roles[ROLE_COMMS_LEAD] : inc->roles[ROLE_COMMANDER];
    if (lead) {
        users_add(&u, lead);
    } else if (p) {
        for (size_t i = 0; i < p->step_count && !u.n; i++) {
            if (!escalation_step_applies(&p->steps[i], inc))
                continue;
            for (size_t t = 0; t < p->steps[i].notify.count; t++)
                json_decref(
                    resolve_target(x->cfg, &x->ov, p->steps[i].notify.items[t], x->now, &u));
        }
    }
    char key[48], due_s[40], subject[256], text[1024];
    snprintf(key, sizeof key, "reminder:%lld", (long long)due);
    time_format_rfc3339(due, due_s);
    snprintf(subject, sizeof subject, "[%s] Status update due: %s %s", inc->severity, inc->id,
             inc->title);
    snprintf(text, sizeof text,
             "The next status update for %s (%s, %s) was due at %s and none was posted.\n"
             "Post one: tocsin status %s %s -m \"...\" --public\n",
             inc->id, inc->severity, incident_status_name(inc->status), due_s, inc->id,
             incident_status_name(inc->status));
    json_t *data =
        json_pack("{s:s,s:o,s:s}", "due_at", due_s, "to", users_json(&u), "role",
                  lead ? (inc->roles[ROLE_COMMS_LEAD] ? "comms_lead" : "commander") : "on_call");
    enum result result =
        timeline_append(tx, x->now, "tocsin", "update.reminder", inc->id, data, NULL, err);
    struct notify_message m = {.kind = NOTIFY_REMINDER,
                               .key = key,
                               .inc = inc,
                               .subject = subject,
                               .text = text,
                               .reason = "status update due"};
    if (result == OK)
        result = page_users(tx, x, inc, &u, m, err);
    users_free(&u);
    return result;
}

/* The policy of a state, choosing it (and saying so) on the first look. */
static const struct config_escalation_policy *state_policy(struct store_conn *tx, struct esc_ctx *x,
                                                           const struct incident *inc,
                                                           struct escalation_state *st,
                                                           enum result *result, struct error *err)
{
    *result = OK;
    if (st->started)
        return st->policy[0] ? config_policy_find(x->cfg, st->policy) : NULL;
    const struct config_escalation_policy *p = escalation_policy_for(x->cfg, inc);
    st->started = true;
    snprintf(st->policy, sizeof st->policy, "%s", p ? p->id : "");
    if (p)
        *result = timeline_append(tx, x->now, "tocsin", "escalation.started", inc->id,
                                  json_pack("{s:s}", "policy", p->id), NULL, err);
    return p;
}

static enum result process_one(struct store_conn *tx, struct esc_ctx *x, const char *id,
                               bool manual, struct error *err)
{
    struct incident inc = {0};
    struct escalation_state st;
    struct pages pg = {0};
    enum result result = store_incident_get(tx, id, &inc);
    if (result != OK)
        return error_set(err, result, "incident %s: %s", id,
                         result == ERR_NOT_FOUND ? "no such incident" : "cannot be read");
    result = store_escalation_get(tx, id, &st);
    if (result == ERR_NOT_FOUND) { /* created before escalations existed */
        escalation_state_init(&st, &inc);
        result = store_escalation_arm(tx, id, inc.created_at, x->now);
    }
    if (result != OK) {
        error_set(err, result, "store: cannot read the escalation of %s", id);
        goto out;
    }
    bool first = !st.started;
    const struct config_escalation_policy *p = state_policy(tx, x, &inc, &st, &result, err);
    if (result == OK && first && inc.status == INC_TRIGGERED)
        result = unrouted(tx, x, p, &inc, &pg, err);
    int ticket = 0;
    if (result == OK && incident_status_is_open(inc.status))
        result = notify_enqueue_ticket(tx, x->cfg, &inc, x->now, &ticket, err);
    x->queued += ticket;
    if (result != OK)
        goto out;
    if (manual && !incident_status_is_open(inc.status)) {
        result = error_set(err, ERR_CONFLICT, "incident %s is %s: only an open incident escalates",
                           id, incident_status_name(inc.status));
        goto out;
    }
    if (manual && !p) {
        result = error_set(err, ERR_UNPROCESSABLE,
                           "incident %s has no escalation policy (its type and service name "
                           "none, and there is no policy \"default\")",
                           id);
        goto out;
    }
    struct escalation_plan plan;
    escalation_evaluate(p, config_severity_find(x->cfg, inc.severity), &inc, &st, x->now, manual,
                        &plan);
    json_t *bt[2] = {json_array(), json_array()}; /* the ack and the resolve breach's targets */
    struct users bu[2] = {{0}, {0}};
    for (size_t i = 0; i < plan.nfires && result == OK; i++) {
        int b = plan.fires[i].reason == ESC_RESOLVE_BREACH;
        result = fire_step(tx, x, p, &inc, &plan.fires[i], &pg, bt[b], &bu[b], err);
    }
    if (result == OK && plan.ack_breach)
        result = breach_event(tx, x, p, &inc, &st, false, plan.ack_action, bt[0], &bu[0], &pg, err);
    if (result == OK && plan.resolve_breach)
        result =
            breach_event(tx, x, p, &inc, &st, true, plan.resolve_action, bt[1], &bu[1], &pg, err);
    for (int b = 0; b < 2; b++) {
        json_decref(bt[b]);
        users_free(&bu[b]);
    }
    if (result == OK)
        result = pages_send(tx, x, p, &inc, &pg, err);
    if (result == OK && plan.remind)
        result = remind(tx, x, p, &inc, plan.remind_for, err);
    if (result == OK && (result = store_escalation_put(tx, id, &st, x->now)) != OK)
        error_set(err, result, "store: cannot save the escalation of %s", id);
out:
    pages_free(&pg);
    incident_free_fields(&inc);
    return result;
}

/* ---- jobs ---- */

/* Incident ids read from the due rows (owned; the reader frees them). */
struct id_list {
    char *ids[DUE_BATCH];
    size_t n;
};

static int collect_id(const char *id, void *arg)
{
    struct id_list *l = arg;
    if (l->n < DUE_BATCH)
        l->ids[l->n++] = xstrdup(id);
    return 0;
}

struct due_job {
    struct esc_ctx x;
    struct id_list due; /* filled by the job */
};

/* Reads the due rows inside the write transaction: on PostgreSQL every node's write transaction
 * holds the write lock (store/pg/pg.c), so the rows read here are this node's alone until the
 * commit moves their deadlines; another node that reads after the commit no longer sees them due
 * (docs/internals/multinode.md). */
static enum result due_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct due_job *j = arg;
    j->x.queued = 0;
    j->x.unrouted = 0;
    j->x.dropped = 0;
    enum result result = store_escalation_due(tx, j->x.now, DUE_BATCH, collect_id, &j->due);
    if (result != OK)
        return error_set(err, result, "store: cannot read the due escalations");
    if (!j->due.n)
        return OK;
    result = escalate_overrides_load(tx, j->x.now, j->x.now + 1, &j->x.ov, err);
    for (size_t i = 0; i < j->due.n && result == OK; i++)
        result = process_one(tx, &j->x, j->due.ids[i], false, err);
    oncall_overrides_free(&j->x.ov);
    return result;
}

/* One due incident in its own transaction (after a batch failed): skipped when it is no longer
 * due (another node, or an earlier try, did it). */
struct one_job {
    struct esc_ctx x;
    const char *id;
};

static enum result one_due_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct one_job *j = arg;
    j->x.queued = 0;
    j->x.unrouted = 0;
    j->x.dropped = 0;
    struct escalation_state st;
    enum result result = store_escalation_get(tx, j->id, &st);
    if (result == OK && st.due_at > j->x.now)
        return OK;
    if (result != OK && result != ERR_NOT_FOUND)
        return error_set(err, result, "store: cannot read the escalation of %s", j->id);
    result = escalate_overrides_load(tx, j->x.now, j->x.now + 1, &j->x.ov, err);
    if (result == OK)
        result = process_one(tx, &j->x, j->id, false, err);
    oncall_overrides_free(&j->x.ov);
    return result;
}

struct defer_job {
    const char *id;
    int64_t now;
};

static enum result defer_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct defer_job *j = arg;
    struct escalation_state st;
    enum result result = store_escalation_get(tx, j->id, &st);
    if (result == ERR_NOT_FOUND)
        return OK;
    if (result == OK) {
        st.due_at = j->now + POISON_RETRY_MS;
        result = store_escalation_put(tx, j->id, &st, j->now);
    }
    return result == OK ? OK : error_set(err, result, "store: cannot defer %s", j->id);
}

/* A batch failed: each due incident on its own, so one that fails every time (a poison row: its
 * incident unreadable, its policy unusable) is logged and deferred by POISON_RETRY_MS while the
 * others are paged now. */
static void isolate(struct app *app, const struct config *cfg, struct store_conn *rd, int64_t now,
                    int *queued)
{
    struct id_list l = {.n = 0};
    if (store_escalation_due(rd, now, DUE_BATCH, collect_id, &l) != OK)
        return;
    enum result results[DUE_BATCH];
    bool any_ok = false;
    for (size_t i = 0; i < l.n; i++) {
        struct error err = {0};
        struct one_job j = {.x = {.app = app, .cfg = cfg, .now = now, .actor = "tocsin"},
                            .id = l.ids[i]};
        results[i] = store_write(app->store, one_due_job, &j, &err);
        if (results[i] == OK) {
            any_ok = true;
            *queued += j.x.queued;
            metrics_count_unrouted(app->metrics, j.x.unrouted);
            metrics_count_dropped(app->metrics, j.x.dropped);
        } else {
            log_error("escalate: incident %s: %s", l.ids[i], err.message);
        }
    }
    /* Deferred: what failed on its own while the store worked (another incident's write
     * committed, or the failure was not the store's). When every write failed for want of the
     * store, nothing is deferred: all of it is tried again in a second. */
    for (size_t i = 0; i < l.n; i++) {
        if (results[i] != OK && (any_ok || results[i] != ERR_UNAVAILABLE)) {
            struct error err = {0};
            struct defer_job d = {.id = l.ids[i], .now = now};
            if (store_write(app->store, defer_job, &d, &err) == OK)
                log_error("escalate: incident %s tried again in %lld s; the others went on",
                          l.ids[i], (long long)(POISON_RETRY_MS / 1000));
            else
                log_error("escalate: %s", err.message);
        }
        free(l.ids[i]);
    }
}

int64_t escalate_pass(struct app *app, const struct config *cfg, int64_t now, int *queued)
{
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    if (!c)
        return now + 1000;
    int64_t at = -1;
    if (store_escalation_next_due(c, &at) != OK)
        return now + 1000;
    for (int b = 0; at >= 0 && at <= now && b < MAX_BATCHES; b++) {
        struct due_job j = {.x = {.app = app, .cfg = cfg, .now = now, .actor = "tocsin"}};
        enum result result = store_write(app->store, due_job, &j, &err);
        size_t n = j.due.n;
        for (size_t i = 0; i < n; i++)
            free(j.due.ids[i]);
        if (result != OK) {
            log_error("escalate: %s", err.message[0] ? err.message : "cannot read due escalations");
            isolate(app, cfg, c, now, queued);
            return now + 1000; /* what is left: again in a second */
        }
        *queued += j.x.queued;
        metrics_count_unrouted(app->metrics, j.x.unrouted);
        metrics_count_dropped(app->metrics, j.x.dropped);
        if (n < DUE_BATCH)
            break;
    }
    if (store_escalation_next_due(c, &at) != OK)
        return now + 1000;
    return at < 0 ? INT64_MAX : at <= now ? now + 1000 : at;
}

struct now_job {
    struct esc_ctx x;
    const char *id;
};

static enum result now_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct now_job *j = arg;
    enum result result = escalate_overrides_load(tx, j->x.now, j->x.now + 1, &j->x.ov, err);
    if (result == OK)
        result = process_one(tx, &j->x, j->id, true, err);
    oncall_overrides_free(&j->x.ov);
    return result;
}

enum result escalate_now(struct app *app, const struct config *cfg, const char *incident_id,
                         const char *actor, const char *reason, json_t **step_out,
                         struct error *err)
{
    struct now_job j = {.x = {.app = app,
                              .cfg = cfg,
                              .now = clock_now(app->clock),
                              .actor = actor,
                              .reason = reason},
                        .id = incident_id};
    enum result result = store_write(app->store, now_job, &j, err);
    if (result == OK)
        metrics_count_dropped(app->metrics, j.x.dropped);
    if (result == OK && j.x.queued && app->notifier)
        notifier_kick(app->notifier);
    if (result == OK && app->engine)
        engine_kick(app->engine); /* the next deadline may have moved */
    *step_out = result == OK ? j.x.step_out : NULL;
    if (result != OK)
        json_decref(j.x.step_out);
    return result;
}

json_t *escalate_state_json(struct store_conn *c, const struct incident *inc)
{
    struct escalation_state st;
    if (store_escalation_get(c, inc->id, &st) != OK)
        return NULL;
    bool open = incident_status_is_open(inc->status); /* derived: the stored state may lag */
    char due[40] = "";
    if (open && st.due_at > 0)
        time_format_rfc3339(st.due_at, due);
    return json_pack("{s:s?,s:s,s:i,s:i,s:s?,s:b,s:b}", "policy",
                     st.started && st.policy[0] ? st.policy : NULL, "state",
                     open ? "active" : "done", "round", st.round + 1, "next_step", st.next_step + 1,
                     "next_at", due[0] ? due : NULL, "ack_breach_escalated", st.ack_breach_done,
                     "resolve_breach_escalated", st.resolve_breach_done);
}

json_t *escalate_target_users(const struct config *cfg, const struct oncall_overrides *ov,
                              const char *target, int64_t now)
{
    struct users u = {0};
    json_decref(resolve_target(cfg, ov, target, now, &u));
    json_t *a = users_json(&u);
    users_free(&u);
    return a;
}
