/*
 * incident_rules: the config's conditional rules at work (`rules:`, docs/config.md "rules";
 * issue 16 item 12), and the incident fields and failed resolution attempts they read.
 *
 * incident_rules_run looks at every rule in file order; each one that matches the incident (an
 * open one) and has not fired on it yet fires: its id joins the incident's rules_fired (so it
 * never fires twice), then its actions apply: set_severity (incident_ops_change_severity: the
 * escalation is re-planned), set_fields, page (targets resolved like escalation steps, contact:ID
 * through the contacts directory; pages keyed "rule:ID", so a replayed job pages nobody twice),
 * and `rule.fired` on the timeline with what it did. After a rule changed the incident, the look
 * starts over (a rule may now match), until none fires; each fires at most once, so it ends.
 * Callers: declare, an alert joining (its labels), severity changes, field changes, failed
 * resolution attempts, and the engine when a rule's `open_for` comes due (incident_rules_clock.c).
 * `when.labels` is matched against the joining alert's labels, then the incident's newest 100
 * alerts (read once per run, only when a rule whose other conditions match needs them, and on an
 * alert's join only once another rule fired in the run).
 * Threads: the store writer thread (inside a job).
 */
#ifndef TOCSIN_INCIDENT_RULES_JOB_H
#define TOCSIN_INCIDENT_RULES_JOB_H

#include "app/app.h"
#include "config/config.h"
#include "domain/incident.h"
#include "store/store.h"

#include <jansson.h>

/* Fires the rules of cfg that inc matches now and that have not fired on it (cfg NULL or no
 * rules, or inc not open: nothing), and saves inc when any fired. */
enum result incident_rules_run(struct store_conn *tx, const struct config *cfg,
                               struct incident *inc, int64_t now, struct error *err);

/* incident_rules_run when an alert with labels (a JSON object, may be NULL) joined inc or
 * opened it: rules with `when.labels` match on these labels (jobs/alert_ingest.c). */
enum result incident_rules_alert_joined(struct store_conn *tx, const struct config *cfg,
                                        struct incident *inc, const json_t *labels, int64_t now,
                                        struct error *err);

/* The labels (JSON objects, in an array: *out, the caller's) of the incident's newest 100
 * alerts, read through c (a transaction or a reader). */
enum result incident_rules_alert_labels(struct store_conn *c, const char *incident_id, json_t **out,
                                        struct error *err);
/* Whether one of those label objects carries every `labels` entry of r. */
bool incident_rules_any_carries(const struct config_rule *r, const json_t *labels);

/* incident_rules_clock.c (engine thread): runs the rules of each open incident on which a rule
 * with `when.open_for` has come due (and the rest of its `when` matches), each in a job;
 * *queued counts the incidents where one fired (their pages are queued). Returns min(next, the
 * next moment such a rule comes due). */
int64_t incident_rules_clock_pass(struct app *app, const struct config *cfg, int64_t now,
                                  int *queued, int64_t next);

/* Sets field name to value (NULL: removes it) on inc, appends incident.field_set {name, value,
 * previous}, saves inc and runs the rules. ERR_CONFLICT (err set) when inc is closed. */
enum result incident_rules_set_field(struct store_conn *tx, const struct config *cfg,
                                     struct incident *inc, const char *name, const char *value,
                                     int64_t now, const char *actor, struct error *err);

/* One failed resolution attempt recorded by a responder on an open incident (ERR_CONFLICT
 * otherwise): inc->failed_resolutions + 1, incident.resolution_failed {count, how, note?}, saves
 * inc and runs the rules. A reopen counts one by itself (api/incidents.c: incident.reopened
 * carries the new failed_resolutions). */
enum result incident_rules_failed_resolution(struct store_conn *tx, const struct config *cfg,
                                             struct incident *inc, const char *how,
                                             const char *note, int64_t now, const char *actor,
                                             struct error *err);

#endif
