/*
 * drill: the score of a fire drill (docs/drills.md, docs/internals/drills.md). Pure: the caller
 * reads the drill incident, its timeline and its checklist items and passes `now`.
 *
 * A drill is scored on five checks, each measured from the incident's declaration:
 *   ack          acknowledged within the severity's ack_within
 *   commander    a commander assigned within the severity's ack_within
 *   first_update the first public update within the severity's update_every
 *   checklists   every checklist item attached to the drill ticked
 *   resolve      resolved within the severity's resolve_within
 * and, when the scenario names one, `runbook`: a step of that runbook marked done. Each check is
 * "pass", "fail" (late, or not done and its target has passed), "pending" (not done yet, the
 * target not passed) or "n/a" (the severity sets no target). The score is the share of passed
 * checks among those not "n/a", in percent (pending counts as not passed).
 */
#ifndef TOCSIN_DRILL_H
#define TOCSIN_DRILL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"

/* The facts read from the drill incident's timeline and checklists. */
struct drill_facts {
    const char *scenario;      /* the scenario id recorded by drill.started, or NULL */
    int64_t commander_at;      /* first commander assignment, 0 = none */
    int64_t first_update_at;   /* first public update, 0 = none */
    int64_t runbook_step_at;   /* first step done of the scenario's runbook, 0 = none */
    int checklist_items;       /* attached */
    int checklist_done;        /* of those, ticked */
    int64_t checklist_done_at; /* when the last one was ticked (all done), else 0 */
    /* The severity the responders set (docs/drills.md "Expected severity"): */
    int64_t ack_at;             /* in: the incident's acknowledged_at (0 = not yet) */
    char expect_severity[64];   /* drill.started's expect_severity, "" = not recorded */
    char declared_severity[64]; /* the first severity change's `from`, "" = never changed */
    char severity_at_ack[64];   /* the last change at or before ack_at, "" = none then */
    json_t *alerts;             /* the injected alerts (caller owns), or NULL */
};

/* Scans one timeline entry (kind and JSON data) into f; expected_runbook may be NULL. */
void drill_facts_add(struct drill_facts *f, const char *kind, const char *data_json, int64_t at,
                     const char *expected_runbook);

/* The score report: {incident_id, scenario, severity, declared_at, score, passed, scored,
 * checks: [{name, target_ms, took_ms, result}], expected_severity: {expected, at_ack,
 * at_resolve, set_at_ack, set_at_resolve, result}, alerts, ...}. sev and scenario may be NULL.
 * expected_severity.result: "pass" when the severity at resolve (while open: the current one)
 * is the expected one, "fail" when resolved with another, "pending" while open with another,
 * "n/a" when nothing is expected. Not part of the score. */
json_t *drill_score(const struct incident *inc, const struct config_severity *sev,
                    const struct config_drill *scenario, const struct drill_facts *f, int64_t now);

#endif
