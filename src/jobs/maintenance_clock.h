/*
 * jobs/maintenance_clock: tells the status page's subscribers when the clock alone starts or
 * ends a scheduled maintenance window (docs/internals/status_page.md "Scheduled maintenance: the
 * clock's moves"). Threads: maintenance_clock_pass on the engine thread; its jobs on the store
 * writer.
 */
#ifndef TOCSIN_JOBS_MAINTENANCE_CLOCK_H
#define TOCSIN_JOBS_MAINTENANCE_CLOCK_H

#include <stdint.h>

#include "app/app.h"
#include "config/config.h"

/* The claim a clock move of window `id` to `status` takes for good ("maint-clock:<id>:<status>");
 * the API takes it too when a person's update announces that status first. */
#define MAINT_CLOCK_CLAIM_FMT "maint-clock:%s:%s"
enum { MAINT_CLOCK_CLAIM_MAX = 96 };

/* For each window whose effective status at now moved past what its subscribers were last told
 * (maint_announced), one store job (once per window and status across nodes and restarts: the
 * claim): the public update, the mail to its email subscribers, a component_update to the webhook
 * subscribers for each component it moves, maintenance.started / maintenance.completed on the
 * timeline (actor "scheduler"). Returns the earlier of next and the next instant a window moves. */
int64_t maintenance_clock_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                               int64_t next);

#endif
