/*
 * api/silences: silences and maintenance windows (responder). A silence matches alerts on its
 * service (any service when none) whose labels carry every matcher's value, between starts_at and
 * ends_at. A silence with a service and no matchers is a maintenance window for that service.
 * Silenced alerts are stored and visible but open and join nothing (ingest.c).
 */
#include "api/api.h"
#include "api/paging.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "store/silences.h"
#include "jobs/timeline.h"

#include <stdio.h>
#include <string.h>

enum { REASON_MAX = 1000, MATCHERS_MAX = 32 };

static json_t *silence_json(const struct silence *s, int64_t now)
{
    json_t *m = json_loads(s->matchers ? s->matchers : "{}", 0, NULL);
    const char *state = now < s->starts_at ? "pending" : now < s->ends_at ? "active" : "expired";
    json_t *o = json_pack("{s:s,s:s?,s:o,s:s,s:s,s:s}", "id", s->id, "service", s->service,
                          "matchers", m ? m : json_object(), "reason", s->reason, "created_by",
                          s->created_by, "state", state);
    json_object_set_new(o, "starts_at", api_time(s->starts_at));
    json_object_set_new(o, "ends_at", api_time(s->ends_at));
    json_object_set_new(o, "created_at", api_time(s->created_at));
    return o;
}

struct silence_job {
    struct tclock *clock;
    const char *actor;
    const char *id;
    struct silence s;
    int64_t now;
    bool relative; /* starts_at/ends_at to be set from now */
    int64_t duration;
};

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct silence_job *j = arg;
    j->now = clock_now(j->clock);
    j->s.created_at = j->now;
    if (!j->s.starts_at)
        j->s.starts_at = j->now;
    if (j->relative && time_add_in_range(j->s.starts_at, j->duration, &j->s.ends_at) != 0)
        return error_set(err, ERR_UNPROCESSABLE,
                         "duration: the silence would end after " TIME_MAX_TEXT
                         " (years past 9999 are not supported)");
    if (j->s.ends_at <= j->now)
        return error_set(err, ERR_BAD_REQUEST, "ends_at: is already in the past");
    enum result result = store_silence_insert(tx, &j->s);
    if (result != OK)
        return error_set(err, result, "store: cannot store the silence");
    json_t *data = json_pack("{s:s,s:s?,s:s,s:s}", "id", j->s.id, "service", j->s.service,
                             "matchers", j->s.matchers, "reason", j->s.reason);
    return timeline_append(tx, j->now, j->actor, "silence.created", NULL, data, NULL, err);
}

static enum result parse_matchers(json_t *body, char **out, struct error *err)
{
    json_t *m = json_object_get(body, "matchers");
    if (!m || json_is_null(m)) {
        *out = xstrdup("{}");
        return OK;
    }
    if (!json_is_object(m))
        return error_set(err, ERR_BAD_REQUEST, "matchers: must be an object {label: value}");
    if (json_object_size(m) > MATCHERS_MAX)
        return error_set(err, ERR_BAD_REQUEST, "matchers: at most %d", MATCHERS_MAX);
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        if (!json_is_string(v))
            return error_set(err, ERR_BAD_REQUEST, "matchers.%.64s: must be a string", k);
    }
    *out = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    return OK;
}

static enum result parse_times(json_t *body, struct silence_job *j, struct error *err)
{
    const char *starts = NULL, *ends = NULL, *dur = NULL;
    enum result result = jsonv_string(body, "starts_at", false, 1, 40, &starts, err);
    if (result == OK)
        result = jsonv_string(body, "ends_at", false, 1, 40, &ends, err);
    if (result == OK)
        result = jsonv_string(body, "duration", false, 1, 32, &dur, err);
    if (result != OK)
        return result;
    if (starts && time_parse_rfc3339(starts, &j->s.starts_at) != 0)
        return error_set(err, ERR_BAD_REQUEST, "starts_at: must be an RFC 3339 time");
    if (!!ends == !!dur)
        return error_set(err, ERR_BAD_REQUEST, "duration: give exactly one of duration or ends_at");
    if (ends && time_parse_rfc3339(ends, &j->s.ends_at) != 0)
        return error_set(err, ERR_BAD_REQUEST, "ends_at: must be an RFC 3339 time");
    if (dur && (time_parse_duration(dur, &j->duration) != 0 || j->duration <= 0))
        return error_set(err, ERR_BAD_REQUEST,
                         "duration: \"%.32s\" is not a positive duration (use 30m, 2h, 1d)", dur);
    if (starts && j->s.starts_at > TIME_MAX_MS)
        return error_set(err, ERR_UNPROCESSABLE,
                         "starts_at: after " TIME_MAX_TEXT " (years past 9999 are not supported)");
    if (ends && j->s.ends_at > TIME_MAX_MS)
        return error_set(err, ERR_UNPROCESSABLE,
                         "ends_at: after " TIME_MAX_TEXT " (years past 9999 are not supported)");
    j->relative = dur != NULL;
    if (ends && j->s.starts_at && j->s.ends_at <= j->s.starts_at)
        return error_set(err, ERR_BAD_REQUEST, "ends_at: must be after starts_at");
    return OK;
}

static void api_silence_create(struct request *r)
{
    static const char *const fields[] = {"service",  "matchers", "starts_at", "ends_at",
                                         "duration", "reason",   NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *service = NULL, *reason = NULL;
    struct silence_job j = {.clock = r->app->clock, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "service", false, 1, 64, &service, &err);
    if (result == OK)
        result = jsonv_string(body, "reason", true, 1, REASON_MAX, &reason, &err);
    if (result == OK)
        result = parse_matchers(body, &j.s.matchers, &err);
    if (result == OK)
        result = parse_times(body, &j, &err);
    if (result == OK && service && !config_service_find(r->config, service))
        result = error_set(&err, ERR_UNPROCESSABLE, "service: unknown service \"%.64s\"", service);
    if (result == OK && !service && strcmp(j.s.matchers, "{}") == 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "matchers: give a service, matchers, or both (a silence of everything "
                           "is refused)");
    if (result == OK) {
        char hex[17];
        crypto_random_hex(8, hex);
        snprintf(j.s.id, sizeof j.s.id, "sil_%s", hex);
        j.s.service = (char *)service;
        j.s.reason = (char *)reason;
        j.s.created_by = r->who.actor;
        result = store_write(r->app->store, create_job, &j, &err);
    }
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 201, silence_json(&j.s, j.now));
    free(j.s.matchers);
    json_decref(body);
}

/* Items per page (docs/api.md "Lists"). */
enum { LIST_DEFAULT = 100, LIST_MAX = 1000 };

struct list_ctx {
    json_t *arr;
    int64_t now;
    struct page *page;
};

static int list_one(const struct silence *s, void *arg)
{
    struct list_ctx *l = arg;
    enum page_step step = page_take(l->page, s->starts_at, s->id);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, silence_json(s, l->now));
    return step == PAGE_STOP;
}

static void api_silence_list(struct request *r)
{
    struct error err = {0};
    const char *all = request_query(r, "all");
    struct page page;
    if (!page_parse_or_reply(r, &page, "sil", PAGE_ASC, LIST_DEFAULT, LIST_MAX))
        return;
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), clock_now(r->app->clock), &page};
    bool include = all && strcmp(all, "true") == 0;
    enum result result = c ? store_silence_list(c, include, l.now, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list silences");
        return;
    }
    json_t *out = json_pack("{s:o}", "silences", l.arr);
    static const char *const keep[] = {"all", NULL};
    page_finish(r, &page, out, keep);
    reply_json(r, 200, out);
}

static enum result expire_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct silence_job *j = arg;
    j->now = clock_now(j->clock);
    enum result result = store_silence_expire(tx, j->id, j->now);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no active or pending silence %.64s", j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot expire the silence");
    json_t *data = json_pack("{s:s}", "id", j->id);
    return timeline_append(tx, j->now, j->actor, "silence.expired", NULL, data, NULL, err);
}

static void api_silence_expire(struct request *r)
{
    struct error err = {0};
    struct silence_job j = {.clock = r->app->clock, .actor = r->who.actor, .id = r->params[0]};
    enum result result = store_write(r->app->store, expire_job, &j, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, json_pack("{s:s,s:s}", "id", j.id, "state", "expired"));
}

static const struct route routes[] = {
    {"POST", "/api/v1/silences", api_silence_create, ACCESS_RESPONDER, "silences_create"},
    {"GET", "/api/v1/silences", api_silence_list, ACCESS_VIEWER, "silences_list"},
    {"DELETE", "/api/v1/silences/{id}", api_silence_expire, ACCESS_RESPONDER, "silence_expire"},
};
HTTP_ROUTES(silences, routes);
