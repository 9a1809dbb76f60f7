/*
 * api/schedules: on-call schedules (from the config), who is on call (oncall.c over the config and
 * the stored overrides), overrides (responder), and each schedule as an iCalendar feed.
 *   GET    /api/v1/schedules                    every schedule, with each layer's current slot
 *   GET    /api/v1/schedules/{id}               one; {id}.ics: RFC 5545 feed (libical)
 *   GET    /api/v1/oncall[?at=T][&schedule=ID]  the schedule as a whole, then each layer
 *   POST   /api/v1/schedules/{id}/overrides     {user, from, to, layer?, reason?} -> 201
 *   GET    /api/v1/schedules/{id}/overrides[?from=T&to=T]   live overrides overlapping
 *   GET    /api/v1/overrides[?from=T&to=T]      the same for every schedule
 *   DELETE /api/v1/overrides/{id}               remove (404 unknown or already removed)
 * Times T: RFC 3339, "now", "+2h", "-30m" (relative to the server's clock, so --dev-clock moves
 * them too). Writes are one store job each: the overlap check, the insert or removal, and the
 * override.created / override.removed timeline entry land together or not at all.
 * The .ics route is public in the route table and authenticates here (auth_feed_or_reply): a
 * calendar app cannot send a header, so it may pass a user token as ?token=.
 * Threads: request threads; everything read comes from the request's config and a reader.
 */
#include "api/api.h"
#include "api/paging.h"
#include "domain/oncall.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "store/overrides.h"
#include "jobs/timeline.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    REASON_MAX = 1000,
    ICS_EVENTS_MAX = 20000,
};
#define ICS_BACK (7 * MS_PER_DAY)
#define ICS_AHEAD (60 * MS_PER_DAY)
#define FAR_FUTURE (INT64_MAX / 4)

/* ---- overrides read for an answer ------------------------------------------------------------ */

/* The live overrides of `schedule` (NULL: all) that matter for answers in [from, to]. */
static enum result load_overrides_or_reply(struct request *r, const char *schedule, int64_t from,
                                           int64_t to, struct oncall_overrides *out)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result =
        c ? store_override_list(c, schedule, from - ONCALL_HORIZON_MS - 1,
                                to + ONCALL_HORIZON_MS + 1, oncall_overrides_add, out)
          : err.code;
    if (result != OK) {
        oncall_overrides_free(out);
        reply_error(r, result, "store: cannot read overrides");
    }
    return result;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static json_t *override_json(const struct oncall_override *o)
{
    json_t *j = json_pack("{s:s,s:s,s:o,s:s,s:o,s:s}", "id", o->id, "schedule", o->schedule,
                          "layer", api_str_or_null(o->layer), "user", o->user, "reason",
                          api_str_or_null(o->reason), "created_by", o->created_by);
    json_object_set_new(j, "from", api_time(o->from));
    json_object_set_new(j, "to", api_time(o->to));
    json_object_set_new(j, "created_at", api_time(o->created_at));
    if (o->removed_at)
        json_object_set_new(j, "removed_at", api_time(o->removed_at));
    return j;
}

/* {user, from, until, override} added to j; returns j. */
static json_t *slot_into(json_t *j, const struct oncall_slot *sl)
{
    json_object_set_new(j, "user", api_str_or_null(sl->user));
    json_object_set_new(j, "from", api_time(sl->from));
    json_object_set_new(j, "until", api_time(sl->until));
    json_object_set_new(j, "override", sl->override ? json_string(sl->override->id) : json_null());
    return j;
}

static json_t *schedule_json(const struct config_schedule *s, const struct oncall_overrides *ov,
                             int64_t now)
{
    json_t *layers = json_array();
    for (size_t i = 0; i < s->layer_count; i++) {
        const struct config_schedule_layer *l = &s->layers[i];
        char every[48];
        time_format_duration(l->rotation.every, every, sizeof every);
        struct oncall_slot sl;
        oncall_at(s, l->name, ov->items, ov->n, now, &sl);
        json_array_append_new(layers,
                              json_pack("{s:s,s:{s:s,s:s,s:o,s:s},s:o,s:o}", "name", l->name,
                                        "rotation", "every", every, "handoff", l->rotation.handoff,
                                        "users", api_strings(&l->rotation.users), "start",
                                        l->rotation.start ? l->rotation.start : "2024-01-01",
                                        "restrictions", api_strings(&l->restrictions), "oncall",
                                        slot_into(json_object(), &sl)));
    }
    char recent[48] = "";
    if (s->handoff_recent > 0)
        time_format_duration(s->handoff_recent, recent, sizeof recent);
    return json_pack("{s:s,s:s,s:s,s:s?,s:o}", "id", s->id, "name", s->name ? s->name : s->id,
                     "timezone", s->timezone, "handoff_recent", *recent ? recent : NULL, "layers",
                     layers);
}

/* The schedule as a whole, then each layer, into arr. */
static void oncall_entries(const struct config_schedule *s, const struct oncall_overrides *ov,
                           int64_t at, json_t *arr)
{
    struct oncall_slot sl;
    for (size_t i = 0; i <= s->layer_count; i++) {
        const char *layer = i == 0 ? NULL : s->layers[i - 1].name;
        if (oncall_at(s, layer, ov->items, ov->n, at, &sl) != 0)
            continue;
        json_t *j = json_pack("{s:s,s:o}", "schedule", s->id, "layer", api_str_or_null(layer));
        json_array_append_new(arr, slot_into(j, &sl));
    }
}

/* ---- reads ----------------------------------------------------------------------------------- */

static const struct config_schedule *schedule_or_reply(struct request *r, const char *id)
{
    const struct config_schedule *s = config_schedule_find(r->config, id);
    if (!s)
        reply_error(r, ERR_NOT_FOUND, "id: no schedule \"%.64s\"", id);
    return s;
}

/* A time query parameter (absent: dflt). */
static enum result query_time_or_reply(struct request *r, const char *key, int64_t now,
                                       int64_t dflt, int64_t *out)
{
    const char *v = request_query(r, key);
    *out = dflt;
    if (v && oncall_parse_time(v, now, out) != 0) {
        reply_error(r, ERR_BAD_REQUEST,
                    "%s: \"%.40s\" is not a time (RFC 3339, now, +DURATION or -DURATION)", key, v);
        return ERR_BAD_REQUEST;
    }
    return OK;
}

/* Items per page (docs/api.md "Lists"): schedules come from the config (a page holds them all
 * unless asked for fewer); overrides from the store. */
enum { SCHEDULES_DEFAULT = 1000, OVERRIDES_DEFAULT = 100, LIST_MAX = 1000 };

static void api_schedule_list(struct request *r)
{
    struct page p;
    if (!page_parse_or_reply(r, &p, "sch", PAGE_ASC, SCHEDULES_DEFAULT, LIST_MAX))
        return;
    int64_t now = clock_now(r->app->clock);
    struct oncall_overrides ov = {0};
    if (load_overrides_or_reply(r, NULL, now, now, &ov) != OK)
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < r->config->schedule_count; i++) /* keyed by position and id */
        if (page_take(&p, (int64_t)i, r->config->schedules[i].id) == PAGE_TAKE)
            json_array_append_new(arr, schedule_json(&r->config->schedules[i], &ov, now));
    oncall_overrides_free(&ov);
    json_t *out = json_pack("{s:o}", "schedules", arr);
    page_finish(r, &p, out, NULL);
    reply_json(r, 200, out);
}

static void api_oncall(struct request *r)
{
    int64_t now = clock_now(r->app->clock), at;
    const char *only = request_query(r, "schedule");
    if (query_time_or_reply(r, "at", now, now, &at) != OK)
        return;
    if (only && !schedule_or_reply(r, only))
        return;
    struct oncall_overrides ov = {0};
    if (load_overrides_or_reply(r, only, at, at, &ov) != OK)
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < r->config->schedule_count; i++) {
        const struct config_schedule *s = &r->config->schedules[i];
        if (!only || strcmp(only, s->id) == 0)
            oncall_entries(s, &ov, at, arr);
    }
    oncall_overrides_free(&ov);
    json_t *body = json_pack("{s:o,s:o}", "at", api_time(at), "oncall", arr);
    reply_json(r, 200, body);
}

/* ---- the iCalendar feed ---------------------------------------------------------------------- */

struct ics {
    icalcomponent *cal;
    const struct config_schedule *s;
    const char *layer;
    int64_t now;
    size_t events;
};

static struct icaltimetype ics_time(int64_t ms)
{
    return icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
}

static int ics_add(const struct oncall_slot *sl, void *arg)
{
    struct ics *x = arg;
    if (!sl->user)
        return 0;
    bool wide = sl->override && !sl->override->layer;
    if (!x->layer && !wide)
        return 0; /* the whole-schedule pass only adds schedule-wide overrides */
    if (x->events >= ICS_EVENTS_MAX)
        return 1;
    char summary[512], uid[512], start[RFC3339_LEN];
    time_format_rfc3339(sl->from, start);
    if (x->layer)
        snprintf(summary, sizeof summary, "On call: %s (%s/%s)", sl->user, x->s->id, x->layer);
    else
        snprintf(summary, sizeof summary, "On call: %s (%s)", sl->user, x->s->id);
    snprintf(uid, sizeof uid, "%s/%s/%s@tocsin", x->s->id, x->layer ? x->layer : "-", start);
    icalcomponent *ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(ics_time(x->now)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(ics_time(sl->from)));
    icalcomponent_add_property(ev, icalproperty_new_dtend(ics_time(sl->until)));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    if (sl->override) {
        char desc[1200];
        snprintf(desc, sizeof desc, "Override %s%s%s", sl->override->id,
                 sl->override->reason ? ": " : "",
                 sl->override->reason ? sl->override->reason : "");
        icalcomponent_add_property(ev, icalproperty_new_description(desc));
    }
    icalcomponent_add_component(x->cal, ev);
    x->events++;
    return 0;
}

static void reply_ics(struct request *r, const struct config_schedule *s)
{
    int64_t now = clock_now(r->app->clock);
    int64_t from = now - ICS_BACK, to = now + ICS_AHEAD;
    struct oncall_overrides ov = {0};
    if (load_overrides_or_reply(r, s->id, from, to, &ov) != OK)
        return;
    char name[256];
    snprintf(name, sizeof name, "On call: %s", s->name ? s->name : s->id);
    icalcomponent *cal =
        icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
                            icalproperty_new_prodid("-//tocsin//on-call schedule//EN"),
                            icalproperty_new_calscale("GREGORIAN"),
                            icalproperty_new_method(ICAL_METHOD_PUBLISH), (void *)0);
    icalproperty *xname = icalproperty_new_x(name);
    icalproperty_set_x_name(xname, "X-WR-CALNAME");
    icalcomponent_add_property(cal, xname);
    struct ics x = {.cal = cal, .s = s, .now = now};
    for (size_t i = 0; i < s->layer_count; i++) {
        x.layer = s->layers[i].name;
        oncall_shifts(s, x.layer, ov.items, ov.n, from, to, ics_add, &x);
    }
    x.layer = NULL;
    oncall_shifts(s, NULL, ov.items, ov.n, from, to, ics_add, &x);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    oncall_overrides_free(&ov);
    if (!text) {
        reply_error(r, ERR_INTERNAL, "internal: cannot encode the calendar");
        return;
    }
    reply_header(r, "Cache-Control", "private, max-age=300");
    reply_raw(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
}

/* GET /api/v1/schedules/{id}, or {id}.ics (a schedule whose id itself ends in .ics wins). */
static void api_schedule_get(struct request *r)
{
    const char *id = r->params[0];
    size_t n = strlen(id);
    bool ics = !config_schedule_find(r->config, id) && n > 4 && strcmp(id + n - 4, ".ics") == 0;
    if (!(ics ? auth_feed_or_reply(r, ACCESS_VIEWER) : auth_or_reply(r, ACCESS_VIEWER)))
        return;
    char base[HTTP_PARAM_MAX];
    snprintf(base, sizeof base, "%.*s", (int)(ics ? n - 4 : n), id);
    const struct config_schedule *s = schedule_or_reply(r, base);
    if (!s)
        return;
    if (ics) {
        reply_ics(r, s);
        return;
    }
    int64_t now = clock_now(r->app->clock);
    struct oncall_overrides ov = {0};
    if (load_overrides_or_reply(r, s->id, now, now, &ov) != OK)
        return;
    json_t *j = schedule_json(s, &ov, now);
    oncall_overrides_free(&ov);
    reply_json(r, 200, j);
}

/* ---- overrides ------------------------------------------------------------------------------- */

struct override_job {
    struct tclock *clock;
    const char *actor;
    struct oncall_override o;
    const char *from_s, *to_s; /* resolved against the clock inside the job */
    const char *id;            /* remove */
    int64_t now;
};

static enum result resolve_times(struct override_job *j, struct error *err)
{
    if (oncall_parse_time(j->from_s, j->now, &j->o.from) != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "from: \"%.40s\" is not a time (RFC 3339, now, +DURATION or -DURATION)",
                         j->from_s);
    if (oncall_parse_time(j->to_s, j->now, &j->o.to) != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "to: \"%.40s\" is not a time (RFC 3339, now, +DURATION or -DURATION)",
                         j->to_s);
    /* whole seconds, as every time in the API is written */
    j->o.from -= ((j->o.from % 1000) + 1000) % 1000;
    j->o.to -= ((j->o.to % 1000) + 1000) % 1000;
    if (j->o.from >= j->o.to)
        return error_set(err, ERR_BAD_REQUEST, "to: must be after from");
    if (j->o.to <= j->now)
        return error_set(err, ERR_BAD_REQUEST, "to: is already in the past");
    return OK;
}

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct override_job *j = arg;
    j->now = clock_now(j->clock);
    j->o.created_at = j->now;
    enum result result = resolve_times(j, err);
    if (result != OK)
        return result;
    struct oncall_override other;
    result = store_override_find_overlap(tx, j->o.schedule, j->o.layer, j->o.from, j->o.to, &other);
    if (result == OK) {
        char a[RFC3339_LEN], b[RFC3339_LEN];
        time_format_rfc3339(other.from, a);
        time_format_rfc3339(other.to, b);
        error_set(err, ERR_CONFLICT,
                  "from: overlaps override %s (%s, %s to %s) on %s%s%s; remove it first or pick "
                  "another window",
                  other.id, other.user, a, b, other.schedule, other.layer ? "/" : "",
                  other.layer ? other.layer : " (the schedule as a whole)");
        oncall_override_free_fields(&other);
        return ERR_CONFLICT;
    }
    if (result != ERR_NOT_FOUND)
        return error_set(err, result, "store: cannot check overlapping overrides");
    result = store_override_insert(tx, &j->o);
    if (result != OK)
        return error_set(err, result, "store: cannot store the override");
    json_t *data = json_pack("{s:s,s:s,s:o,s:s,s:o}", "id", j->o.id, "schedule", j->o.schedule,
                             "layer", api_str_or_null(j->o.layer), "user", j->o.user, "reason",
                             api_str_or_null(j->o.reason));
    json_object_set_new(data, "from", api_time(j->o.from));
    json_object_set_new(data, "to", api_time(j->o.to));
    return timeline_append(tx, j->now, j->actor, "override.created", NULL, data, NULL, err);
}

/* Validates the body into j (strings borrowed from body). */
static enum result parse_override(struct request *r, json_t *body, const struct config_schedule *s,
                                  struct override_job *j, struct error *err)
{
    static const char *const fields[] = {"user", "from", "to", "layer", "reason", NULL};
    const char *user = NULL, *layer = NULL, *reason = NULL;
    enum result result = jsonv_only(body, fields, err);
    if (result == OK)
        result = jsonv_string(body, "user", true, 1, 64, &user, err);
    if (result == OK)
        result = jsonv_string(body, "from", true, 1, 40, &j->from_s, err);
    if (result == OK)
        result = jsonv_string(body, "to", true, 1, 40, &j->to_s, err);
    if (result == OK)
        result = jsonv_string(body, "layer", false, 1, 64, &layer, err);
    if (result == OK)
        result = jsonv_string(body, "reason", false, 1, REASON_MAX, &reason, err);
    if (result != OK)
        return result;
    int64_t probe, now = clock_now(r->app->clock); /* the job resolves them again, on its clock */
    if (oncall_parse_time(j->from_s, now, &probe) != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "from: \"%.40s\" is not a time (RFC 3339, now, +DURATION or -DURATION)",
                         j->from_s);
    if (oncall_parse_time(j->to_s, now, &probe) != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "to: \"%.40s\" is not a time (RFC 3339, now, +DURATION or -DURATION)",
                         j->to_s);
    if (!config_user_find(r->config, user))
        return error_set(err, ERR_UNPROCESSABLE, "user: unknown user \"%.64s\"", user);
    bool layer_found = false;
    for (size_t i = 0; layer && i < s->layer_count; i++)
        layer_found = layer_found || strcmp(s->layers[i].name, layer) == 0;
    if (layer && !layer_found)
        return error_set(err, ERR_UNPROCESSABLE, "layer: schedule %s has no layer \"%.64s\"", s->id,
                         layer);
    j->o.schedule = s->id;
    j->o.layer = (char *)layer;
    j->o.user = (char *)user;
    j->o.reason = (char *)reason;
    return OK;
}

static void api_override_create(struct request *r)
{
    const struct config_schedule *s = schedule_or_reply(r, r->params[0]);
    if (!s)
        return;
    struct error err = {0};
    json_t *body = NULL;
    struct override_job j = {.clock = r->app->clock, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_override(r, body, s, &j, &err);
    char id[32];
    if (result == OK) {
        char hex[17];
        crypto_random_hex(8, hex);
        snprintf(id, sizeof id, "ovr_%s", hex);
        j.o.id = id;
        j.o.created_by = r->who.actor;
        result = store_write(r->app->store, create_job, &j, &err);
    }
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 201, override_json(&j.o));
    json_decref(body);
}

struct list_ctx {
    json_t *arr;
    struct page *page;
};

/* The store lists overrides by schedule, then start, then id (bytewise): one key that sorts the
 * same way with strcmp is "SCHEDULE\x01START\x01ID", START as 20 digits (offset so that a
 * negative time sorts first); the page's number is unused (0). */
static int list_one(const struct oncall_override *o, void *arg)
{
    struct list_ctx *l = arg;
    char key[PAGE_ID_MAX];
    snprintf(key, sizeof key, "%s\x01%020llu\x01%s", o->schedule,
             (unsigned long long)o->from + 0x8000000000000000ULL, o->id);
    enum page_step step = page_take(l->page, 0, key);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, override_json(o));
    return step == PAGE_STOP;
}

/* GET /api/v1/schedules/{id}/overrides, or /api/v1/overrides (every schedule). */
static void api_override_list(struct request *r)
{
    const struct config_schedule *s = NULL;
    if (r->nparams > 0 && !(s = schedule_or_reply(r, r->params[0])))
        return;
    int64_t now = clock_now(r->app->clock), from, to;
    if (query_time_or_reply(r, "from", now, now, &from) != OK ||
        query_time_or_reply(r, "to", now, FAR_FUTURE, &to) != OK)
        return;
    if (from >= to) {
        reply_error(r, ERR_BAD_REQUEST, "to: must be after from");
        return;
    }
    struct page p;
    if (!page_parse_or_reply(r, &p, "ovr", PAGE_ASC, OVERRIDES_DEFAULT, LIST_MAX))
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), &p};
    enum result result =
        c ? store_override_list(c, s ? s->id : NULL, from, to, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list overrides");
        return;
    }
    json_t *out = json_pack("{s:o}", "overrides", l.arr);
    static const char *const keep[] = {"from", "to", NULL};
    page_finish(r, &p, out, keep);
    reply_json(r, 200, out);
}

static enum result remove_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct override_job *j = arg;
    j->now = clock_now(j->clock);
    enum result result = store_override_get(tx, j->id, &j->o);
    if (result == OK && j->o.removed_at)
        result = ERR_NOT_FOUND;
    if (result == OK)
        result = store_override_remove(tx, j->id, j->now);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no live override %.64s", j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot remove the override");
    j->o.removed_at = j->now;
    json_t *data = json_pack("{s:s,s:s,s:o,s:s}", "id", j->o.id, "schedule", j->o.schedule, "layer",
                             api_str_or_null(j->o.layer), "user", j->o.user);
    return timeline_append(tx, j->now, j->actor, "override.removed", NULL, data, NULL, err);
}

static void api_override_remove(struct request *r)
{
    struct error err = {0};
    struct override_job j = {.clock = r->app->clock, .actor = r->who.actor, .id = r->params[0]};
    enum result result = store_write(r->app->store, remove_job, &j, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, override_json(&j.o));
    oncall_override_free_fields(&j.o);
}

static const struct route routes[] = {
    {"GET", "/api/v1/schedules", api_schedule_list, ACCESS_VIEWER, "schedules_list"},
    /* viewer; public here because the handler authenticates: {id}.ics also takes ?token= */
    {"GET", "/api/v1/schedules/{id}", api_schedule_get, ACCESS_PUBLIC, "schedule_get"},
    {"GET", "/api/v1/oncall", api_oncall, ACCESS_VIEWER, "oncall"},
    {"POST", "/api/v1/schedules/{id}/overrides", api_override_create, ACCESS_RESPONDER,
     "overrides_create"},
    {"GET", "/api/v1/schedules/{id}/overrides", api_override_list, ACCESS_VIEWER, "overrides_list"},
    {"GET", "/api/v1/overrides", api_override_list, ACCESS_VIEWER, "overrides_list_all"},
    {"DELETE", "/api/v1/overrides/{id}", api_override_remove, ACCESS_RESPONDER, "override_remove"},
};
HTTP_ROUTES(schedules, routes);
