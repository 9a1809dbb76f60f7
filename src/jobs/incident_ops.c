/* incident_ops: see incident_ops.h. */
#include "jobs/incident_ops.h"
#include "jobs/checklists.h"
#include "jobs/incident_roles.h"
#include "jobs/incident_rules.h"
#include "jobs/timeline.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "store/incidents.h"
#include "store/escalations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum result incident_ops_arm(struct store_conn *tx, const struct incident *inc, int64_t now,
                             struct error *err)
{
    enum result result = store_escalation_arm(tx, inc->id, inc->created_at, now);
    return result == OK ? OK
                        : error_set(err, result, "store: cannot arm the escalation of %s", inc->id);
}

enum result incident_ops_declare(struct store_conn *tx, int64_t now, const char *actor,
                                 const struct incident_new *n, struct incident *out,
                                 struct error *err)
{
    char day[11], key[32], id[INCIDENT_ID_MAX];
    int64_t seq;
    memset(out, 0, sizeof *out); /* an output: zeroed first, so its owner can always free it */
    time_format_day(now, day);
    snprintf(key, sizeof key, "incident:%s", day);
    enum result result = store_counter_next(tx, key, &seq);
    if (result != OK)
        return error_set(err, result, "store: cannot allocate an incident id");
    incident_make_id(now, seq, id);
    incident_init(out, id, n->title, n->severity, n->service, n->type, n->summary, n->drill, now);
    if (n->group_key)
        out->group_key = xstrdup(n->group_key);
    out->auto_resolve = n->auto_resolve;
    result = store_incident_insert(tx, out);
    if (result == OK) {
        json_t *data = json_pack("{s:s,s:s,s:s?,s:s?,s:b,s:s}", "title", n->title, "severity",
                                 n->severity, "service", n->service, "type", n->type, "drill",
                                 n->drill, "channel", out->channel);
        result = timeline_append(tx, now, actor, "incident.declared", id, data, NULL, err);
        if (result == OK)
            result = incident_ops_arm(tx, out, now, err);
        if (result == OK && n->cfg)
            result = checklist_attach(tx, n->cfg, out, now, actor, err);
        if (result == OK && n->cfg && n->cfg->role_count) { /* roles: filled from the config */
            result = incident_roles_fill(tx, n->cfg, out, now, err);
            if (result == OK && (result = store_incident_update(tx, out)) != OK)
                error_set(err, result, "store: cannot update incident %s", id);
        }
        if (result == OK && n->cfg) /* rules: after the roles, which a rule may page */
            result = incident_rules_run(tx, n->cfg, out, now, err);
    } else {
        error_set(err, result, "store: cannot insert incident %s", id);
    }
    if (result != OK)
        incident_free_fields(out);
    return result;
}

const char *incident_ops_status_kind(enum incident_status from, enum incident_status to)
{
    if (to == INC_CLOSED)
        return "incident.closed";
    if (from == INC_RESOLVED && to == INC_ACKNOWLEDGED)
        return "incident.reopened";
    if (to == INC_RESOLVED)
        return "incident.resolved";
    if (from == INC_TRIGGERED && to == INC_ACKNOWLEDGED)
        return "incident.acknowledged";
    return "incident.status_changed";
}

enum result incident_ops_move(struct store_conn *tx, struct incident *inc, enum incident_status to,
                              int64_t now, const char *actor, const char *message,
                              struct error *err)
{
    enum incident_status from = inc->status;
    enum result result = from == INC_TRIGGERED && to == INC_ACKNOWLEDGED
                             ? incident_ack(inc, now, err)
                             : incident_set_status(inc, to, now, err);
    if (result != OK)
        return result;
    result = store_incident_update(tx, inc);
    if (result != OK)
        return error_set(err, result, "store: cannot update incident %s", inc->id);
    if (from == INC_RESOLVED && (result = incident_ops_arm(tx, inc, now, err)) != OK)
        return result;
    json_t *data = json_pack("{s:s,s:s,s:s?}", "from", incident_status_name(from), "to",
                             incident_status_name(to), "message", message);
    return timeline_append(tx, now, actor, incident_ops_status_kind(from, to), inc->id, data, NULL,
                           err);
}

enum result incident_ops_set_severity(struct store_conn *tx, const struct config *cfg,
                                      struct incident *inc, const char *severity, int64_t now,
                                      const char *actor, const char *reason, struct error *err)
{
    enum result result =
        incident_ops_change_severity(tx, cfg, inc, severity, now, actor, reason, err);
    return result == OK ? incident_rules_run(tx, cfg, inc, now, err) : result;
}

enum result incident_ops_change_severity(struct store_conn *tx, const struct config *cfg,
                                         struct incident *inc, const char *severity, int64_t now,
                                         const char *actor, const char *reason, struct error *err)
{
    json_t *data =
        json_pack("{s:s,s:s,s:s*}", "from", inc->severity, "to", severity, "reason", reason);
    enum result result = incident_set_severity(inc, severity, now, err);
    if (result == OK)
        result = store_incident_update(tx, inc);
    if (result == OK)
        result = incident_ops_arm(tx, inc, now, err);
    if (result != OK) {
        json_decref(data);
        return result;
    }
    result = timeline_append(tx, now, actor, "incident.severity_changed", inc->id, data, NULL, err);
    if (result == OK && cfg)
        result = checklist_attach(tx, cfg, inc, now, actor, err);
    if (result == OK && cfg && cfg->role_count) { /* the roles of the new severity still empty */
        result = incident_roles_fill(tx, cfg, inc, now, err);
        if (result == OK && (result = store_incident_update(tx, inc)) != OK)
            error_set(err, result, "store: cannot update incident %s", inc->id);
    }
    return result;
}

enum result incident_ops_ack_triggered(struct store_conn *tx, const char *id, int64_t now,
                                       const char *actor, struct incident *inc, bool *acked,
                                       struct error *err)
{
    *acked = false;
    enum result result = store_incident_get(tx, id, inc);
    if (result == ERR_NOT_FOUND)
        return result;
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %.64s", id);
    if (inc->status == INC_TRIGGERED) {
        result = incident_ops_move(tx, inc, INC_ACKNOWLEDGED, now, actor, NULL, err);
        *acked = result == OK;
    }
    if (result != OK)
        incident_free_fields(inc);
    return result;
}

enum result incident_ops_assign_role(struct store_conn *tx, struct incident *inc,
                                     enum incident_role role, const char *user, int64_t now,
                                     const char *actor, json_t *extra, struct error *err)
{
    char *previous = NULL;
    enum result result = incident_assign(inc, role, user, &previous, now, err);
    if (result != OK) {
        json_decref(extra);
        return result;
    }
    json_t *data = json_pack("{s:s,s:s?,s:s?}", "role", incident_role_name(role), "user", user,
                             "previous", previous);
    free(previous);
    if (extra)
        json_object_update(data, extra);
    json_decref(extra);
    result = timeline_append(tx, now, actor, "incident.role_assigned", inc->id, data, NULL, err);
    if (result == OK && role == ROLE_COMMANDER && user)
        result = checklist_observe(tx, inc->id, CHECK_AUTO_COMMANDER, now, err);
    return result;
}
