/* report_gather: see report_gather.h. */
#include "jobs/report_gather.h"
#include "domain/report.h"
#include "store/actions.h"
#include "store/alerts.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "store/postmortems.h"
#include "store/timeline.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

struct gather {
    struct report *rep;
    struct store_conn *c;
    const struct config *cfg;
    enum result failed;
    /* one incident's: */
    int64_t *updates;
    size_t nupdates, cap;
    int64_t first_start;
    int alerts;
};

static int page_one(const struct store_notification *n, void *arg)
{
    struct gather *g = arg;
    bool merged = n->status && (strcmp(n->status, "cancelled") == 0 ||
                                strcmp(n->status, "bundled") == 0); /* not a page of its own */
    if (n->kind && strcmp(n->kind, "page") == 0 && n->user_id && !merged)
        report_add_page(g->rep, n->user_id, n->created_at);
    return 0;
}

static int update_one(const struct timeline_entry *e, void *arg)
{
    struct gather *g = arg;
    if (!report_is_update(e->kind, e->data))
        return 0;
    if (g->nupdates == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->updates = xrealloc(g->updates, g->cap * sizeof *g->updates);
    }
    g->updates[g->nupdates++] = e->at;
    return 0;
}

static int incident_alert(const struct alert *a, void *arg)
{
    struct gather *g = arg;
    g->alerts++;
    int64_t start = report_alert_start(a);
    if (start && (!g->first_start || start < g->first_start))
        g->first_start = start;
    return 0;
}

/* What the review reads of one incident that counts: pages, post-mortem, alerts, updates. */
static enum result incident_facts(struct gather *g, const struct incident *inc)
{
    enum result result = store_notification_list(g->c, inc->id, page_one, g);
    const struct config_severity *sev = config_severity_find(g->cfg, inc->severity);
    struct postmortem pm = {0};
    enum result got = result == OK ? store_postmortem_get_by_incident(g->c, inc->id, &pm) : result;
    if (got == OK)
        report_add_postmortem(g->rep, &pm);
    else if (got == ERR_NOT_FOUND && sev && sev->postmortem_required)
        report_add_postmortem(g->rep, NULL);
    else if (got != ERR_NOT_FOUND)
        result = got;
    if (got == OK)
        postmortem_free_fields(&pm);
    g->first_start = 0;
    g->alerts = 0;
    if (result == OK) {
        struct store_alert_filter f = {.incident_id = inc->id};
        result = store_alert_list(g->c, &f, incident_alert, g);
    }
    if (result == OK)
        report_add_detection(g->rep, inc, g->first_start, g->alerts);
    g->nupdates = 0;
    if (result == OK && sev && sev->update_every > 0)
        result = store_timeline_scan(g->c, inc->id, update_one, g);
    if (result == OK && sev && sev->update_every > 0)
        report_add_cadence(g->rep, inc, sev->update_every, g->updates, g->nupdates);
    return result;
}

static int incident_one(const struct incident *inc, void *arg)
{
    struct gather *g = arg;
    if (!report_add_incident(g->rep, inc))
        return 0;
    enum result result = incident_facts(g, inc);
    if (result != OK) {
        g->failed = result;
        return 1;
    }
    return 0;
}

static int alert_one(const struct alert *a, void *arg)
{
    report_add_alert(((struct gather *)arg)->rep, a);
    return 0;
}

static int action_one(const struct action_item *a, void *arg)
{
    report_add_action(((struct gather *)arg)->rep, a);
    return 0;
}

static enum result month_json(struct store_conn *c, const struct config *cfg, const struct tz *tz,
                              int year, int mon, int64_t now, json_t **out)
{
    struct gather g = {report_new(cfg, tz, year, mon, now), c, cfg, OK, NULL, 0, 0, 0, 0};
    struct store_incident_filter f = {0};
    struct store_alert_filter alf = {0};
    struct store_action_filter af = {.status = -1};
    enum result result = store_incident_list(c, &f, incident_one, &g);
    if (result == OK)
        result = g.failed;
    if (result == OK)
        result = store_alert_list(c, &alf, alert_one, &g);
    if (result == OK)
        result = store_action_list(c, &af, action_one, &g);
    *out = result == OK ? report_json(g.rep) : NULL;
    report_free(g.rep);
    free(g.updates);
    return result;
}

enum result report_gather(struct store_conn *c, const struct config *cfg, const struct tz *tz,
                          int year, int mon, int64_t now, json_t **out)
{
    int py = mon == 1 ? year - 1 : year, pmon = mon == 1 ? 12 : mon - 1;
    json_t *rep = NULL, *prev = NULL;
    enum result result = month_json(c, cfg, tz, year, mon, now, &rep);
    if (result == OK)
        result = month_json(c, cfg, tz, py, pmon, now, &prev);
    if (result != OK) {
        json_decref(rep);
        return result;
    }
    report_add_previous(rep, prev);
    json_decref(prev);
    *out = rep;
    return OK;
}
