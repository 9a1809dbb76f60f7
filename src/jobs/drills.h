/*
 * jobs/drills: declaring a fire drill (the API's `POST /api/v1/drills` and the scheduler) and the
 * scheduler itself (docs/drills.md "Scheduled drills", docs/internals/drills.md).
 * Threads: drill_declare on the store writer (inside a job); drill_schedule_pass on the engine
 * thread.
 */
#ifndef TOCSIN_JOBS_DRILLS_H
#define TOCSIN_JOBS_DRILLS_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "config/config.h"
#include "domain/incident.h"
#include "store/store.h"
#include "util/result.h"

/* Declares the drill incident of scenario sc (drill = true), appends drill.started {scenario,
 * runbook, expect_severity, and the members of extra, which it takes} to its timeline, and
 * injects the scenario's alerts that have no `after` (drill_inject_alert). */
enum result drill_declare(struct store_conn *tx, struct app *app, const struct config *cfg,
                          const struct config_drill *sc, const char *actor, int64_t now,
                          json_t *extra, struct incident *out, struct error *err);

/* Starts the scheduled drills whose occurrence came (once per occurrence across nodes and
 * restarts: the store's claim "drill:<id>:<ms>"), announces those whose notice began
 * ("drill-notice:<id>:<ms>"). Returns the earlier of next and the next instant it has work. */
int64_t drill_schedule_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                            int64_t next);

/* jobs/drill_alerts.c: injects alert `index` of sc's `alerts:` into drill incident incident_id
 * through the ingest path (scope "drill:<incident id>", source_kind "drill"). */
enum result drill_inject_alert(struct store_conn *tx, struct app *app, const struct config *cfg,
                               const struct config_drill *sc, size_t index, const char *incident_id,
                               const char *actor, int64_t now, struct error *err);

/* Injects the delayed alerts (`after`) of the open drills once due (once across nodes and
 * restarts: the claim "drill-alert:<incident id>:<index>"). Returns the earlier of next and the
 * next due time. Engine thread. */
int64_t drill_alerts_pass(struct app *app, const struct config *cfg, int64_t now, int64_t next);

#endif
