/*
 * api/runbooks: the config's runbooks, and those of an incident (docs/internals/runbooks.md).
 *   GET  /api/v1/runbooks                                           viewer
 *   GET  /api/v1/runbooks/{id}                  (with markdown, html) viewer
 *   GET  /api/v1/incidents/{id}/runbooks        (matched, steps done) viewer
 *   POST /api/v1/incidents/{id}/runbooks/{runbook}/steps/{n}/done   responder
 * The Markdown is rendered to HTML by libcmark (raw HTML off). A step done is a timeline entry.
 */
#include "api/api.h"
#include "domain/runbook.h"
#include "jobs/runbooks.h"
#include "store/alerts.h"
#include "util/buf.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/markdown.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

enum { RB_DOC_MAX = 1 << 20 };

/* review_by (the date, or null) and review_overdue (past the end of that day). */
static json_t *with_review(json_t *o, const struct config_runbook *rb, int64_t now)
{
    json_object_set_new(o, "review_by", api_str_or_null(rb->review_by));
    json_object_set_new(o, "review_overdue",
                        json_boolean(rb->review_by_ms && now >= rb->review_by_ms));
    return o;
}

static json_t *runbook_json(const struct config_runbook *rb, bool full, const struct config *cfg)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:i}", "id", rb->id, "title", rb->title, "url",
                          api_str_or_null(rb->url), "owner", api_str_or_null(rb->owner), "estimate",
                          api_str_or_null(rb->estimate), "step_count", (int)rb->steps.count);
    json_object_set_new(o, "services", api_strings(&rb->services));
    json_object_set_new(o, "alert_labels", api_strings(&rb->alert_labels));
    if (!full)
        return o;
    json_object_set_new(o, "prerequisites", api_strings(&rb->prerequisites));
    json_object_set_new(o, "steps", api_strings(&rb->steps));
    json_object_set_new(o, "rollback", api_str_or_null(rb->rollback));
    struct buf md;
    buf_init(&md, RB_DOC_MAX);
    runbook_render_md(cfg, rb, &md);
    char *html = markdown_to_html(md.data ? md.data : "", md.len);
    json_object_set_new(o, "markdown", json_stringn(md.data ? md.data : "", md.len));
    json_object_set_new(o, "html", json_string(html ? html : ""));
    free(html);
    buf_free(&md);
    return o;
}

static void api_runbook_list(struct request *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->config->runbook_count; i++)
        json_array_append_new(arr,
                              with_review(runbook_json(&r->config->runbooks[i], false, r->config),
                                          &r->config->runbooks[i], clock_now(r->app->clock)));
    reply_json(r, 200, json_pack("{s:o}", "runbooks", arr));
}

static void api_runbook_get(struct request *r)
{
    const struct config_runbook *rb = runbook_find(r->config, r->params[0]);
    if (!rb) {
        reply_error(r, ERR_NOT_FOUND, "runbook: no runbook %.64s", r->params[0]);
        return;
    }
    reply_json(r, 200,
               with_review(runbook_json(rb, true, r->config), rb, clock_now(r->app->clock)));
}

struct label_ctx {
    const struct config *cfg;
    int *match; /* per runbook, RUNBOOK_BY_* bits */
};

static int alert_labels(const struct alert *a, void *arg)
{
    struct label_ctx *l = arg;
    for (size_t i = 0; i < l->cfg->runbook_count; i++)
        if (runbook_labels_match(&l->cfg->runbooks[i], a->labels))
            l->match[i] |= RUNBOOK_BY_LABELS;
    return 0;
}

static json_t *incident_runbook_json(const struct config *cfg, const struct config_runbook *rb,
                                     int match, const struct runbook_dones *d)
{
    json_t *o = runbook_json(rb, true, cfg), *by = json_array(), *steps = json_array();
    if (match & RUNBOOK_BY_SERVICE)
        json_array_append_new(by, json_string("service"));
    if (match & RUNBOOK_BY_TYPE)
        json_array_append_new(by, json_string("type"));
    if (match & RUNBOOK_BY_LABELS)
        json_array_append_new(by, json_string("alert_labels"));
    if (match & RUNBOOK_BY_RULE)
        json_array_append_new(by, json_string("rule"));
    if (!match)
        json_array_append_new(by, json_string("used"));
    for (size_t i = 0; i < rb->steps.count; i++) {
        const struct runbook_done *done = runbook_dones_find(d, rb->id, (int)i + 1);
        json_t *s = json_pack("{s:i,s:s,s:b}", "n", (int)i + 1, "text", rb->steps.items[i], "done",
                              done != NULL);
        json_object_set_new(s, "done_at", api_time(done ? done->at : 0));
        json_object_set_new(s, "done_by", done ? json_string(done->by) : json_null());
        json_array_append_new(steps, s);
    }
    json_object_set_new(o, "matched_by", by);
    json_object_set_new(o, "steps", steps);
    return o;
}

static void api_incident_runbooks(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    const struct config *cfg = r->config;
    struct error err = {0};
    struct runbook_dones d = {0};
    int *match = xcalloc(cfg->runbook_count + 1, sizeof *match);
    struct label_ctx l = {cfg, match};
    struct store_alert_filter f = {.incident_id = inc.id};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? store_alert_list(c, &f, alert_labels, &l) : err.code;
    if (result == OK)
        result = runbook_dones_load(c, inc.id, &d, &err);
    if (result != OK) {
        reply_error(r, result, "store: cannot read the incident's alerts and timeline");
        goto out;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < cfg->runbook_count; i++) {
        const struct config_runbook *rb = &cfg->runbooks[i];
        match[i] |= runbook_static_match(cfg, rb, &inc);
        bool used = false;
        for (size_t k = 0; k < d.n && !used; k++)
            used = strcmp(d.v[k].runbook, rb->id) == 0;
        if (match[i] || used)
            json_array_append_new(arr, incident_runbook_json(cfg, rb, match[i], &d));
    }
    reply_json(r, 200, json_pack("{s:s,s:o}", "incident_id", inc.id, "runbooks", arr));
out:
    free(match);
    runbook_dones_free(&d);
    incident_free_fields(&inc);
}

static void api_runbook_step_done(struct request *r)
{
    static const char *const fields[] = {NULL};
    struct error err = {0};
    json_t *body = NULL;
    int64_t n = 0;
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK && num_parse_i64(r->params[2], 1, 10000, &n) != 0)
        result =
            error_set(&err, ERR_BAD_REQUEST, "step: \"%.32s\" is not a step number", r->params[2]);
    if (result == OK)
        result = runbook_step_done_write(r->app, r->config, r->params[0], r->params[1], (int)n,
                                         r->who.actor, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:i,s:b}", "incident_id", r->params[0], "runbook",
                             r->params[1], "step", (int)n, "done", 1));
    json_decref(body);
}

static const struct route routes[] = {
    {"GET", "/api/v1/runbooks", api_runbook_list, ACCESS_VIEWER, "runbooks_list"},
    {"GET", "/api/v1/runbooks/{id}", api_runbook_get, ACCESS_VIEWER, "runbook_get"},
    {"GET", "/api/v1/incidents/{id}/runbooks", api_incident_runbooks, ACCESS_VIEWER,
     "incident_runbooks"},
    {"POST", "/api/v1/incidents/{id}/runbooks/{runbook}/steps/{n}/done", api_runbook_step_done,
     ACCESS_RESPONDER, "runbook_step_done"},
};
HTTP_ROUTES(runbooks, routes);
