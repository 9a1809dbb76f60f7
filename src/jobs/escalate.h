/*
 * escalate: carries out what escalation.c decides. For each incident whose escalation is due
 * (store_escalation_due, earliest deadline first) one store job, in one transaction, reads the
 * incident and its escalation state, asks escalation_evaluate what fires now, resolves each
 * step's targets to users (schedule -> who is on call at that moment with the overrides in force,
 * user, team -> its members), queues their pages in the outbox (notify_enqueue, key per step so a
 * replay pages nobody twice), appends escalation.step with every target and user chosen, queues
 * the cadence reminder (comms lead, else commander, else the users the first step pages now), and
 * saves the new state with its next deadline. A crash before the commit leaves the state due
 * again; after it, the pages are rows the notifier will deliver.
 *
 * Threads: escalate_pass on the engine thread; escalate_now on a request
 * thread (tocsin escalate). The jobs run on the store writer.
 */
#ifndef TOCSIN_ESCALATE_H
#define TOCSIN_ESCALATE_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "domain/oncall.h"
#include "store/escalations.h"

/* Fires everything due at `now` (looping until nothing due is left). Returns the next deadline,
 * or INT64_MAX when none; *queued += pages queued (the caller kicks the notifier). */
int64_t escalate_pass(struct app *app, const struct config *cfg, int64_t now, int *queued);

/* Manual escalation: fires the incident's next step now (or its last again). ERR_NOT_FOUND,
 * ERR_CONFLICT (not open), ERR_UNPROCESSABLE (no escalation policy). *step_out receives the
 * escalation.step timeline data (caller decrefs). */
enum result escalate_now(struct app *app, const struct config *cfg, const char *incident_id,
                         const char *actor, const char *reason, json_t **step_out,
                         struct error *err);

/* The live overrides (all schedules) that overlap [from, to), copied into s (free it with
 * oncall_overrides_free): [now, now + 1) for who is on call now; hand-offs need those that ended
 * since the last look too. */
enum result escalate_overrides_load(struct store_conn *c, int64_t from, int64_t to,
                                    struct oncall_overrides *s, struct error *err);

/* The users target ("schedule:ID[/LAYER]", "user:ID", "team:ID") reaches at `now` with the
 * overrides ov, as a JSON array of user ids (new reference; empty when nobody): the same
 * resolution escalation steps use (roles on declare, rules' pages: jobs/incident_rules.c). */
json_t *escalate_target_users(const struct config *cfg, const struct oncall_overrides *ov,
                              const char *target, int64_t now);

/* {policy, state (from the incident's status), round, next_step, next_at, breach flags} of an
 * incident's escalation, or NULL when it has none. */
json_t *escalate_state_json(struct store_conn *c, const struct incident *inc);

#endif
