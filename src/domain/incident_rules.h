/*
 * incident_rules: which config `roles:` entry and which `rules:` apply to an incident (pure: no
 * I/O, no clock). jobs/incident_roles.c fills roles on declare with incident_role_fill_for;
 * jobs/incident_rules.c fires rules with incident_rule_matches. Threads: any.
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

/* Whether rule r's `when` matches inc: its severity, type and service (lists: any of), every
 * `fields` entry equal to the incident's field of that name (fields: a JSON object of strings,
 * may be NULL), every `labels` entry equal to the label of that name in labels (the joining
 * alert's labels, a JSON object; NULL outside an alert joining: a rule with labels fails), and
 * at least `failed_resolutions` failed resolution attempts. */
bool incident_rule_matches(const struct config_rule *r, const struct incident *inc,
                           const json_t *fields, const json_t *labels, int failed_resolutions);

#endif
