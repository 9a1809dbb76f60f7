/*
 * config_fallback: the top-level `fallback:` target ("schedule:ID", "user:ID"...): who is paged
 * when an incident routes to no one. Owns the routing check: every combination of a severity, an
 * incident type (or none) and a service (or none) must reach someone through its escalation
 * policy (the type's, else the service's, else "default") with a step whose `when` matches, or
 * the config must set `fallback`. A ticket-only severity (`notify: [ticket]`) pages nobody on
 * purpose and is not checked, unless it has an ack clock: its breach must reach someone. A config
 * with no escalation policy at all pages no one by design and is not checked either (nor are its
 * incidents `escalation.unrouted` at run time).
 * Threads: none (runs inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ROUTE_ERRORS = 8 };

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (s && strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

static bool ticket_only(const struct config_severity *s)
{
    return s->notify.count == 1 && strcmp(s->notify.items[0], "ticket") == 0;
}

/* Whether a step of the policy named pid matches (severity, type). A policy that does not exist
 * counts as routed: its reference error is reported on its own. */
static bool routes(const struct config *c, const char *pid, const char *sev, const char *type)
{
    config_parse_count_compare(); /* one routing check: test_config_scale counts them */
    const struct config_escalation_policy *p =
        config_section_find(c, &config_section_escalation_policies, pid);
    if (!p)
        return strcmp(pid, "default") != 0;
    for (size_t i = 0; i < p->step_count; i++) {
        const struct config_condition *w = &p->steps[i].when;
        if (w->severity.count && !list_has(&w->severity, sev))
            continue;
        if (w->type.count && !list_has(&w->type, type))
            continue;
        return true;
    }
    return false;
}

struct route_check {
    struct cfg_ctx *ctx;
    const struct config *c;
    int errors;
    size_t missed;
};

/* Reports that (s, t, v) reaches nobody through policy pid, unless it pages nobody on purpose. */
static void report_unrouted(struct route_check *rc, const struct config_severity *s,
                            const struct config_incident_type *t, const struct config_service *v,
                            const char *pid)
{
    if (ticket_only(s) && s->ack_within < 0)
        return;
    if (s->on_ack_breach && strchr(s->on_ack_breach, ':') && ticket_only(s))
        return; /* the breach has its own target; the incident itself pages nobody on purpose */
    rc->missed++;
    if (rc->errors++ >= MAX_ROUTE_ERRORS)
        return;
    config_parse_error(rc->ctx, s->line,
                       "severity %s, %s%s, %s%s routes to no one: escalation policy \"%s\" %s%s; "
                       "add a step, or set a top-level `fallback:` target",
                       s->id, t ? "type " : "no type", t ? t->id : "",
                       v ? "service " : "no service", v ? v->id : "", pid,
                       config_section_find(rc->c, &config_section_escalation_policies, pid)
                           ? "has no step for it"
                           : "does not exist",
                       ticket_only(s) ? " (ticket-only, but its ack_within breach must reach "
                                        "someone)"
                                      : "");
}

/* The services that share one escalation policy (their own, else "default"): the check of a
 * (severity, type) pair runs once per group, not once per service (issue 14 item 8: 40,000
 * severities times 4,000 services was 160 million policy walks). members index a sorted array. */
struct policy_group {
    const char *pid;
    size_t first, count; /* in service_order */
};

static const char *service_pid(const struct config_service *v)
{
    return v->escalation ? v->escalation : "default";
}

static int service_order_cmp(const void *a, const void *b, void *arg)
{
    const struct config *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int d = strcmp(service_pid(&c->services[x]), service_pid(&c->services[y]));
    return d ? d : (x < y ? -1 : x > y);
}

static int group_order(const void *a, const void *b, void *arg)
{
    const size_t *order = arg;
    size_t x = order[((const struct policy_group *)a)->first];
    size_t y = order[((const struct policy_group *)b)->first];
    return x < y ? -1 : x > y;
}

/* Groups c's services by policy: *order holds the service indices sorted by (policy, index);
 * the groups come in the order of their first service. Returns the group count. */
static size_t group_services(const struct config *c, size_t **order, struct policy_group **groups)
{
    size_t n = c->service_count;
    *order = xmalloc((n ? n : 1) * sizeof **order);
    *groups = xmalloc((n ? n : 1) * sizeof **groups);
    for (size_t i = 0; i < n; i++)
        (*order)[i] = i;
    qsort_r(*order, n, sizeof **order, service_order_cmp, (void *)c);
    size_t g = 0;
    for (size_t i = 0; i < n; i++) {
        const char *pid = service_pid(&c->services[(*order)[i]]);
        if (g && strcmp((*groups)[g - 1].pid, pid) == 0) {
            (*groups)[g - 1].count++;
            continue;
        }
        (*groups)[g++] = (struct policy_group){pid, i, 1};
    }
    qsort_r(*groups, g, sizeof **groups, group_order, *order);
    return g;
}

static void check_pair(struct route_check *rc, const struct config_severity *s,
                       const struct config_incident_type *t, const size_t *order,
                       const struct policy_group *groups, size_t ngroups)
{
    const struct config *c = rc->c;
    const char *tid = t ? t->id : NULL;
    if (t && t->escalation) { /* the type's policy, whatever the service */
        if (!routes(c, t->escalation, s->id, tid))
            report_unrouted(rc, s, t, NULL, t->escalation);
        return;
    }
    for (size_t g = 0; g < ngroups; g++) {
        if (routes(c, groups[g].pid, s->id, tid))
            continue;
        for (size_t k = 0; k < groups[g].count; k++)
            report_unrouted(rc, s, t, &c->services[order[groups[g].first + k]], groups[g].pid);
    }
    if (!routes(c, "default", s->id, tid))
        report_unrouted(rc, s, t, NULL, "default");
}

static void fallback_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root,
                            struct config *c)
{
    (void)root;
    if (c->fallback || !c->policy_count)
        return; /* no policy at all: a config that pages no one by design (not checked) */
    if (ctx->error_count)
        return; /* checked once the rest is right: a broken step would only add noise */
    struct route_check rc = {.ctx = ctx, .c = c};
    size_t *order;
    struct policy_group *groups;
    size_t ngroups = group_services(c, &order, &groups);
    for (size_t s = 0; s < c->severity_count; s++)
        for (size_t t = 0; t <= c->type_count; t++)
            check_pair(&rc, &c->severities[s], t < c->type_count ? &c->types[t] : NULL, order,
                       groups, ngroups);
    free(order);
    free(groups);
    if (rc.missed > MAX_ROUTE_ERRORS)
        config_parse_error(ctx, 0, "%zu more severity/type/service combinations route to no one",
                           rc.missed - MAX_ROUTE_ERRORS);
}

const struct cfg_section config_section_fallback = {
    .field = FLD(struct config, "fallback", fallback, CFG_STR, .ref = &config_target_ref),
    .finish = fallback_finish,
};
