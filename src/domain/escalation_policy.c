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

int64_t escalation_round_length(const struct config_escalation_policy *p)
{
    if (!p->step_count)
        return MIN_ROUND_MS;
    int64_t last = p->steps[p->step_count - 1].after;
    int64_t gap = p->step_count > 1 ? last - p->steps[p->step_count - 2].after : last;
    int64_t len = last + gap;
    return len < MIN_ROUND_MS ? MIN_ROUND_MS : len;
}

void escalation_state_init(struct escalation_state *st, const struct incident *inc)
{
    *st = (struct escalation_state){.round_start = inc->created_at};
}

/* The first applicable step at or after `from`, or -1. */
static int next_applicable(const struct config_escalation_policy *p, const struct incident *inc,
                           int from)
{
    for (int i = from; i < (int)p->step_count; i++)
        if (escalation_step_applies(&p->steps[i], inc))
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

static void add_fire(struct escalation_plan *out, int step, int round,
                     enum escalation_reason reason, const char *kind, int n)
{
    if (out->nfires >= ESCALATION_MAX_FIRES)
        return;
    struct escalation_fire *f = &out->fires[out->nfires++];
    f->step = step;
    f->round = round;
    f->reason = reason;
    if (n >= 0)
        snprintf(f->key, sizeof f->key, "%s:%d", kind, n);
    else
        snprintf(f->key, sizeof f->key, "%s:%d:%d", kind, round, step);
}

/* Fires the next step of the round now (key "step:R:I", so its timed firing will not repeat it),
 * or, when `again` and the round has no step left, the last applicable step once more under
 * `kind`. Returns whether something fired. */
static bool fire_next(const struct config_escalation_policy *p, const struct incident *inc,
                      struct escalation_state *st, enum escalation_reason reason, bool again,
                      const char *kind, int n, struct escalation_plan *out)
{
    int i = next_applicable(p, inc, st->next_step);
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

/* Timed steps of a triggered incident; returns the next step time (0 = none). *last_due: the due
 * time of the last step fired now (0 when none). When more are due than a plan holds (a long
 * catch-up of many rounds), *cut is set and the rest are due at the next look (now + 1), in
 * order: none is skipped. */
static int64_t timed_steps(const struct config_escalation_policy *p, const struct incident *inc,
                           struct escalation_state *st, int64_t now, struct escalation_plan *out,
                           int64_t *last_due, bool *cut)
{
    if (next_applicable(p, inc, 0) < 0)
        return 0;
    for (;;) {
        int i = next_applicable(p, inc, st->next_step);
        if (i < 0) {
            if (st->round >= p->repeat)
                return 0;
            int64_t start = st->round_start + escalation_round_length(p);
            if (start > now)
                return start + p->steps[next_applicable(p, inc, 0)].after;
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
        *last_due = due;
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
    if (p && triggered) {
        int64_t last_due = 0;
        min_due(&due, timed_steps(p, inc, st, now, out, &last_due, &cut), now);
        if (!cut && sla.ack_due && !st->ack_breach_done) {
            if (sla.ack_due <= now) {
                st->ack_breach_done = true;
                /* a step due at or after the breach already escalated it */
                if (last_due < sla.ack_due)
                    fire_next(p, inc, st, ESC_ACK_BREACH, false, NULL, -1, out);
            } else {
                min_due(&due, sla.ack_due, now);
            }
        }
    }
    if (p && !cut && sla.resolve_due && !st->resolve_breach_done) {
        if (sla.resolve_due <= now) {
            st->resolve_breach_done = true;
            fire_next(p, inc, st, ESC_RESOLVE_BREACH, true, "resolve", st->round, out);
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
