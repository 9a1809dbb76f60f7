/*
 * jobs/retention: prunes what `retention:` (docs/config.md) says is old enough: resolved alerts
 * whose resolved_at, and delivered notifications (sent, or bundled into a sent one) whose sent_at,
 * is more than N days before now. The timeline (the hash chain) is never touched, so
 * `audit verify` stays valid; incidents stay too. Runs on the engine's clock (the dev clock in
 * tests): at start-up, then once an hour, in transactions of RETENTION_BATCH rows so the writer is
 * never held long. Each pass that removed something logs one line with the counts; a failure
 * logs the error and retries in a minute.
 * Threads: retention_pass on the engine thread; its jobs on the store writer.
 */
#ifndef TOCSIN_JOBS_RETENTION_H
#define TOCSIN_JOBS_RETENTION_H

#include <stdint.h>

#include "app/app.h"
#include "config/config.h"

enum {
    RETENTION_BATCH = 1000,
    RETENTION_EVERY_MS = 60 * 60 * 1000, /* a pass an hour */
};

/* Prunes when now reached *due (0: at once), then sets *due to the next pass. Returns the
 * earlier of next and *due (the engine's next wake-up). */
int64_t retention_pass(struct app *app, const struct config *cfg, int64_t now, int64_t *due,
                       int64_t next);

#endif
