/*
 * incident: the incident state machine, roles, ids, channel slugs and SLA clocks. Pure: no I/O,
 * no clock reads; every function that depends on time takes `now` (ms since epoch, UTC).
 *
 * States (the transitions and the functions that make them):
 *
 *   TRIGGERED --incident_ack--> ACKNOWLEDGED --> INVESTIGATING --> IDENTIFIED --> MONITORING
 *       |                          ^                (incident_set_status: any open state may
 *       +---incident_set_status----+                 move to any later open state)
 *   any open --incident_set_status(RESOLVED)--> RESOLVED --incident_close--> CLOSED
 *   RESOLVED --incident_set_status(ACKNOWLEDGED) (reopen)--> ACKNOWLEDGED
 *
 * Invariants (checked by incident_check):
 *   - acknowledged_at != 0 for every state but TRIGGERED (ack is implied by the first move out);
 *   - resolved_at != 0 exactly in RESOLVED and CLOSED; closed_at != 0 exactly in CLOSED;
 *   - created_at <= acknowledged_at, created_at <= resolved_at <= closed_at where set;
 *   - a CLOSED incident never changes again.
 *
 * Ownership: a struct incident owns its strings (free with incident_free_fields).
 */
#ifndef TOCSIN_INCIDENT_H
#define TOCSIN_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/result.h"

enum incident_status {
    INC_TRIGGERED,
    INC_ACKNOWLEDGED,
    INC_INVESTIGATING,
    INC_IDENTIFIED,
    INC_MONITORING,
    INC_RESOLVED,
    INC_CLOSED,
    INC_STATUS_COUNT
};

enum incident_role { ROLE_COMMANDER, ROLE_TECH_LEAD, ROLE_COMMS_LEAD, ROLE_SCRIBE, ROLE_COUNT };

enum { INCIDENT_ID_MAX = 32, INCIDENT_SLUG_MAX = 40, INCIDENT_CHANNEL_MAX = 64 };

struct incident {
    char id[INCIDENT_ID_MAX];
    char *title;
    char *summary;  /* may be NULL */
    char *severity; /* severity id */
    char *service;  /* may be NULL */
    char *type;     /* may be NULL */
    char *channel;
    char *postmortem; /* reference given at close, may be NULL */
    enum incident_status status;
    bool drill;
    int64_t created_at;
    int64_t acknowledged_at; /* 0 = not yet */
    int64_t resolved_at;
    int64_t closed_at;
    int64_t updated_at;
    int64_t last_public_update_at;
    char *roles[ROLE_COUNT]; /* user ids, NULL when unassigned */
    char *group_key;         /* set when alerts opened it: later alerts of the group join it */
    bool auto_resolve;       /* resolve when its last alert resolves */
    /* Conditional rules (config rules:, jobs/incident_rules.c; migration 014): */
    char *fields;           /* incident fields, a JSON object of strings, or NULL (none) */
    int failed_resolutions; /* reopened after resolve, or recorded as failed by a responder */
    char *rules_fired;      /* the ids of the rules that fired, a JSON array, or NULL (none) */
};

struct incident_sla {
    int64_t ack_due;         /* 0 = no clock */
    int64_t resolve_due;     /* 0 = no clock */
    int64_t next_update_due; /* 0 = no clock, or not open */
    bool ack_breached;
    bool resolve_breached;
    bool update_overdue;
};

const char *incident_status_name(enum incident_status s);
/* Returns -1 when the name is not a state. */
int incident_status_parse(const char *name);
bool incident_status_is_open(enum incident_status s);
const char *incident_role_name(enum incident_role r);
int incident_role_parse(const char *name);

/* "INC-2026-11-23-007" for the n-th incident of the UTC day of `now` (n >= 1). */
void incident_make_id(int64_t now, int64_t n, char out[INCIDENT_ID_MAX]);
/* Lowercase ASCII alphanumerics, other runs -> '-', <= INCIDENT_SLUG_MAX, "incident" if empty. */
void incident_slug(const char *title, char out[INCIDENT_SLUG_MAX + 1]);
/* "#inc-YYYY-MM-DD-<slug>" */
void incident_channel(int64_t now, const char *title, char out[INCIDENT_CHANNEL_MAX]);

/* Initialises a new TRIGGERED incident; takes copies of the strings. */
void incident_init(struct incident *inc, const char *id, const char *title, const char *severity,
                   const char *service, const char *type, const char *summary, bool drill,
                   int64_t now);
void incident_free_fields(struct incident *inc);
bool incident_check(const struct incident *inc);

/* Transitions. Each returns OK or ERR_CONFLICT with a message naming the allowed moves. */
enum result incident_ack(struct incident *inc, int64_t now, struct error *err);
enum result incident_set_status(struct incident *inc, enum incident_status to, int64_t now,
                                struct error *err);
/* What closing found of the incident's post-mortem (jobs/postmortem.c reads it in the close's
 * transaction) and the admin's waiver. */
struct incident_close_pm {
    const char *id;     /* the incident's post-mortem, NULL when it has none */
    bool published;     /* that post-mortem is published */
    const char *waiver; /* an admin's reason to close without a published one, or NULL */
};
/* Closes a RESOLVED incident (docs/postmortems.md "Closing"). The post-mortem gate: an existing
 * post-mortem must be published; when the severity requires one (`sev`, not a drill), one must
 * exist and be published; a waiver lifts both. Refused with ERR_CONFLICT naming `postmortem`.
 * pm may be NULL (none, no waiver). inc->postmortem becomes the published post-mortem's id, or
 * else `reference` (a link given at close) when given. */
enum result incident_close(struct incident *inc, const struct config_severity *sev,
                           const struct incident_close_pm *pm, const char *reference, int64_t now,
                           struct error *err);
/* Writes into buf the moves allowed from `from`, e.g. "identified, monitoring, resolved". */
void incident_allowed_moves(enum incident_status from, char *buf, size_t n);

/* Replaces a role holder; *previous receives the old holder (caller frees), may be NULL. */
enum result incident_assign(struct incident *inc, enum incident_role role, const char *user,
                            char **previous, int64_t now, struct error *err);
enum result incident_set_severity(struct incident *inc, const char *severity, int64_t now,
                                  struct error *err);
/* Any change other than reading must first pass this (closed incidents are frozen). */
enum result incident_check_mutable(const struct incident *inc, struct error *err);

/* SLA clocks from the severity policy (sev may be NULL: no clocks). */
void incident_sla(const struct incident *inc, const struct config_severity *sev, int64_t now,
                  struct incident_sla *out);

#endif
