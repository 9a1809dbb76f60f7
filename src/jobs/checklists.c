/*
 * jobs/checklists: attach, observe and tick checklist items (jobs/checklists.h).
 */
#include "jobs/checklists.h"
#include "jobs/timeline.h"
#include "store/checklists.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/clock.h"
#include "util/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ITEMS_MAX = 1000 };

struct items {
    struct checklist_item *v;
    size_t n;
};

static int collect(const struct checklist_item *it, void *arg)
{
    struct items *l = arg;
    if (l->n >= ITEMS_MAX)
        return 1;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    checklist_item_copy(&l->v[l->n++], it);
    return 0;
}

static void items_free(struct items *l)
{
    for (size_t i = 0; i < l->n; i++)
        checklist_item_free_fields(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static enum result tick_one(struct store_conn *tx, const struct checklist_item *it, int64_t now,
                            const char *actor, bool automatic, struct error *err)
{
    enum result result =
        store_checklist_item_tick(tx, it->incident_id, it->checklist_id, it->n, now, actor);
    if (result != OK)
        return error_set(err, result == ERR_NOT_FOUND ? ERR_CONFLICT : result,
                         "item: %s item %d is %s", it->checklist_id, it->n,
                         result == ERR_NOT_FOUND ? "already done" : "not stored");
    json_t *data = json_pack("{s:s,s:i,s:s,s:b}", "checklist", it->checklist_id, "item", it->n,
                             "text", it->text, "auto", automatic);
    if (automatic)
        json_object_set_new(data, "event", json_string(checklist_auto_name(it->auto_kind)));
    return timeline_append(tx, now, actor, "checklist.ticked", it->incident_id, data, NULL, err);
}

/* Whether the event an observable item waits for has happened already. */
static bool already(struct store_conn *tx, const struct incident *inc, enum checklist_auto k)
{
    struct postmortem pm;
    switch (k) {
    case CHECK_AUTO_COMMANDER:
        return inc->roles[ROLE_COMMANDER] != NULL;
    case CHECK_AUTO_PUBLIC_UPDATE:
        return inc->last_public_update_at != 0;
    case CHECK_AUTO_POSTMORTEM:
        if (store_postmortem_get_by_incident(tx, inc->id, &pm) != OK)
            return false;
        postmortem_free_fields(&pm);
        return true;
    default:
        return false;
    }
}

enum result checklist_attach_one(struct store_conn *tx, const struct config_checklist *cl,
                                 const struct incident *inc, int64_t now, const char *actor,
                                 struct error *err)
{
    size_t added = 0;
    enum result result = OK;
    struct items fresh = {0};
    for (size_t i = 0; i < cl->items.count && result == OK; i++) {
        struct checklist_item it = {.incident_id = (char *)inc->id,
                                    .checklist_id = cl->id,
                                    .n = (int)i + 1,
                                    .title = cl->title,
                                    .phase = cl->phase,
                                    .text = cl->items.items[i],
                                    .auto_kind = checklist_item_auto(cl->items.items[i]),
                                    .attached_at = now,
                                    .due_from = cl->within < 0 ? NULL
                                                : cl->from     ? cl->from
                                                               : (char *)"declared",
                                    .due_within = cl->within,
                                    .owner = cl->owner};
        bool inserted = false;
        result = store_checklist_item_insert(tx, &it, &inserted);
        if (result != OK)
            error_set(err, result, "store: cannot attach checklist %s", cl->id);
        else if (inserted && ++added && it.auto_kind != CHECK_AUTO_NONE &&
                 already(tx, inc, it.auto_kind))
            collect(&it, &fresh);
    }
    if (result == OK && added)
        result = timeline_append(tx, now, actor, "checklist.attached", inc->id,
                                 json_pack("{s:s,s:s,s:s?,s:i}", "checklist", cl->id, "title",
                                           cl->title, "phase", cl->phase, "items", (int)added),
                                 NULL, err);
    for (size_t i = 0; i < fresh.n && result == OK; i++)
        result = tick_one(tx, &fresh.v[i], now, "tocsin", true, err);
    items_free(&fresh);
    return result;
}

enum result checklist_attach(struct store_conn *tx, const struct config *cfg,
                             const struct incident *inc, int64_t now, const char *actor,
                             struct error *err)
{
    enum result result = OK;
    for (size_t i = 0; cfg && i < cfg->checklist_count && result == OK; i++)
        if (checklist_applies(cfg, &cfg->checklists[i], inc))
            result = checklist_attach_one(tx, &cfg->checklists[i], inc, now, actor, err);
    return result;
}

enum result checklist_observe(struct store_conn *tx, const char *incident_id,
                              enum checklist_auto kind, int64_t now, struct error *err)
{
    struct items l = {0};
    enum result result = store_checklist_items(tx, incident_id, collect, &l);
    if (result != OK)
        error_set(err, result, "store: cannot read the checklists of %s", incident_id);
    for (size_t i = 0; i < l.n && result == OK; i++)
        if (l.v[i].auto_kind == kind && !l.v[i].done_at)
            result = tick_one(tx, &l.v[i], now, "tocsin", true, err);
    items_free(&l);
    return result;
}

struct tick_job {
    struct tclock *clock;
    const char *incident_id, *checklist_id, *actor;
    int n;
    struct checklist_item *out;
};

static enum result tick_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct tick_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct incident inc = {0};
    struct items l = {0};
    enum result result = store_incident_get(tx, j->incident_id, &inc);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no incident %.64s"
                                                 : "store: cannot read %.64s",
                         j->incident_id);
    if ((result = incident_check_mutable(&inc, err)) != OK)
        goto out;
    if ((result = store_checklist_items(tx, inc.id, collect, &l)) != OK) {
        error_set(err, result, "store: cannot read the checklists of %s", inc.id);
        goto out;
    }
    struct checklist_item *it = NULL;
    bool has_list = false;
    for (size_t i = 0; i < l.n; i++) {
        has_list |= strcmp(l.v[i].checklist_id, j->checklist_id) == 0;
        if (strcmp(l.v[i].checklist_id, j->checklist_id) == 0 && l.v[i].n == j->n)
            it = &l.v[i];
    }
    if (!it) {
        result = error_set(err, ERR_NOT_FOUND,
                           has_list ? "item: checklist %.64s of %s has no item %d"
                                    : "checklist: %.64s is not attached to %s (item %d)",
                           j->checklist_id, inc.id, j->n);
        goto out;
    }
    if (it->done_at) {
        result = error_set(err, ERR_CONFLICT, "item: %s item %d is already done (by %s)",
                           it->checklist_id, it->n, it->done_by ? it->done_by : "?");
        goto out;
    }
    result = tick_one(tx, it, now, j->actor, false, err);
    if (result == OK) {
        *j->out = *it;
        memset(it, 0, sizeof *it); /* ownership moves to out */
        j->out->done_at = now;
        j->out->done_by = xstrdup(j->actor);
    }
out:
    items_free(&l);
    incident_free_fields(&inc);
    return result;
}

enum result checklist_tick_write(struct app *app, const char *incident_id, const char *checklist_id,
                                 int n, const char *actor, struct checklist_item *out,
                                 struct error *err)
{
    memset(out, 0, sizeof *out);
    struct tick_job j = {app->clock, incident_id, checklist_id, actor, n, out};
    return store_write(app->store, tick_job, &j, err);
}
