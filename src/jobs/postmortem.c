/*
 * jobs/postmortem: post-mortems in store transactions, the close check, and the document's data
 * (jobs/postmortem.h). Threads: entry points on request threads, jobs on the store writer.
 */
#include "jobs/postmortem.h"
#include "jobs/checklists.h"
#include "jobs/timeline.h"
#include "store/actions.h"
#include "store/alerts.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "store/postmortems.h"
#include "store/timeline.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    return json_string(s);
}

struct create_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *incident_id, *owner, *actor;
    struct postmortem *out;
};

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct create_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct incident inc = {0};
    struct postmortem existing = {0};
    enum result result = store_incident_get(tx, j->incident_id, &inc);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no incident %.64s"
                                                 : "store: cannot read incident %.64s",
                         j->incident_id);
    result = store_postmortem_get_by_incident(tx, inc.id, &existing);
    if (result == OK) {
        result = error_set(err, ERR_CONFLICT, "id: %s already has a post-mortem: %s", inc.id,
                           existing.id);
        postmortem_free_fields(&existing);
        goto out;
    }
    if (result != ERR_NOT_FOUND) {
        error_set(err, result, "store: cannot read the post-mortem of %s", inc.id);
        goto out;
    }
    result = postmortem_init(j->out, j->cfg, &inc, j->owner, j->actor, now, err);
    if (result != OK)
        goto out;
    if ((result = store_postmortem_insert(tx, j->out)) != OK) {
        error_set(err, result, "store: cannot store the post-mortem");
        goto out;
    }
    json_t *data = json_pack("{s:s,s:s,s:s?,s:b,s:o}", "id", j->out->id, "template",
                             j->out->template_id, "owner", j->out->owner, "required",
                             j->out->required, "due_at", time_or_null(j->out->due_at));
    result = timeline_append(tx, now, j->actor, "postmortem.created", inc.id, data, NULL, err);
    if (result == OK)
        result = checklist_observe(tx, inc.id, CHECK_AUTO_POSTMORTEM, now, err);
out:
    incident_free_fields(&inc);
    return result;
}

enum result postmortem_create_write(struct app *app, const struct config *cfg,
                                    const char *incident_id, const char *owner, const char *actor,
                                    struct postmortem *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    struct create_job j = {app->clock, cfg, incident_id, owner, actor, out};
    return store_write(app->store, create_job, &j, err);
}

struct change_job {
    struct tclock *clock;
    const char *id, *actor;
    const struct postmortem_change *ch;
    struct postmortem *out;
};

static enum result apply_change(struct postmortem *pm, const struct postmortem_change *ch,
                                int64_t now, json_t *changed, struct error *err)
{
    enum result result = OK;
    for (int f = 0; f < PM_FIELD_COUNT && result == OK; f++) {
        if (!ch->set[f])
            continue;
        result = postmortem_set_field(pm, (enum postmortem_field)f, ch->value[f], now, err);
        json_array_append_new(changed,
                              json_string(postmortem_field_name((enum postmortem_field)f)));
    }
    if (result == OK && ch->set_owner) {
        if ((result = postmortem_check_editable(pm, err)) != OK)
            return result;
        free(pm->owner);
        pm->owner = ch->owner ? xstrdup(ch->owner) : NULL;
        pm->updated_at = now;
        json_array_append_new(changed, json_string("owner"));
    }
    return result;
}

enum result postmortem_read(struct store_conn *tx, const char *id, struct postmortem *pm,
                            struct error *err)
{
    enum result result = store_postmortem_get(tx, id, pm);
    if (result != OK)
        return error_set(
            err, result,
            result == ERR_NOT_FOUND ? "id: no post-mortem %.64s" : "store: cannot read %.64s", id);
    return OK;
}

static enum result change_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct change_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct postmortem *pm = j->out;
    enum result result = postmortem_read(tx, j->id, pm, err);
    if (result != OK)
        return result;
    enum postmortem_state from = pm->state;
    json_t *changed = json_array();
    result = apply_change(pm, j->ch, now, changed, err);
    if (result == OK && j->ch->state >= 0)
        result = postmortem_move(pm, (enum postmortem_state)j->ch->state, now, err);
    if (result == OK && (result = store_postmortem_update(tx, pm)) != OK)
        error_set(err, result, "store: cannot update %s", pm->id);
    if (result == OK && json_array_size(changed))
        result =
            timeline_append(tx, now, j->actor, "postmortem.updated", pm->incident_id,
                            json_pack("{s:s,s:O}", "id", pm->id, "fields", changed), NULL, err);
    if (result == OK && pm->state != from) {
        char kind[48];
        snprintf(kind, sizeof kind, "postmortem.%s", postmortem_state_name(pm->state));
        json_t *data = json_pack("{s:s,s:s,s:s}", "id", pm->id, "from", postmortem_state_name(from),
                                 "to", postmortem_state_name(pm->state));
        result = timeline_append(tx, now, j->actor, kind, pm->incident_id, data, NULL, err);
        if (result == OK && pm->state == PM_PUBLISHED)
            store_tx_public_change(tx); /* the status page links a public incident's one */
    }
    json_decref(changed);
    return result;
}

enum result postmortem_change_write(struct app *app, const char *id,
                                    const struct postmortem_change *ch, const char *actor,
                                    struct postmortem *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    struct change_job j = {app->clock, id, actor, ch, out};
    return store_write(app->store, change_job, &j, err);
}

enum result postmortem_close_read(struct store_conn *tx, const char *incident_id,
                                  struct incident_close_pm *out, char id_buf[POSTMORTEM_ID_MAX],
                                  struct error *err)
{
    struct postmortem pm;
    out->id = NULL;
    out->published = false;
    enum result result = store_postmortem_get_by_incident(tx, incident_id, &pm);
    if (result == ERR_NOT_FOUND)
        return OK;
    if (result != OK)
        return error_set(err, result, "store: cannot read the post-mortem of %s", incident_id);
    snprintf(id_buf, POSTMORTEM_ID_MAX, "%s", pm.id);
    out->id = id_buf;
    out->published = pm.state == PM_PUBLISHED;
    postmortem_free_fields(&pm);
    return OK;
}

/* ---- the document's data ---- */

enum { DOC_ROWS_MAX = 5000 };

struct doc_rows {
    struct postmortem_timeline_row *tl;
    struct postmortem_alert_row *al;
    struct postmortem_notification_row *no;
    struct action_item *ac;
    size_t ntl, nal, nno, nac;
    char **strs; /* copies the rows point at */
    size_t nstrs, capstrs;
};

static const char *keep(struct doc_rows *d, const char *s)
{
    if (!s)
        return NULL;
    if (d->nstrs == d->capstrs) {
        d->capstrs = d->capstrs ? 2 * d->capstrs : 64;
        d->strs = xrealloc(d->strs, d->capstrs * sizeof *d->strs);
    }
    return d->strs[d->nstrs++] = xstrdup(s);
}

static int tl_row(const struct timeline_entry *e, void *arg)
{
    struct doc_rows *d = arg;
    if (d->ntl >= DOC_ROWS_MAX)
        return 1;
    d->tl = xrealloc(d->tl, (d->ntl + 1) * sizeof *d->tl);
    d->tl[d->ntl++] = (struct postmortem_timeline_row){e->at, keep(d, e->actor), keep(d, e->kind),
                                                       keep(d, e->data)};
    return 0;
}

static int alert_row(const struct alert *a, void *arg)
{
    struct doc_rows *d = arg;
    if (d->nal >= DOC_ROWS_MAX)
        return 1;
    d->al = xrealloc(d->al, (d->nal + 1) * sizeof *d->al);
    d->al[d->nal++] =
        (struct postmortem_alert_row){a->first_seen, a->resolved_at, keep(d, a->service),
                                      keep(d, alert_status_name(a->status)), keep(d, a->summary)};
    return 0;
}

static int notif_row(const struct store_notification *n, void *arg)
{
    struct doc_rows *d = arg;
    if (d->nno >= DOC_ROWS_MAX)
        return 1;
    d->no = xrealloc(d->no, (d->nno + 1) * sizeof *d->no);
    d->no[d->nno++] =
        (struct postmortem_notification_row){n->created_at, keep(d, n->user_id), keep(d, n->method),
                                             keep(d, n->kind), keep(d, n->status)};
    return 0;
}

static int action_row(const struct action_item *a, void *arg)
{
    struct doc_rows *d = arg;
    if (d->nac >= DOC_ROWS_MAX)
        return 1;
    d->ac = xrealloc(d->ac, (d->nac + 1) * sizeof *d->ac);
    struct action_item *c = &d->ac[d->nac++];
    *c = *a;
    c->title = xstrdup(a->title);
    c->owner = a->owner ? xstrdup(a->owner) : NULL;
    c->priority = xstrdup(a->priority);
    c->incident_id = a->incident_id ? xstrdup(a->incident_id) : NULL;
    c->postmortem_id = a->postmortem_id ? xstrdup(a->postmortem_id) : NULL;
    c->created_by = xstrdup(a->created_by);
    return 0;
}

static void doc_rows_free(struct doc_rows *d)
{
    for (size_t i = 0; i < d->nstrs; i++)
        free(d->strs[i]);
    for (size_t i = 0; i < d->nac; i++)
        action_item_free_fields(&d->ac[i]);
    free(d->strs);
    free(d->tl);
    free(d->al);
    free(d->no);
    free(d->ac);
}

enum result postmortem_render_doc(struct store_conn *c, const struct config *cfg,
                                  const struct postmortem *pm, struct buf *out, struct error *err)
{
    struct incident inc = {0};
    struct doc_rows d = {0};
    enum result result = store_incident_get(c, pm->incident_id, &inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", pm->incident_id);
    struct store_alert_filter af = {.incident_id = inc.id};
    struct store_action_filter xf = {.incident_id = inc.id, .status = -1};
    result = store_timeline_scan(c, inc.id, tl_row, &d);
    if (result == OK)
        result = store_alert_list(c, &af, alert_row, &d);
    if (result == OK)
        result = store_notification_list(c, inc.id, notif_row, &d);
    if (result == OK)
        result = store_action_list(c, &xf, action_row, &d);
    if (result != OK) {
        error_set(err, result, "store: cannot read the data of %s", inc.id);
        goto out;
    }
    struct postmortem_doc doc = {pm, &inc, cfg, d.tl, d.ntl, d.al, d.nal, d.no, d.nno, d.ac, d.nac};
    postmortem_render_md(&doc, out);
out:
    doc_rows_free(&d);
    incident_free_fields(&inc);
    return result;
}
