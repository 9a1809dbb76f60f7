/*
 * incident_ops: incident changes as store operations, shared by the API handlers (people) and
 * alert ingest (machines). Each function runs inside a store writer job: it applies the pure
 * transition from incident.c, writes the incident and appends the timeline entry, in the caller's
 * transaction. Threads: the store writer thread only.
 */
#ifndef TOCSIN_INCIDENT_OPS_H
#define TOCSIN_INCIDENT_OPS_H

#include <jansson.h>

#include "domain/incident.h"
#include "store/store.h"

struct incident_new {
    const char *title;
    const char *severity;
    const char *service; /* may be NULL */
    const char *type;    /* may be NULL */
    const char *summary; /* may be NULL */
    bool drill;
    const char *group_key; /* set when alerts open it */
    bool auto_resolve;
    const struct config *cfg; /* its checklists are attached (jobs/checklists.h); NULL: none */
};

/* Makes the engine look at the incident's escalation at `now` (paging starts, or is re-planned):
 * declare, severity change and reopen call it; so must any other path that makes them. */
enum result incident_ops_arm(struct store_conn *tx, const struct incident *inc, int64_t now,
                             struct error *err);
/* Allocates the day's next id, inserts the incident, appends incident.declared. */
enum result incident_ops_declare(struct store_conn *tx, int64_t now, const char *actor,
                                 const struct incident_new *n, struct incident *out,
                                 struct error *err);
/* The timeline kind of a move: incident.acknowledged, .resolved, .reopened, .closed or
 * .status_changed. */
const char *incident_ops_status_kind(enum incident_status from, enum incident_status to);
/* Moves an open or resolved incident to `to` (not closed), saves it, appends the entry with
 * {from, to, message?}. */
enum result incident_ops_move(struct store_conn *tx, struct incident *inc, enum incident_status to,
                              int64_t now, const char *actor, const char *message,
                              struct error *err);
/* Acknowledgement from a page (ack link, SMS reply): reads incident `id` into *inc (the caller
 * frees its fields when OK) and acknowledges it as actor when it is still triggered (*acked); an
 * incident already acknowledged or later is left as it is. ERR_NOT_FOUND (err not set) when there
 * is no such incident. */
enum result incident_ops_ack_triggered(struct store_conn *tx, const char *id, int64_t now,
                                       const char *actor, struct incident *inc, bool *acked,
                                       struct error *err);
/* Changes the severity, saves it, re-arms its escalation (the new severity's clocks and step
 * conditions), appends incident.severity_changed with {from, to, reason (omitted when NULL)},
 * attaches the checklists of cfg that apply now (cfg NULL: none), fills the roles still empty
 * that cfg's `roles:` gives for the new severity (jobs/incident_roles.h: a role someone holds is
 * never replaced), and runs the config's rules
 * (jobs/incident_rules.h). incident_ops_change_severity: the same without the rules (a rule's
 * own set_severity). */
enum result incident_ops_set_severity(struct store_conn *tx, const struct config *cfg,
                                      struct incident *inc, const char *severity, int64_t now,
                                      const char *actor, const char *reason, struct error *err);
enum result incident_ops_change_severity(struct store_conn *tx, const struct config *cfg,
                                         struct incident *inc, const char *severity, int64_t now,
                                         const char *actor, const char *reason, struct error *err);

/* Gives inc's role to user (NULL: unassigns), appends incident.role_assigned {role, user,
 * previous} plus the members of `extra` (stolen; NULL: none: roles filled from the config add
 * {automatic: true, source, backup_used}), and ticks the "commander assigned" checklist item. The
 * one path for a person (PUT /api/v1/incidents/{id}/roles/{role}) and for the config's `roles:`
 * (jobs/incident_roles.c). The caller saves inc. */
enum result incident_ops_assign_role(struct store_conn *tx, struct incident *inc,
                                     enum incident_role role, const char *user, int64_t now,
                                     const char *actor, json_t *extra, struct error *err);

#endif
