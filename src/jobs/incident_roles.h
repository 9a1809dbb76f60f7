/*
 * incident_roles: the roles the config fills when an incident is declared (`roles:`,
 * docs/config.md "Roles filled on declare"). For each role still empty, the first matching entry
 * (domain/incident_rules.h): its primary's user at that moment (a schedule's on-call user with the
 * overrides in force, or the user), else its backup's; the assignment goes through
 * incident_ops_assign_role (the path of a manual assignment) as actor "tocsin", marked automatic
 * on the timeline. No one to give it to is loud: incident.role_unfilled on the timeline, a warning
 * in the log and tocsin_roles_unfilled_total.
 * Threads: the store writer thread (inside the declare job); the counter from any thread.
 */
#ifndef TOCSIN_INCIDENT_ROLES_H
#define TOCSIN_INCIDENT_ROLES_H

#include "app/app.h"
#include "config/config.h"
#include "jobs/escalate.h"
#include "domain/incident.h"
#include "store/store.h"

/* Fills inc's empty roles from cfg (NULL or no `roles:`: nothing). The caller saves inc. */
enum result incident_roles_fill(struct store_conn *tx, const struct config *cfg,
                                struct incident *inc, int64_t now, struct error *err);

/* A role no one could be found for: incident.role_unfilled with data (stolen) on inc's timeline,
 * counted in incident_roles_unfilled_total after the commit. The caller logs the warning. */
enum result incident_roles_unfilled(struct store_conn *tx, const struct incident *inc, json_t *data,
                                    int64_t now, struct error *err);

/* Roles no one could be found for since start, counted after the job's commit (a job rolled back
 * and run again counts once: store_tx_count_after_commit). */
unsigned long long incident_roles_unfilled_total(void);

/* The first user target reaches at now (borrowed from cfg), or NULL. */
const char *incident_roles_first_user(const struct config *cfg, const struct oncall_overrides *ov,
                                      const char *target, int64_t now);

/* role_backup.c (engine thread): the roles filled automatically from their primary whose
 * incident is still unacknowledged `backup_after` later move to the backup, once (actor
 * "tocsin", automatic, reason "primary did not acknowledge"). Returns min(next, the next time
 * such a move is due). */
int64_t role_backup_pass(struct app *app, const struct config *cfg, int64_t now, int64_t next);

/* role_handoff.c (inside the hand-off job): the open incidents' roles tocsin filled from
 * schedule `sched` go to whoever that source resolves to now (actor "tocsin", automatic, reason
 * "schedule hand-off"); a role a person assigned since stays. *moved: how many moved. */
enum result incident_roles_handoff(struct store_conn *tx, const struct config *cfg,
                                   const char *sched, int64_t now, int *moved, struct error *err);

#endif
