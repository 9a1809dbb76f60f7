/*
 * jobs/checklists: checklist items in store transactions (docs/internals/checklists.md).
 * checklist_attach (inside declare and severity-change jobs) attaches every config checklist that
 * applies and is not attached yet, one row per item, with checklist.attached on the timeline;
 * observable items whose event already happened are ticked at once. checklist_observe (inside
 * the jobs that make those events: a commander assigned, a public update posted, a post-mortem
 * created) ticks the incident's not-done items waiting for that event, each with checklist.ticked
 * (actor "tocsin"). checklist_tick_write ticks one item by hand in its own job.
 *
 * Threads: attach and observe on the store writer (inside a job); checklist_tick_write on a
 * request thread.
 */
#ifndef TOCSIN_JOBS_CHECKLISTS_H
#define TOCSIN_JOBS_CHECKLISTS_H

#include "app/app.h"
#include "config/config.h"
#include "domain/checklist.h"
#include "store/store.h"

enum result checklist_attach(struct store_conn *tx, const struct config *cfg,
                             const struct incident *inc, int64_t now, const char *actor,
                             struct error *err);
/* Attaches checklist cl to inc whatever its `when` (a rule's attach_checklist): the items not
 * attached yet, checklist.attached when any was, observable items ticked at once. */
enum result checklist_attach_one(struct store_conn *tx, const struct config_checklist *cl,
                                 const struct incident *inc, int64_t now, const char *actor,
                                 struct error *err);
enum result checklist_observe(struct store_conn *tx, const char *incident_id,
                              enum checklist_auto kind, int64_t now, struct error *err);
/* ERR_NOT_FOUND naming `id` (no incident) or `item` (no such checklist item); ERR_CONFLICT when
 * it is done already or the incident is closed. *out: the item after the tick (caller frees). */
enum result checklist_tick_write(struct app *app, const char *incident_id, const char *checklist_id,
                                 int n, const char *actor, struct checklist_item *out,
                                 struct error *err);

#endif
