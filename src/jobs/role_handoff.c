/*
 * role_handoff: a schedule's hand-off moves the roles tocsin filled from it (docs/config.md
 * "Roles filled on declare"; a rule's `assign` from a schedule too, "rules"). At a shift change of
 * schedule S (jobs/handoff.c, inside its job), each open incident whose role was last assigned by
 * tocsin automatically from `schedule:S` or `schedule:S/LAYER` (the timeline's last
 * incident.role_assigned for that role) goes to whoever that source resolves to now, through
 * incident_ops_assign_role (actor "tocsin", automatic, reason "schedule hand-off"). A role a person
 * assigned since is never moved; a source that now resolves to nobody, or to the holder, leaves the
 * role as it is. The state is the timeline. Threads: the store writer (inside the hand-off job).
 */
#include "jobs/incident_ops.h"
#include "jobs/incident_roles.h"
#include "store/incidents.h"
#include "store/timeline.h"
#include "util/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { HANDOFF_ROLE_INCIDENTS = 1000 }; /* open incidents looked at per hand-off */

struct open_ids {
    char **ids;
    size_t n;
};

static int collect_open(const struct incident *inc, void *arg)
{
    struct open_ids *o = arg;
    o->ids = xrealloc(o->ids, (o->n + 1) * sizeof *o->ids);
    o->ids[o->n++] = xstrdup(inc->id);
    return 0;
}

/* Whether source names schedule sched (with or without a layer). */
static bool from_schedule(const char *source, const char *sched)
{
    size_t n = strlen(sched);
    return source && strncmp(source, "schedule:", 9) == 0 && strncmp(source + 9, sched, n) == 0 &&
           (source[9 + n] == '\0' || source[9 + n] == '/');
}

struct role_sources {
    const char *sched;
    char *source[ROLE_COUNT]; /* the schedule source of tocsin's last assignment, else NULL */
};

static int scan_entry(const struct timeline_entry *e, void *arg)
{
    struct role_sources *s = arg;
    if (strcmp(e->kind, "incident.role_assigned") != 0)
        return 0;
    json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
    int r = incident_role_parse(json_string_value(json_object_get(d, "role")));
    if (r >= 0 && r < ROLE_COUNT) {
        const char *source = json_string_value(json_object_get(d, "source"));
        free(s->source[r]);
        s->source[r] = NULL;
        if (strcmp(e->actor, "tocsin") == 0 && json_is_true(json_object_get(d, "automatic")) &&
            from_schedule(source, s->sched))
            s->source[r] = xstrdup(source);
    }
    json_decref(d);
    return 0;
}

static enum result move_roles(struct store_conn *tx, const struct config *cfg,
                              const struct oncall_overrides *ov, const char *id, const char *sched,
                              int64_t now, int *moved, struct error *err)
{
    struct incident inc = {0};
    enum result result = store_incident_get(tx, id, &inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", id);
    struct role_sources s = {.sched = sched};
    result = store_timeline_scan(tx, id, scan_entry, &s);
    if (result != OK)
        error_set(err, result, "store: cannot read the timeline of %s", id);
    bool changed = false;
    for (int r = 0; r < ROLE_COUNT && result == OK; r++) {
        if (!s.source[r] || !inc.roles[r])
            continue;
        const char *user = incident_roles_first_user(cfg, ov, s.source[r], now);
        if (!user || strcmp(user, inc.roles[r]) == 0)
            continue;
        result = incident_ops_assign_role(tx, &inc, r, user, now, "tocsin",
                                          json_pack("{s:b,s:s,s:b,s:s}", "automatic", 1, "source",
                                                    s.source[r], "backup_used", 0, "reason",
                                                    "schedule hand-off"),
                                          err);
        changed = changed || result == OK;
        if (result == OK)
            (*moved)++;
    }
    if (result == OK && changed)
        result = store_incident_update(tx, &inc);
    for (int r = 0; r < ROLE_COUNT; r++)
        free(s.source[r]);
    incident_free_fields(&inc);
    return result;
}

enum result incident_roles_handoff(struct store_conn *tx, const struct config *cfg,
                                   const char *sched, int64_t now, int *moved, struct error *err)
{
    *moved = 0;
    bool rule_assigns = false; /* a rule's `assign` fills roles from schedules too */
    for (size_t i = 0; cfg && i < cfg->rule_count && !rule_assigns; i++)
        rule_assigns = cfg->rules[i].assign_count > 0;
    if (!cfg || (!cfg->role_count && !rule_assigns))
        return OK;
    struct open_ids o = {0};
    struct store_incident_filter f = {.statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED) |
                                                  (1 << INC_INVESTIGATING) | (1 << INC_IDENTIFIED) |
                                                  (1 << INC_MONITORING),
                                      .limit = HANDOFF_ROLE_INCIDENTS};
    enum result result = store_incident_list(tx, &f, collect_open, &o);
    if (result != OK)
        error_set(err, result, "store: cannot list the open incidents");
    struct oncall_overrides ov = {0};
    if (result == OK)
        result = escalate_overrides_load(tx, now, now + 1, &ov, err);
    for (size_t i = 0; i < o.n && result == OK; i++)
        result = move_roles(tx, cfg, &ov, o.ids[i], sched, now, moved, err);
    oncall_overrides_free(&ov);
    for (size_t i = 0; i < o.n; i++)
        free(o.ids[i]);
    free(o.ids);
    if (result == OK && *moved)
        log_info("roles: hand-off of %s moved %d role(s) to the incoming on-call", sched, *moved);
    return result;
}
