/*
 * alerts: what an alert is and the pure rules that decide what it does: its group (which open
 * incident it joins), the incident severity it maps to, whether a silence matches it, and the
 * dedup key of an Alertmanager alert without a fingerprint. No I/O; `now` comes in.
 *
 * An alert is identified by (scope, dedup_key) while it is open (firing or acknowledged); the
 * scope is the integration id (PagerDuty: dedup keys are per routing key), or "heartbeat:NAME",
 * "probe:SERVICE" for alerts tocsin raises itself. Once resolved, a trigger with the same key
 * opens a new alert.
 *
 * Ownership: a struct alert owns its strings (alert_free_fields).
 */
#ifndef TOCSIN_ALERTS_H
#define TOCSIN_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

enum alert_status { ALERT_FIRING, ALERT_ACKNOWLEDGED, ALERT_RESOLVED, ALERT_STATUS_COUNT };
enum alert_action { ALERT_TRIGGER, ALERT_ACKNOWLEDGE, ALERT_RESOLVE };

struct alert {
    int64_t id;
    char *scope;
    char *integration_id; /* NULL for heartbeat/probe alerts */
    char *source_kind;    /* alertmanager, events_v2, generic, heartbeat, probe */
    char *service;
    char *dedup_key;
    enum alert_status status;
    char *summary;
    char *source;   /* may be NULL */
    char *severity; /* raw, as sent; may be NULL */
    char *labels;   /* JSON object text */
    char *details;  /* JSON object text */
    char *group_key;
    char *incident_id; /* NULL while silenced or not attached */
    char *silenced_by; /* silence id, or NULL */
    int64_t first_seen, last_seen, resolved_at;
    int64_t repeat_count;
};

struct silence {
    char id[32];
    char *service;  /* NULL: any service */
    char *matchers; /* JSON object text {label: value}; "{}" = everything on the service */
    int64_t starts_at, ends_at;
    char *reason;
    char *created_by;
    int64_t created_at;
};

const char *alert_status_name(enum alert_status s);
int alert_status_parse(const char *name);
void alert_free_fields(struct alert *a);
void silence_free_fields(struct silence *s);

/* The group an alert belongs to: "SERVICE" or "SERVICE|label=value|label2=value2" in the order
 * of group_by (a missing label groups as empty). Caller frees. */
char *alerts_group_key(const char *service, const struct string_list *group_by, json_t *labels);
/* Whether silence s applies to an alert on service with these labels at time now. */
bool alerts_silence_matches(const struct silence *s, const char *service, json_t *labels,
                            int64_t now);
/* The same with the silence's matchers already parsed (alerts_silence_parse; NULL or not an
 * object never matches), for checking many alerts against the same silences. */
bool alerts_silence_matches_parsed(const struct silence *s, json_t *matchers, const char *service,
                                   json_t *labels, int64_t now);
/* The silence's matchers as JSON (caller decrefs); NULL when they are not valid JSON. */
json_t *alerts_silence_parse(const struct silence *s);
/* A stable dedup key from labels: SHA-256 hex of the sorted "k=v" pairs. out: 65 bytes. */
void alerts_labels_fingerprint(json_t *labels, char out[65]);

/* A fire drill's injected alert (jobs/drill_alerts.c): its scope is "drill:<incident id>". */
bool alert_is_drill(const struct alert *a);

#endif
