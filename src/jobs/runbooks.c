/*
 * jobs/runbooks: runbook steps done on an incident (jobs/runbooks.h).
 */
#include "jobs/runbooks.h"
#include "domain/runbook.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/timeline.h"
#include "util/clock.h"
#include "util/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int one_entry(const struct timeline_entry *e, void *arg)
{
    struct runbook_dones *d = arg;
    if (strcmp(e->kind, "runbook.step_done") != 0)
        return 0;
    json_t *o = json_loads(e->data ? e->data : "{}", 0, NULL);
    const char *rb = json_string_value(json_object_get(o, "runbook"));
    json_t *step = json_object_get(o, "step");
    if (rb && json_is_integer(step)) {
        d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
        struct runbook_done *r = &d->v[d->n++];
        snprintf(r->runbook, sizeof r->runbook, "%s", rb);
        r->step = (int)json_integer_value(step);
        r->at = e->at;
        snprintf(r->by, sizeof r->by, "%s", e->actor ? e->actor : "");
    }
    json_decref(o);
    return 0;
}

enum result runbook_dones_load(struct store_conn *c, const char *incident_id,
                               struct runbook_dones *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    enum result result = store_timeline_scan(c, incident_id, one_entry, out);
    if (result != OK)
        error_set(err, result, "store: cannot read the timeline of %s", incident_id);
    return result;
}

void runbook_dones_free(struct runbook_dones *d)
{
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

const struct runbook_done *runbook_dones_find(const struct runbook_dones *d, const char *runbook,
                                              int step)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].step == step && strcmp(d->v[i].runbook, runbook) == 0)
            return &d->v[i];
    return NULL;
}

struct step_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *incident_id, *runbook, *actor;
    int step;
};

static enum result step_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct step_job *j = arg;
    int64_t now = clock_now(j->clock);
    const struct config_runbook *rb = runbook_find(j->cfg, j->runbook);
    struct incident inc = {0};
    struct runbook_dones d = {0};
    enum result result = store_incident_get(tx, j->incident_id, &inc);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no incident %.64s"
                                                 : "store: cannot read %.64s",
                         j->incident_id);
    if ((result = incident_check_mutable(&inc, err)) != OK)
        goto out;
    if (!rb) {
        result = error_set(err, ERR_NOT_FOUND, "runbook: no runbook %.64s", j->runbook);
        goto out;
    }
    if (j->step < 1 || (size_t)j->step > rb->steps.count) {
        result = error_set(err, ERR_NOT_FOUND, "step: %s has %zu steps; there is no step %d",
                           rb->id, rb->steps.count, j->step);
        goto out;
    }
    if ((result = runbook_dones_load(tx, inc.id, &d, err)) != OK)
        goto out;
    const struct runbook_done *done = runbook_dones_find(&d, rb->id, j->step);
    if (done) {
        result = error_set(err, ERR_CONFLICT, "step: %s step %d is already done (by %s)", rb->id,
                           j->step, done->by);
        goto out;
    }
    json_t *data = json_pack("{s:s,s:i,s:s}", "runbook", rb->id, "step", j->step, "text",
                             rb->steps.items[j->step - 1]);
    result = timeline_append(tx, now, j->actor, "runbook.step_done", inc.id, data, NULL, err);
out:
    runbook_dones_free(&d);
    incident_free_fields(&inc);
    return result;
}

enum result runbook_step_done_write(struct app *app, const struct config *cfg,
                                    const char *incident_id, const char *runbook, int step,
                                    const char *actor, struct error *err)
{
    struct step_job j = {app->clock, cfg, incident_id, runbook, actor, step};
    return store_write(app->store, step_job, &j, err);
}
