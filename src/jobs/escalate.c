/*
 * escalate: see escalate.h.
 */
#include "jobs/escalate.h"
#include "runtime/engine.h"
#include "domain/escalation_policy.h"
#include "jobs/notify_enqueue.h"
#include "runtime/notifier.h"
#include "domain/oncall.h"
#include "jobs/timeline.h"
#include "util/log.h"
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

/* One step target ("schedule:ID[/LAYER]", "user:ID", "team:ID") -> its users at `now`, added to
 * all; returns {target, users} for the timeline. */
static json_t *resolve_target(const struct config *cfg, const struct oncall_overrides *ov,
                              const char *target, int64_t now, struct users *all)
{
    struct users u = {0};
    const char *colon = strchr(target, ':');
    const char *id = colon ? colon + 1 : target;
    if (strncmp(target, "schedule:", 9) == 0) {
        char sched[128];
        snprintf(sched, sizeof sched, "%s", id);
        char *slash = strchr(sched, '/');
        if (slash)
            *slash++ = '\0';
        const struct config_schedule *s = config_schedule_find(cfg, sched);
        struct oncall_slot slot;
        if (s && oncall_at(s, slash, ov->items, ov->n, now, &slot) == 0 && slot.user)
            users_add(&u, slot.user);
    } else if (strncmp(target, "user:", 5) == 0) {
        if (config_user_find(cfg, id))
            users_add(&u, config_user_find(cfg, id)->id);
    } else if (strncmp(target, "team:", 5) == 0) {
        const struct config_team *t = team_find(cfg, id);
        for (size_t i = 0; t && i < t->members.count; i++)
            users_add(&u, t->members.items[i]);
    }
    for (size_t i = 0; i < u.n; i++)
        users_add(all, u.items[i]);
    json_t *j = json_pack("{s:s,s:o}", "target", target, "users", users_json(&u));
    users_free(&u);
    return j;
}

/* ---- one incident ---- */

struct esc_ctx {
    struct app *app;
    const struct config *cfg;
    int64_t now;
    struct oncall_overrides ov;
    int queued;
    const char *actor;  /* "tocsin" for timed steps, the person for manual ones */
    const char *reason; /* manual: the person's reason, or NULL */
    json_t *step_out;   /* manual: the last escalation.step data */
};

/* Queues m for each user; a user with no way to reach them is on the timeline, not an error. */
static enum result page_users(struct store_conn *tx, struct esc_ctx *x, const struct incident *inc,
                              const struct users *u, struct notify_message m, struct error *err)
{
    for (size_t i = 0; i < u->n; i++) {
        m.user = u->items[i];
        int q = 0;
        struct error e = {0};
        enum result result = notify_enqueue(tx, x->cfg, &m, x->now, &q, &e);
        if (result == ERR_UNPROCESSABLE || result == ERR_NOT_FOUND) {
            json_t *data =
                json_pack("{s:s,s:s,s:s}", "user", m.user, "key", m.key, "error", e.message);
            result = timeline_append(tx, x->now, "tocsin", "escalation.unreachable",
                                     inc ? inc->id : NULL, data, NULL, err);
        } else if (result != OK) {
            return error_set(err, result, "%s", e.message);
        }
        if (result != OK)
            return result;
        x->queued += q;
    }
    return OK;
}

static enum result fire_step(struct store_conn *tx, struct esc_ctx *x,
                             const struct config_escalation_policy *p, const struct incident *inc,
                             const struct escalation_fire *f, struct error *err)
{
    const struct config_escalation_step *step = &p->steps[f->step];
    struct users all = {0};
    json_t *targets = json_array();
    for (size_t i = 0; i < step->notify.count; i++)
        json_array_append_new(targets,
                              resolve_target(x->cfg, &x->ov, step->notify.items[i], x->now, &all));
    json_t *data =
        json_pack("{s:s,s:i,s:i,s:s,s:s,s:o,s:o,s:s?}", "policy", p->id, "round", f->round + 1,
                  "step", f->step + 1, "reason", escalation_reason_name(f->reason), "key", f->key,
                  "targets", targets, "users", users_json(&all), "message", x->reason);
    if (!all.n)
        log_warn("escalate: %s step %d of %s reaches nobody", inc->id, f->step + 1, p->id);
    if (f->reason == ESC_MANUAL) {
        json_decref(x->step_out);
        x->step_out = json_incref(data);
    }
    enum result result =
        timeline_append(tx, x->now, x->actor, "escalation.step", inc->id, data, NULL, err);
    if (result != OK) {
        users_free(&all);
        return result;
    }
    char why[96];
    snprintf(why, sizeof why, "escalation %s step %d (%s)", p->id, f->step + 1,
             escalation_reason_name(f->reason));
    struct notify_message m = {.kind = NOTIFY_PAGE, .key = f->key, .inc = inc, .reason = why};
    result = page_users(tx, x, inc, &all, m, err);
    users_free(&all);
    return result;
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
    const struct config_escalation_policy *p = state_policy(tx, x, &inc, &st, &result, err);
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
    for (size_t i = 0; i < plan.nfires && result == OK; i++)
        result = fire_step(tx, x, p, &inc, &plan.fires[i], err);
    if (result == OK && plan.remind)
        result = remind(tx, x, p, &inc, plan.remind_for, err);
    if (result == OK && (result = store_escalation_put(tx, id, &st, x->now)) != OK)
        error_set(err, result, "store: cannot save the escalation of %s", id);
out:
    incident_free_fields(&inc);
    return result;
}

/* ---- jobs ---- */

struct due_job {
    struct esc_ctx x;
    char *ids[DUE_BATCH];
    size_t n;
};

static int collect_due(const char *id, void *arg);

/* Reads the due rows inside the write transaction: on PostgreSQL every node's write transaction
 * holds the write lock (store/pg/pg.c), so the rows read here are this node's alone until the
 * commit moves their deadlines; another node that reads after the commit no longer sees them due
 * (docs/internals/multinode.md). */
static enum result due_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct due_job *j = arg;
    j->x.queued = 0;
    for (size_t i = 0; i < j->n; i++)
        free(j->ids[i]);
    j->n = 0;
    enum result result = store_escalation_due(tx, j->x.now, DUE_BATCH, collect_due, j);
    if (result != OK)
        return error_set(err, result, "store: cannot read the due escalations");
    if (!j->n)
        return OK;
    result = escalate_overrides_load(tx, j->x.now, j->x.now + 1, &j->x.ov, err);
    for (size_t i = 0; i < j->n && result == OK; i++)
        result = process_one(tx, &j->x, j->ids[i], false, err);
    oncall_overrides_free(&j->x.ov);
    return result;
}

static int collect_due(const char *id, void *arg)
{
    struct due_job *j = arg;
    if (j->n < DUE_BATCH)
        j->ids[j->n++] = xstrdup(id);
    return 0;
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

/* A batch failed: each due incident on its own, so one that fails every time (a poison row: its
 * incident unreadable, its policy unusable) is logged and deferred by POISON_RETRY_MS while the
 * others are paged now. */
static void isolate(struct app *app, const struct config *cfg, struct store_conn *rd, int64_t now,
                    int *queued)
{
    struct id_list l = {.n = 0};
    if (store_escalation_due(rd, now, DUE_BATCH, collect_id, &l) != OK)
        return;
    for (size_t i = 0; i < l.n; i++) {
        struct error err = {0};
        struct one_job j = {.x = {.app = app, .cfg = cfg, .now = now, .actor = "tocsin"},
                            .id = l.ids[i]};
        if (store_write(app->store, one_due_job, &j, &err) == OK) {
            *queued += j.x.queued;
        } else {
            log_error("escalate: incident %s: %s; tried again in %lld s, the others go on",
                      l.ids[i], err.message, (long long)(POISON_RETRY_MS / 1000));
            struct defer_job d = {.id = l.ids[i], .now = now};
            if (store_write(app->store, defer_job, &d, &err) != OK)
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
        size_t n = j.n;
        for (size_t i = 0; i < n; i++)
            free(j.ids[i]);
        if (result != OK) {
            log_error("escalate: %s", err.message[0] ? err.message : "cannot read due escalations");
            isolate(app, cfg, c, now, queued);
            return now + 1000; /* what is left: again in a second */
        }
        *queued += j.x.queued;
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
