/*
 * incident_rules: which config `roles:` entry and which `rules:` apply to an incident (pure: no
 * I/O, no clock: `now` is given). jobs/incident_roles.c fills roles on declare with
 * incident_role_fill_for; jobs/incident_rules.c fires rules with incident_rule_matches and
 * incident_rule_labels_match. Threads: any.
 */
#ifndef TOCSIN_INCIDENT_RULES_H
#define TOCSIN_INCIDENT_RULES_H

#include <jansson.h>
#include <stdbool.h>

#include "config/config.h"
#include "domain/incident.h"

/* Whether `when` (severity and type lists; empty: any) matches inc. */
bool incident_condition_matches(const struct config_condition *when, const struct incident *inc);

/* The first `roles:` entry of cfg for role that matches inc, or NULL. */
const struct config_role_fill *incident_role_fill_for(const struct config *cfg,
                                                      enum incident_role role,
                                                      const struct incident *inc);

/* Whether rule r's `when` matches inc, its `labels` apart (incident_rule_labels_match): its
 * severity, type and service (lists: any of), every `fields` entry equal to the incident's field
 * of that name (fields: a JSON object of strings, may be NULL), at least `failed_resolutions`
 * failed resolution attempts, and open at least `open_for` at now (incident_rule_open_at). */
bool incident_rule_matches(const struct config_rule *r, const struct incident *inc,
                           const json_t *fields, int failed_resolutions, int64_t now);

/* Whether one alert's labels (a JSON object; NULL: none) carry every `labels` entry of r, each
 * equal to one of its values. True when r names no labels. */
bool incident_rule_labels_match(const struct config_rule *r, const json_t *labels);

/* When r's `open_for` is met for inc (its declaration + open_for), or 0 when r has none. */
int64_t incident_rule_open_at(const struct config_rule *r, const struct incident *inc);

#endif
