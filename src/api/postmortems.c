/*
 * api/postmortems: post-mortems (docs/api.md, docs/internals/postmortems.md).
 *   POST  /api/v1/incidents/{id}/postmortem      {owner?}            create from the template (201)
 *   GET   /api/v1/incidents/{id}/postmortem                          the incident's post-mortem
 *   GET   /api/v1/postmortems/{id}                                   one post-mortem
 *   PATCH /api/v1/postmortems/{id}  {summary?, impact?, root_cause?, contributing_factors?,
 *                                    went_well?, went_badly?, lessons?, owner?, state?}
 *   GET   /api/v1/postmortems/{id}/export?format=markdown|html|json  the document (json: both)
 * Writes are responder, reads viewer. Every change is one store job (jobs/postmortem.c), on the
 * incident's timeline.
 */
#include "api/api.h"
#include "jobs/postmortem.h"
#include "store/postmortems.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PM_DOC_MAX = 8 << 20 }; /* PM_TEXT_MAX: domain/postmortem.h */

static json_t *postmortem_json(const struct postmortem *pm, int64_t now)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}", "id", pm->id, "incident_id", pm->incident_id,
                          "template", pm->template_id, "state", postmortem_state_name(pm->state),
                          "owner", api_str_or_null(pm->owner), "required", pm->required);
    json_object_set_new(o, "due_at", api_time(pm->due_at));
    json_object_set_new(o, "overdue",
                        json_boolean(pm->state != PM_PUBLISHED && pm->due_at && pm->due_at < now));
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        json_object_set_new(o, postmortem_field_name((enum postmortem_field)f),
                            api_str_or_null(pm->fields[f]));
    json_object_set_new(o, "created_at", api_time(pm->created_at));
    json_object_set_new(o, "created_by", json_string(pm->created_by));
    json_object_set_new(o, "updated_at", api_time(pm->updated_at));
    json_object_set_new(o, "published_at", api_time(pm->published_at));
    json_object_set_new(o, "review", postmortem_review_json(pm));
    return o;
}

static bool owner_ok_or_reply(struct request *r, const char *owner)
{
    if (owner && !config_user_find(r->config, owner)) {
        reply_error(r, ERR_UNPROCESSABLE, "owner: unknown user \"%.64s\"", owner);
        return false;
    }
    return true;
}

static void api_postmortem_create(struct request *r)
{
    static const char *const fields[] = {"owner", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *owner = NULL;
    struct postmortem pm = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "owner", false, 1, 64, &owner, &err);
    if (result != OK) {
        reply_from_error(r, &err);
        goto out;
    }
    if (!owner_ok_or_reply(r, owner))
        goto out;
    result =
        postmortem_create_write(r->app, r->config, r->params[0], owner, r->who.actor, &pm, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 201, postmortem_json(&pm, clock_now(r->app->clock)));
out:
    postmortem_free_fields(&pm);
    json_decref(body);
}

/* Reads the post-mortem named by the path (by_incident: params[0] is an incident id). */
static bool load_or_reply(struct request *r, bool by_incident, struct postmortem *pm)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = !c            ? err.code
                         : by_incident ? store_postmortem_get_by_incident(c, r->params[0], pm)
                                       : store_postmortem_get(c, r->params[0], pm);
    if (result == ERR_NOT_FOUND)
        reply_error(r, result,
                    by_incident ? "id: %.64s has no post-mortem (create one with POST)"
                                : "id: no post-mortem %.64s",
                    r->params[0]);
    else if (result != OK)
        reply_error(r, result, "store: cannot read the post-mortem");
    return result == OK;
}

static void get_common(struct request *r, bool by_incident)
{
    struct postmortem pm = {0};
    if (load_or_reply(r, by_incident, &pm))
        reply_json(r, 200, postmortem_json(&pm, clock_now(r->app->clock)));
    postmortem_free_fields(&pm);
}

static void api_postmortem_of_incident(struct request *r)
{
    get_common(r, true);
}

static void api_postmortem_get(struct request *r)
{
    get_common(r, false);
}

static enum result parse_change(struct request *r, json_t *body, struct postmortem_change *ch,
                                struct error *err)
{
    static const char *const fields[] = {
        "summary",   "impact",     "root_cause", "contributing_factors",
        "went_well", "went_badly", "lessons",    "owner",
        "state",     NULL};
    enum result result = jsonv_only(body, fields, err);
    ch->state = -1;
    for (int f = 0; f < PM_FIELD_COUNT && result == OK; f++)
        result = jsonv_string_or_null(body, postmortem_field_name((enum postmortem_field)f), 0,
                                      PM_TEXT_MAX, &ch->value[f], &ch->set[f], err);
    if (result == OK)
        result = jsonv_string_or_null(body, "owner", 1, 64, &ch->owner, &ch->set_owner, err);
    const char *state = NULL;
    if (result == OK)
        result = jsonv_string(body, "state", false, 1, 32, &state, err);
    if (result != OK)
        return result;
    if (state && (ch->state = postmortem_state_parse(state)) < 0)
        return error_set(err, ERR_UNPROCESSABLE,
                         "state: unknown state \"%.32s\" (one of draft, in_review, published)",
                         state);
    if (ch->owner && !config_user_find(r->config, ch->owner))
        return error_set(err, ERR_UNPROCESSABLE, "owner: unknown user \"%.64s\"", ch->owner);
    if (json_object_size(body) == 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "body: nothing to change (give a text field, owner or state)");
    return OK;
}

static void api_postmortem_patch(struct request *r)
{
    struct error err = {0};
    json_t *body = NULL;
    struct postmortem_change ch = {0};
    struct postmortem pm = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_change(r, body, &ch, &err);
    if (result == OK)
        result = postmortem_change_write(r->app, r->params[0], &ch, r->who.actor, &pm, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, postmortem_json(&pm, clock_now(r->app->clock)));
    postmortem_free_fields(&pm);
    json_decref(body);
}

static char *html_page(const struct postmortem *pm, const char *md, size_t len)
{
    char *html = markdown_to_html(md, len);
    if (!html)
        return NULL;
    struct buf b;
    buf_init(&b, PM_DOC_MAX + 4096);
    buf_printf(&b,
               "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<title>%s</title></head>\n<body>\n%s</body></html>\n",
               pm->id, html);
    free(html);
    return buf_steal(&b);
}

static void api_postmortem_export(struct request *r)
{
    const char *format = request_query(r, "format");
    bool html = format && strcmp(format, "html") == 0;
    bool as_json = format && strcmp(format, "json") == 0;
    if (format && !html && !as_json && strcmp(format, "markdown") != 0 &&
        strcmp(format, "md") != 0) {
        reply_error(r, ERR_BAD_REQUEST, "format: must be markdown, html or json, not \"%.32s\"",
                    format);
        return;
    }
    struct postmortem pm = {0};
    struct error err = {0};
    struct buf md;
    buf_init(&md, PM_DOC_MAX);
    if (!load_or_reply(r, false, &pm))
        goto out;
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? postmortem_render_doc(c, r->config, &pm, &md, &err) : err.code;
    if (result != OK) {
        reply_from_error(r, &err);
        goto out;
    }
    if (as_json) { /* both, for clients that read JSON only (the CLI) */
        char *h = markdown_to_html(md.data ? md.data : "", md.len);
        reply_json(r, 200,
                   json_pack("{s:s,s:s%,s:s}", "id", pm.id, "markdown", md.data ? md.data : "",
                             md.len, "html", h ? h : ""));
        free(h);
    } else if (html) {
        char *page = html_page(&pm, md.data ? md.data : "", md.len);
        if (!page) {
            reply_error(r, ERR_INTERNAL, "export: cannot render the HTML");
            goto out;
        }
        reply_header(r, "Content-Security-Policy", "default-src 'none'");
        reply_raw(r, 200, "text/html; charset=utf-8", page, strlen(page));
    } else {
        size_t n = md.len;
        reply_raw(r, 200, "text/markdown; charset=utf-8", buf_steal(&md), n);
    }
out:
    buf_free(&md);
    postmortem_free_fields(&pm);
}

static const struct route routes[] = {
    {"POST", "/api/v1/incidents/{id}/postmortem", api_postmortem_create, ACCESS_RESPONDER,
     "postmortem_create"},
    {"GET", "/api/v1/incidents/{id}/postmortem", api_postmortem_of_incident, ACCESS_VIEWER,
     "postmortem_of_incident"},
    {"GET", "/api/v1/postmortems/{id}", api_postmortem_get, ACCESS_VIEWER, "postmortem_get"},
    {"PATCH", "/api/v1/postmortems/{id}", api_postmortem_patch, ACCESS_RESPONDER,
     "postmortem_patch"},
    {"GET", "/api/v1/postmortems/{id}/export", api_postmortem_export, ACCESS_VIEWER,
     "postmortem_export"},
};
HTTP_ROUTES(postmortems, routes);
