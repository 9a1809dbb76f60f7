/*
 * api/actions: action items across incidents (docs/api.md).
 *   POST  /api/v1/actions  {title, owner?, priority? (p0..p3, default p2), due_at? | due_in?,
 *                           incident?, postmortem?}                                   (201)
 *   GET   /api/v1/actions?owner=&status=open|done|all&incident=&overdue=true
 *   GET   /api/v1/actions/{id}
 *   PATCH /api/v1/actions/{id}  {title?, owner?, priority?, due_at?, status? ("done")}
 *   POST  /api/v1/actions/{id}/done
 * Writes are responder, reads viewer. Each change is one store job (jobs/actions.c) and goes on
 * the linked incident's timeline.
 */
#include "api/api.h"
#include "api/paging.h"
#include "jobs/postmortem.h"
#include "store/actions.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TITLE_MAX = 500 };

static json_t *action_json(const struct action_item *a, int64_t now)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:s}", "id", a->id, "title", a->title, "owner",
                          api_str_or_null(a->owner), "priority", a->priority, "status",
                          action_status_name(a->status));
    json_object_set_new(o, "due_at", api_time(a->due_at));
    json_object_set_new(o, "overdue",
                        json_boolean(a->status == ACTION_OPEN && a->due_at && a->due_at < now));
    json_object_set_new(o, "incident_id", api_str_or_null(a->incident_id));
    json_object_set_new(o, "postmortem_id", api_str_or_null(a->postmortem_id));
    json_object_set_new(o, "created_at", api_time(a->created_at));
    json_object_set_new(o, "created_by", json_string(a->created_by));
    json_object_set_new(o, "updated_at", api_time(a->updated_at));
    json_object_set_new(o, "done_at", api_time(a->done_at));
    return o;
}

/* due_at (RFC 3339) or due_in (a duration from now) into *due (0: neither given). */
static enum result parse_due(struct request *r, json_t *body, bool *present, int64_t *due,
                             struct error *err)
{
    const char *at = NULL, *in = NULL;
    bool at_set = false;
    enum result result = jsonv_string_or_null(body, "due_at", 1, 40, &at, &at_set, err);
    if (result == OK)
        result = jsonv_string(body, "due_in", false, 1, 32, &in, err);
    if (result != OK)
        return result;
    if (at && in)
        return error_set(err, ERR_BAD_REQUEST, "due_in: give due_at or due_in, not both");
    int64_t ms = 0;
    if (at && time_parse_rfc3339(at, &ms) != 0)
        return error_set(err, ERR_BAD_REQUEST, "due_at: must be an RFC 3339 time, not \"%.40s\"",
                         at);
    if (in && (time_parse_duration(in, &ms) != 0 || ms <= 0))
        return error_set(err, ERR_BAD_REQUEST,
                         "due_in: \"%.32s\" is not a positive duration (use 2d, 1w)", in);
    if (in)
        ms += clock_now(r->app->clock);
    *present = at_set || in;
    *due = ms;
    return OK;
}

static enum result parse_owner_priority(struct request *r, json_t *body, const char **owner,
                                        bool *owner_set, const char **priority, struct error *err)
{
    enum result result = jsonv_string_or_null(body, "owner", 1, 64, owner, owner_set, err);
    if (result == OK)
        result = jsonv_string(body, "priority", false, 1, 8, priority, err);
    if (result != OK)
        return result;
    if (*owner && !config_user_find(r->config, *owner))
        return error_set(err, ERR_UNPROCESSABLE, "owner: unknown user \"%.64s\"", *owner);
    if (*priority && !action_priority_valid(*priority))
        return error_set(err, ERR_UNPROCESSABLE,
                         "priority: unknown priority \"%.8s\" (one of p0, p1, p2, p3)", *priority);
    return OK;
}

static void api_action_create(struct request *r)
{
    static const char *const fields[] = {"title",  "owner",    "priority",   "due_at",
                                         "due_in", "incident", "postmortem", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *title = NULL, *owner = NULL, *priority = NULL, *inc = NULL, *pm = NULL;
    bool owner_set = false, due_set = false;
    struct action_item a = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "title", true, 1, TITLE_MAX, &title, &err);
    if (result == OK)
        result = parse_owner_priority(r, body, &owner, &owner_set, &priority, &err);
    if (result == OK)
        result = parse_due(r, body, &due_set, &a.due_at, &err);
    if (result == OK)
        result = jsonv_string(body, "incident", false, 1, 64, &inc, &err);
    if (result == OK)
        result = jsonv_string(body, "postmortem", false, 1, 64, &pm, &err);
    if (result == OK) {
        a.title = xstrdup(title);
        a.owner = owner ? xstrdup(owner) : NULL;
        a.priority = xstrdup(priority ? priority : "p2");
        a.incident_id = inc ? xstrdup(inc) : NULL;
        a.postmortem_id = pm ? xstrdup(pm) : NULL;
        result = action_add_write(r->app, &a, r->who.actor, &err);
    }
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 201, action_json(&a, clock_now(r->app->clock)));
    action_item_free_fields(&a);
    json_decref(body);
}

/* Items per page (docs/api.md "Lists"). */
enum { LIST_DEFAULT = 100, LIST_MAX = 1000 };

struct list_ctx {
    json_t *arr;
    int64_t now;
    struct page *page;
};

static int list_one(const struct action_item *a, void *arg)
{
    struct list_ctx *l = arg;
    enum page_step step = page_take(l->page, a->created_at, a->id);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, action_json(a, l->now));
    return step == PAGE_STOP;
}

static void api_action_list(struct request *r)
{
    struct error err = {0};
    const char *status = request_query(r, "status"), *overdue = request_query(r, "overdue");
    struct store_action_filter f = {.owner = request_query(r, "owner"),
                                    .incident_id = request_query(r, "incident"),
                                    .status = ACTION_OPEN};
    int64_t now = clock_now(r->app->clock);
    if (status && strcmp(status, "all") == 0)
        f.status = -1;
    else if (status && (f.status = action_status_parse(status)) < 0) {
        reply_error(r, ERR_BAD_REQUEST, "status: must be open, done or all, not \"%.32s\"", status);
        return;
    }
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0) {
        reply_error(r, ERR_BAD_REQUEST, "overdue: must be true or false, not \"%.32s\"", overdue);
        return;
    }
    if (overdue && strcmp(overdue, "true") == 0)
        f.overdue_at = now;
    struct page page;
    if (!page_parse_or_reply(r, &page, "act", PAGE_ASC, LIST_DEFAULT, LIST_MAX))
        return;
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), now, &page};
    enum result result = c ? store_action_list(c, &f, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list action items");
        return;
    }
    json_t *out = json_pack("{s:o}", "actions", l.arr);
    static const char *const keep[] = {"status", "owner", "incident", "overdue", NULL};
    page_finish(r, &page, out, keep);
    reply_json(r, 200, out);
}

static void api_action_get(struct request *r)
{
    struct error err = {0};
    struct action_item a = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? store_action_get(c, r->params[0], &a) : err.code;
    if (result == ERR_NOT_FOUND)
        reply_error(r, result, "id: no action item %.64s", r->params[0]);
    else if (result != OK)
        reply_error(r, result, "store: cannot read the action item");
    else
        reply_json(r, 200, action_json(&a, clock_now(r->app->clock)));
    action_item_free_fields(&a);
}

static void change_common(struct request *r, const struct action_change *ch)
{
    struct error err = {0};
    struct action_item a = {0};
    enum result result = action_change_write(r->app, r->params[0], ch, r->who.actor, &a, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, action_json(&a, clock_now(r->app->clock)));
    action_item_free_fields(&a);
}

static void api_action_patch(struct request *r)
{
    static const char *const fields[] = {"title", "owner", "priority", "due_at", "status", NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct action_change ch = {0};
    const char *status = NULL;
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "title", false, 1, TITLE_MAX, &ch.title, &err);
    if (result == OK)
        result = parse_owner_priority(r, body, &ch.owner, &ch.set_owner, &ch.priority, &err);
    if (result == OK)
        result = parse_due(r, body, &ch.set_due, &ch.due_at, &err);
    if (result == OK)
        result = jsonv_string(body, "status", false, 1, 16, &status, &err);
    if (result == OK && status && strcmp(status, "done") != 0)
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "status: only \"done\" can be set (an item is open until done)");
    if (result == OK && json_object_size(body) == 0)
        result = error_set(&err, ERR_BAD_REQUEST, "body: nothing to change");
    ch.done = status != NULL;
    if (result == OK)
        change_common(r, &ch);
    else
        reply_from_error(r, &err);
    json_decref(body);
}

static void api_action_done(struct request *r)
{
    struct action_change ch = {.done = true};
    change_common(r, &ch);
}

static const struct route routes[] = {
    {"POST", "/api/v1/actions", api_action_create, ACCESS_RESPONDER, "actions_create"},
    {"GET", "/api/v1/actions", api_action_list, ACCESS_VIEWER, "actions_list"},
    {"GET", "/api/v1/actions/{id}", api_action_get, ACCESS_VIEWER, "action_get"},
    {"PATCH", "/api/v1/actions/{id}", api_action_patch, ACCESS_RESPONDER, "action_patch"},
    {"POST", "/api/v1/actions/{id}/done", api_action_done, ACCESS_RESPONDER, "action_done"},
};
HTTP_ROUTES(actions, routes);
