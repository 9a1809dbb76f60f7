/*
 * escalation: which escalation steps an incident's state calls for at `now` (pure: no I/O, no
 * clock; the engine reads the store, calls escalation_evaluate, and writes what it decided).
 *
 * Every incident has one escalation state (a row in the store, armed when it is declared). One
 * evaluation, given the policy, the severity, the incident and the state:
 *
 *   resolved/closed ........................ done: nothing fires, nothing is due.
 *   open ................................... every step whose time has come fires, in order:
 *                                            step i is due at round_start + steps[i].after;
 *                                            steps whose `when` does not match are skipped;
 *                                            once acknowledged only `until: resolved` steps
 *                                            still fire (the others are passed over).
 *     last step done, round < repeat,
 *     still triggered ...................... a new round starts round_length() after the last
 *                                            one began (see escalation_round_length).
 *   triggered past ack_within (once) ....... the ack breach: its own event, with the action of
 *                                            escalation_breach_action (re-page the current step,
 *                                            page the next step now, page a target, or flag);
 *                                            later steps keep their own times.
 *   open past resolve_within (once) ........ the resolve breach, the same way.
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

/* What a breach does (on_ack_breach / on_resolve_breach). */
enum escalation_action {
    ESC_ACT_REPAGE, /* page the current step's targets again (the default) */
    ESC_ACT_NEXT,   /* fire the next step now (it does not fire again at its time) */
    ESC_ACT_TARGET, /* page a named target */
    ESC_ACT_FLAG,   /* record it; the current step's users get a notice, not a page */
};

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
    int step; /* index into policy->steps; -1: a breach's named target */
    int round;
    enum escalation_reason reason;
    enum escalation_action action; /* breaches: what it does (ESC_ACT_NEXT for steps) */
    const char *target;            /* ESC_ACT_TARGET: the target (borrowed from the config) */
    char key[ESCALATION_KEY_MAX];
};

struct escalation_plan {
    struct escalation_fire fires[ESCALATION_MAX_FIRES];
    size_t nfires;
    bool ack_breach, resolve_breach; /* the breach happened at this look */
    enum escalation_action ack_action, resolve_action;
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
/* Whether a step keeps firing once the incident is acknowledged (`until: resolved`). */
bool escalation_step_until_resolved(const struct config_escalation_step *st);
/* Whether some step of p applies to the incident (NULL p: none). */
bool escalation_routes(const struct config_escalation_policy *p, const struct incident *inc);
/* The length of one round for this incident: the policy's `round` when set; else, over the
 * steps that apply to the incident, the last step's `after` plus the gap before it (the last
 * target gets as long as the one before it had); at least 5 minutes. */
int64_t escalation_round_length(const struct config_escalation_policy *p,
                                const struct incident *inc);
/* The action of a breach setting ("repage", "next", "flag", a target; NULL: repage); *target
 * gets the target for ESC_ACT_TARGET. */
enum escalation_action escalation_action_parse(const char *setting, const char **target);
const char *escalation_action_name(enum escalation_action a);
/* The setting in force for the ack breach (or, resolve, the resolve breach): the severity's,
 * else the policy's, else NULL (repage). */
const char *escalation_breach_setting(const struct config_escalation_policy *p,
                                      const struct config_severity *sev, bool resolve);

/* Starts a state for an incident (round 0 from its creation). */
void escalation_state_init(struct escalation_state *st, const struct incident *inc);
/* Decides what fires now and updates st (next_step, round, breach flags, reminded_for, due_at,
 * done). p and sev may be NULL. manual: also fire the next step now. */
void escalation_evaluate(const struct config_escalation_policy *p,
                         const struct config_severity *sev, const struct incident *inc,
                         struct escalation_state *st, int64_t now, bool manual,
                         struct escalation_plan *out);

#endif
