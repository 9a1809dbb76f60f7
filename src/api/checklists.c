/*
 * api/checklists: the checklists attached to an incident (docs/internals/checklists.md).
 *   GET  /api/v1/incidents/{id}/checklists                               viewer
 *   POST /api/v1/incidents/{id}/checklists/{checklist}/items/{n}/tick    responder
 * Items are attached by declare and severity changes (jobs/checklists.c); observable ones tick
 * themselves; every tick is on the incident's timeline.
 */
#include "api/api.h"
#include "jobs/checklists.h"
#include "store/checklists.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/num.h"
#include "util/timeutil.h"

#include <string.h>

/* {from, within, due_at (null until the event happened), owner, reminded_at}, or null. */
static json_t *deadline_json(const struct checklist_item *it, const struct incident *inc)
{
    if (!it->due_from)
        return json_null();
    char within[32];
    time_format_duration(it->due_within, within, sizeof within);
    json_t *o = json_pack("{s:s,s:s}", "from", it->due_from, "within", within);
    json_object_set_new(o, "due_at", api_time(inc ? checklist_item_due_at(it, inc) : 0));
    json_object_set_new(o, "owner", api_str_or_null(it->owner ? it->owner : "commander"));
    json_object_set_new(o, "reminded_at", api_time(it->reminded_at));
    return o;
}

static json_t *item_json(const struct checklist_item *it, const struct incident *inc)
{
    const char *a = checklist_auto_name(it->auto_kind);
    json_t *o = json_pack("{s:i,s:s,s:o,s:b}", "n", it->n, "text", it->text, "auto",
                          a ? json_string(a) : json_null(), "done", it->done_at != 0);
    json_object_set_new(o, "done_at", api_time(it->done_at));
    json_object_set_new(o, "done_by", api_str_or_null(it->done_by));
    json_object_set_new(o, "deadline", deadline_json(it, inc));
    return o;
}

struct add_ctx {
    json_t *lists;
    const struct incident *inc;
};

/* Groups the rows (ordered by checklist) into checklist objects. */
static int add_item(const struct checklist_item *it, void *arg)
{
    const struct add_ctx *a = arg;
    json_t *lists = a->lists;
    json_t *last = json_array_get(lists, json_array_size(lists) - 1);
    if (!last || strcmp(json_string_value(json_object_get(last, "id")), it->checklist_id) != 0) {
        last = json_pack("{s:s,s:s,s:o,s:[]}", "id", it->checklist_id, "title", it->title, "phase",
                         api_str_or_null(it->phase), "items");
        json_object_set_new(last, "attached_at", api_time(it->attached_at));
        json_array_append_new(lists, last);
    }
    json_array_append_new(json_object_get(last, "items"), item_json(it, a->inc));
    return 0;
}

static void api_checklists_get(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    json_t *lists = json_array();
    struct add_ctx a = {lists, &inc};
    enum result result = c ? store_checklist_items(c, r->params[0], add_item, &a) : err.code;
    incident_free_fields(&inc);
    if (result != OK) {
        json_decref(lists);
        reply_error(r, result, "store: cannot read the checklists");
        return;
    }
    json_t *body = json_pack("{s:s,s:o}", "incident_id", r->params[0], "checklists", lists);
    reply_json(r, 200, body);
}

static void api_checklist_tick(struct request *r)
{
    static const char *const fields[] = {NULL};
    struct error err = {0};
    json_t *body = NULL;
    int64_t n = 0;
    struct checklist_item it = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK && num_parse_i64(r->params[2], 1, 10000, &n) != 0)
        result =
            error_set(&err, ERR_BAD_REQUEST,
                      "item: \"%.32s\" is not an item number (1, 2, ... as listed)", r->params[2]);
    if (result == OK)
        result = checklist_tick_write(r->app, r->params[0], r->params[1], (int)n, r->who.actor, &it,
                                      &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:o}", "incident_id", r->params[0], "checklist",
                             r->params[1], "item", item_json(&it, NULL)));
    checklist_item_free_fields(&it);
    json_decref(body);
}

static const struct route routes[] = {
    {"GET", "/api/v1/incidents/{id}/checklists", api_checklists_get, ACCESS_VIEWER,
     "checklists_get"},
    {"POST", "/api/v1/incidents/{id}/checklists/{checklist}/items/{n}/tick", api_checklist_tick,
     ACCESS_RESPONDER, "checklist_tick"},
};
HTTP_ROUTES(checklists, routes);
