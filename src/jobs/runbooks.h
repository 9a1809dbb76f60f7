/*
 * jobs/runbooks: runbook steps marked done on an incident (docs/internals/runbooks.md). A done
 * step is a timeline entry (runbook.step_done {runbook, step, text}); runbook_dones_load reads
 * them back. runbook_step_done_write checks and appends in one store job.
 *
 * Threads: runbook_dones_load on any thread with its own connection; the write on a request
 * thread (its job on the store writer).
 */
#ifndef TOCSIN_JOBS_RUNBOOKS_H
#define TOCSIN_JOBS_RUNBOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "config/config.h"
#include "store/store.h"

struct runbook_done {
    char runbook[65];
    int step;
    int64_t at;
    char by[96];
};
struct runbook_dones {
    struct runbook_done *v;
    size_t n;
};

enum result runbook_dones_load(struct store_conn *c, const char *incident_id,
                               struct runbook_dones *out, struct error *err);
void runbook_dones_free(struct runbook_dones *d);
/* The done entry of (runbook, step), or NULL. */
const struct runbook_done *runbook_dones_find(const struct runbook_dones *d, const char *runbook,
                                              int step);

/* ERR_NOT_FOUND naming `id` (incident), `runbook` or `step`; ERR_CONFLICT when done already or
 * the incident is closed. */
enum result runbook_step_done_write(struct app *app, const struct config *cfg,
                                    const char *incident_id, const char *runbook, int step,
                                    const char *actor, struct error *err);

#endif
