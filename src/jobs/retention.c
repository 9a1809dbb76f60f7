/*
 * jobs/retention: see retention.h. One store job per batch: each job deletes at most
 * RETENTION_BATCH alerts and RETENTION_BATCH notifications and says how many; the pass repeats
 * while a batch came back full, up to RETENTION_MAX_BATCHES a pass (then the rest next second).
 * Threads: retention_pass on the engine thread; prune_job on the store writer.
 */
#include "jobs/retention.h"
#include "store/alerts.h"
#include "store/notifications.h"
#include "util/log.h"

#include <inttypes.h>

enum { RETENTION_MAX_BATCHES = 100, RETRY_MS = 60 * 1000, MORE_MS = 1000 };

static const int64_t DAY_MS = 24LL * 60 * 60 * 1000;

struct prune_job {
    int64_t alerts_before, notes_before; /* 0: that kind is kept */
    int64_t alerts, notes;               /* deleted by this job */
};

static enum result prune_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct prune_job *j = arg;
    enum result result = OK;
    if (j->alerts_before)
        result = store_alert_prune(tx, j->alerts_before, RETENTION_BATCH, &j->alerts);
    if (result == OK && j->notes_before)
        result = store_notification_prune(tx, j->notes_before, RETENTION_BATCH, &j->notes);
    if (result != OK && !err->message[0])
        error_set(err, result, "retention: cannot prune");
    return result;
}

int64_t retention_pass(struct app *app, const struct config *cfg, int64_t now, int64_t *due,
                       int64_t next)
{
    int64_t adays = cfg->retention.resolved_alerts_days;
    int64_t ndays = cfg->retention.sent_notifications_days;
    if ((!adays && !ndays) || now < *due)
        return *due && *due < next ? *due : next;
    struct prune_job j = {.alerts_before = adays ? now - adays * DAY_MS : 0,
                          .notes_before = ndays ? now - ndays * DAY_MS : 0};
    int64_t alerts = 0, notes = 0;
    bool more = false;
    for (int i = 0; i < RETENTION_MAX_BATCHES; i++) {
        struct error err = {0};
        j.alerts = j.notes = 0;
        if (store_write(app->store, prune_job, &j, &err) != OK) {
            log_error("retention: %s (retried in a minute)",
                      err.message[0] ? err.message : "cannot prune");
            *due = now + RETRY_MS;
            return *due < next ? *due : next;
        }
        alerts += j.alerts;
        notes += j.notes;
        more = j.alerts == RETENTION_BATCH || j.notes == RETENTION_BATCH;
        if (!more)
            break;
    }
    if (alerts || notes)
        log_info("retention: pruned %" PRId64 " resolved alerts (older than %" PRId64
                 " days) and %" PRId64 " sent notifications (older than %" PRId64 " days)",
                 alerts, adays, notes, ndays);
    *due = now + (more ? MORE_MS : RETENTION_EVERY_MS);
    return *due < next ? *due : next;
}
