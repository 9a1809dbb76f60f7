/*
 * escalation: see escalation.h.
 */
#include "domain/escalation_policy.h"

#include <stdio.h>
#include <string.h>

enum { MIN_ROUND_MS = 5 * 60 * 1000 };

static const char *const reason_names[] = {
    [ESC_STEP] = "step",
    [ESC_ACK_BREACH] = "ack_sla_breached",
    [ESC_RESOLVE_BREACH] = "resolve_sla_breached",
    [ESC_MANUAL] = "manual",
};

const char *escalation_reason_name(enum escalation_reason r)
{
    return reason_names[r];
}

const struct config_escalation_policy *escalation_policy_for(const struct config *cfg,
                                                             const struct incident *inc)
{
    const struct config_incident_type *t = inc->type ? config_type_find(cfg, inc->type) : NULL;
    if (t && t->escalation)
        return config_policy_find(cfg, t->escalation);
    const struct config_service *s = inc->service ? config_service_find(cfg, inc->service) : NULL;
    if (s && s->escalation)
        return config_policy_find(cfg, s->escalation);
    return config_policy_find(cfg, "default");
}

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (s && strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

bool escalation_step_applies(const struct config_escalation_step *st, const struct incident *inc)
{
    if (st->when.severity.count && !list_has(&st->when.severity, inc->severity))
        return false;
    if (st->when.type.count && !list_has(&st->when.type, inc->type))
        return false;
    return true;
}

bool escalation_step_until_resolved(const struct config_escalation_step *st)
{
    return st->until && strcmp(st->until, "resolved") == 0;
}

bool escalation_routes(const struct config_escalation_policy *p, const struct incident *inc)
{
    for (size_t i = 0; p && i < p->step_count; i++)
        if (escalation_step_applies(&p->steps[i], inc))
            return true;
    return false;
}

int64_t escalation_round_length(const struct config_escalation_policy *p,
                                const struct incident *inc)
{
    if (p->round > 0)
        return p->round;
    int64_t last = -1, prev = -1;
    for (size_t i = 0; i < p->step_count; i++) {
        if (!escalation_step_applies(&p->steps[i], inc))
            continue;
        int64_t a = p->steps[i].after;
        if (a > last) {
            prev = last;
            last = a;
        }
    }
    if (last < 0)
        return MIN_ROUND_MS;
    int64_t len = last + (prev >= 0 ? last - prev : last);
    return len < MIN_ROUND_MS ? MIN_ROUND_MS : len;
}

static const char *const action_names[] = {
    [ESC_ACT_REPAGE] = "repage",
    [ESC_ACT_NEXT] = "next",
    [ESC_ACT_TARGET] = "target",
    [ESC_ACT_FLAG] = "flag",
};

const char *escalation_action_name(enum escalation_action a)
{
    return action_names[a];
}

enum escalation_action escalation_action_parse(const char *setting, const char **target)
{
    *target = NULL;
    if (!setting || strcmp(setting, "repage") == 0)
        return ESC_ACT_REPAGE;
    if (strcmp(setting, "next") == 0)
        return ESC_ACT_NEXT;
    if (strcmp(setting, "flag") == 0)
        return ESC_ACT_FLAG;
    *target = setting;
    return ESC_ACT_TARGET;
}

const char *escalation_breach_setting(const struct config_escalation_policy *p,
                                      const struct config_severity *sev, bool resolve)
{
    const char *s = sev ? (resolve ? sev->on_resolve_breach : sev->on_ack_breach) : NULL;
    if (!s && p)
        s = resolve ? p->on_resolve_breach : p->on_ack_breach;
    return s;
}

void escalation_state_init(struct escalation_state *st, const struct incident *inc)
{
    *st = (struct escalation_state){.round_start = inc->created_at};
}

/* A step that may fire now: it applies, and the incident is triggered or the step runs until
 * resolved. */
static bool step_live(const struct config_escalation_step *s, const struct incident *inc,
                      bool triggered)
{
    return escalation_step_applies(s, inc) && (triggered || escalation_step_until_resolved(s));
}

/* The first live step at or after `from`, or -1. */
static int next_live(const struct config_escalation_policy *p, const struct incident *inc, int from,
                     bool triggered)
{
    for (int i = from; i < (int)p->step_count; i++)
        if (step_live(&p->steps[i], inc, triggered))
            return i;
    return -1;
}

static int last_applicable(const struct config_escalation_policy *p, const struct incident *inc)
{
    for (int i = (int)p->step_count - 1; i >= 0; i--)
        if (escalation_step_applies(&p->steps[i], inc))
            return i;
    return -1;
}

static struct escalation_fire *add_fire(struct escalation_plan *out, int step, int round,
                                        enum escalation_reason reason, const char *kind, int n)
{
    if (out->nfires >= ESCALATION_MAX_FIRES)
        return NULL;
    struct escalation_fire *f = &out->fires[out->nfires++];
    *f = (struct escalation_fire){
        .step = step, .round = round, .reason = reason, .action = ESC_ACT_NEXT};
    if (n >= 0)
        snprintf(f->key, sizeof f->key, "%s:%d", kind, n);
    else
        snprintf(f->key, sizeof f->key, "%s:%d:%d", kind, round, step);
    return f;
}

/* Fires the next step of the round now (key "step:R:I", so its timed firing will not repeat it),
 * or, when `again` and the round has no step left, the last applicable step once more under
 * `kind`. Returns whether something fired. */
static bool fire_next(const struct config_escalation_policy *p, const struct incident *inc,
                      struct escalation_state *st, enum escalation_reason reason, bool again,
                      const char *kind, int n, struct escalation_plan *out)
{
    int i = next_live(p, inc, st->next_step, true);
    if (i >= 0) {
        add_fire(out, i, st->round, reason, "step", -1);
        st->next_step = i + 1;
        return true;
    }
    if (!again || (i = last_applicable(p, inc)) < 0)
        return false;
    add_fire(out, i, st->round, reason, kind, n);
    return true;
}

/* The current step: every applicable step of the last moment that fired in this round (the
 * steps before next_step whose `after` is the last fired one's); when none has fired yet in
 * this round, the round's first moment. Each is added as a breach fire with `action`. */
static void fire_current(const struct config_escalation_policy *p, const struct incident *inc,
                         const struct escalation_state *st, enum escalation_reason reason,
                         enum escalation_action action, const char *kind,
                         struct escalation_plan *out)
{
    int last = -1, end = st->next_step;
    for (int i = st->next_step - 1; i >= 0 && last < 0; i--)
        if (escalation_step_applies(&p->steps[i], inc))
            last = i;
    if (last < 0) {
        last = next_live(p, inc, 0, true);
        end = (int)p->step_count;
        if (last < 0)
            return;
    }
    int64_t moment = p->steps[last].after;
    for (int i = 0; i < end; i++) {
        if (!escalation_step_applies(&p->steps[i], inc) || p->steps[i].after != moment)
            continue;
        struct escalation_fire *f = add_fire(out, i, st->round, reason, kind, -1);
        if (f)
            f->action = action;
    }
}

/* A breach: its own event (out->*_breach), then its action. */
static void breach(const struct config_escalation_policy *p, const struct config_severity *sev,
                   const struct incident *inc, struct escalation_state *st, bool resolve,
                   struct escalation_plan *out)
{
    const char *target;
    enum escalation_action a =
        escalation_action_parse(escalation_breach_setting(p, sev, resolve), &target);
    enum escalation_reason reason = resolve ? ESC_RESOLVE_BREACH : ESC_ACK_BREACH;
    const char *kind = resolve ? "resolvebreach" : "ackbreach";
    if (resolve) {
        out->resolve_breach = true;
        out->resolve_action = a;
    } else {
        out->ack_breach = true;
        out->ack_action = a;
    }
    if (a == ESC_ACT_TARGET) {
        struct escalation_fire *f = add_fire(out, -1, st->round, reason, kind, st->round);
        if (f) {
            f->action = a;
            f->target = target;
        }
        return;
    }
    if (a == ESC_ACT_NEXT && fire_next(p, inc, st, reason, false, NULL, -1, out))
        return;
    /* next with no step left re-pages the current step: a breach reaches someone */
    fire_current(p, inc, st, reason, a == ESC_ACT_FLAG ? ESC_ACT_FLAG : ESC_ACT_REPAGE, kind, out);
}

/* Timed steps of an open incident; returns the next step time (0 = none). When more are due
 * than a plan holds (a long catch-up of many rounds), *cut is set and the rest are due at the
 * next look (now + 1), in order: none is skipped. New rounds begin only while triggered. */
static int64_t timed_steps(const struct config_escalation_policy *p, const struct incident *inc,
                           struct escalation_state *st, int64_t now, bool triggered,
                           struct escalation_plan *out, bool *cut)
{
    if (next_live(p, inc, 0, true) < 0)
        return 0;
    for (;;) {
        int i = next_live(p, inc, st->next_step, triggered);
        if (i < 0) {
            if (!triggered || st->round >= p->repeat)
                return 0;
            int64_t start = st->round_start + escalation_round_length(p, inc);
            if (start > now)
                return start + p->steps[next_live(p, inc, 0, true)].after;
            st->round++;
            st->next_step = 0;
            st->round_start = start;
            continue;
        }
        int64_t due = st->round_start + p->steps[i].after;
        if (due > now)
            return due;
        if (out->nfires >= ESCALATION_MAX_FIRES) {
            *cut = true;
            return now + 1;
        }
        add_fire(out, i, st->round, ESC_STEP, "step", -1);
        st->next_step = i + 1;
    }
}

static void min_due(int64_t *due, int64_t t, int64_t now)
{
    if (t > now && (!*due || t < *due))
        *due = t;
}

void escalation_evaluate(const struct config_escalation_policy *p,
                         const struct config_severity *sev, const struct incident *inc,
                         struct escalation_state *st, int64_t now, bool manual,
                         struct escalation_plan *out)
{
    memset(out, 0, sizeof *out);
    st->due_at = 0;
    st->done = !incident_status_is_open(inc->status);
    if (st->done)
        return;
    struct incident_sla sla;
    incident_sla(inc, sev, now, &sla);
    bool triggered = inc->status == INC_TRIGGERED;
    int64_t due = 0;

    if (p && manual)
        fire_next(p, inc, st, ESC_MANUAL, true, "manual", ++st->manual_count, out);
    bool cut = false; /* the breaches wait until the timed steps have caught up */
    if (p)
        min_due(&due, timed_steps(p, inc, st, now, triggered, out, &cut), now);
    if (p && triggered && !cut && sla.ack_due && !st->ack_breach_done) {
        if (sla.ack_due <= now) {
            st->ack_breach_done = true;
            breach(p, sev, inc, st, false, out);
        } else {
            min_due(&due, sla.ack_due, now);
        }
    }
    if (p && !cut && sla.resolve_due && !st->resolve_breach_done) {
        if (sla.resolve_due <= now) {
            st->resolve_breach_done = true;
            breach(p, sev, inc, st, true, out);
        } else {
            min_due(&due, sla.resolve_due, now);
        }
    }
    if (sla.next_update_due) {
        /* reminded for this due time already: again every update_every until one is posted */
        int64_t every = sev->update_every, remind_at = sla.next_update_due;
        if (st->reminded_for >= remind_at)
            remind_at = st->reminded_for + every;
        if (remind_at <= now) {
            /* one reminder, for the latest due time (after a long pause, not one per miss) */
            remind_at += (now - remind_at) / every * every;
            out->remind = true;
            out->remind_for = remind_at;
            st->reminded_for = remind_at;
            remind_at += every; /* and the next one is a deadline of its own */
        }
        min_due(&due, remind_at, now);
    }
    st->due_at = due;
}
