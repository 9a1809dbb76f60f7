/*
 * escalation: which escalation steps an incident's state calls for at `now` (pure: no I/O, no
 * clock; the engine reads the store, calls escalation_evaluate, and writes what it decided).
 *
 * Every incident has one escalation state (a row in the store, armed when it is declared). One
 * evaluation, given the policy, the severity, the incident and the state:
 *
 *   resolved/closed ........................ done: nothing fires, nothing is due.
 *   triggered (not acknowledged) ........... every step whose time has come fires, in order:
 *                                            step i is due at round_start + steps[i].after;
 *                                            steps whose `when` does not match are skipped.
 *     ack_within passed, and no step due at
 *     or after that moment fired ........... the next step fires early (reason ack_sla_breached).
 *     last step done, round < repeat ....... a new round starts round_length() after the last
 *                                            one began (see escalation_round_length).
 *   acknowledged or later .................. no more timed steps.
 *   open past resolve_within (once) ........ the next step fires, or the last one again
 *                                            (reason resolve_sla_breached), acknowledged or not.
 *   manual (tocsin escalate) ............... the next step fires now, or the last one again.
 *   open, update due, not yet reminded ..... a cadence reminder (the engine picks who); while no
 *                                            update is posted, again every update_every (the next
 *                                            reminder is always a deadline; after a pause longer
 *                                            than update_every, one reminder for the latest due).
 *
 * Each fire carries a key that makes it unique per incident ("step:ROUND:INDEX",
 * "resolve:ROUND:INDEX", "manual:N"): the outbox refuses a second row with the same key, so a
 * step replayed after a crash pages nobody twice.
 *
 * Invariants: 0 <= next_step <= step_count; round <= policy repeat; due_at is 0 or the earliest
 * future time at which an evaluation can change something.
 * Threads: any (pure).
 */
#ifndef TOCSIN_ESCALATION_H
#define TOCSIN_ESCALATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"

enum { ESCALATION_KEY_MAX = 48, ESCALATION_MAX_FIRES = 64 };

enum escalation_reason {
    ESC_STEP,           /* the step's time came */
    ESC_ACK_BREACH,     /* not acknowledged within the severity's ack_within */
    ESC_RESOLVE_BREACH, /* still open past resolve_within */
    ESC_MANUAL,         /* tocsin escalate */
};

struct escalation_state {
    bool started;        /* evaluated once: the policy is chosen (the engine sets it) */
    char policy[65];     /* the policy id chosen at the first evaluation (a config id: at most
                            64 characters, kept whole); "" = none */
    int round;           /* 0-based */
    int next_step;       /* first step index not yet considered in this round */
    int64_t round_start; /* time origin of the round (the incident's created_at for round 0) */
    bool ack_breach_done, resolve_breach_done;
    int64_t reminded_for; /* the next_update_due value a reminder went out for; 0 = none */
    int manual_count;
    int64_t due_at; /* 0 = nothing will change without an event */
    bool done; /* the incident is resolved or closed (set by escalation_evaluate; not stored) */
};

struct escalation_fire {
    int step; /* index into policy->steps */
    int round;
    enum escalation_reason reason;
    char key[ESCALATION_KEY_MAX];
};

struct escalation_plan {
    struct escalation_fire fires[ESCALATION_MAX_FIRES];
    size_t nfires;
    bool remind;        /* a cadence reminder is due */
    int64_t remind_for; /* the next_update_due it is for */
};

const char *escalation_reason_name(enum escalation_reason r);

/* The policy an incident follows: its type's `escalation`, else its service's, else a policy
 * with id "default", else NULL (no paging; reminders still run). */
const struct config_escalation_policy *escalation_policy_for(const struct config *cfg,
                                                             const struct incident *inc);
/* Whether a step's `when` matches the incident's severity and type. */
bool escalation_step_applies(const struct config_escalation_step *st, const struct incident *inc);
/* The length of one round: the last step's `after` plus the gap before it (the last target gets
 * as long as the one before it had), at least 5 minutes. */
int64_t escalation_round_length(const struct config_escalation_policy *p);

/* Starts a state for an incident (round 0 from its creation). */
void escalation_state_init(struct escalation_state *st, const struct incident *inc);
/* Decides what fires now and updates st (next_step, round, breach flags, reminded_for, due_at,
 * done). p and sev may be NULL. manual: also fire the next step now. */
void escalation_evaluate(const struct config_escalation_policy *p,
                         const struct config_severity *sev, const struct incident *inc,
                         struct escalation_state *st, int64_t now, bool manual,
                         struct escalation_plan *out);

#endif
