/*
 * api/catalog: the loaded config, read-only (severities, users, services, incident types), and
 * POST /api/v1/config/reload. Answers come from the request's config reference.
 * The lists are paged like every list (api/paging.h): in the config's order, keyed by the
 * position and the id, 1,000 items a page by default (a config rarely holds more).
 */
#include "api/api.h"
#include "api/paging.h"
#include "util/timeutil.h"
#include "store/probes.h"

#include <stdlib.h>

static json_t *duration(int64_t ms)
{
    if (ms < 0)
        return json_null();
    char s[48];
    time_format_duration(ms, s, sizeof s);
    return json_string(s);
}

json_t *api_strings(const struct string_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

/* Items per page of a catalog list (docs/api.md "Lists"). */
enum { CATALOG_DEFAULT = 1000, CATALOG_MAX = 1000 };

/* The list's page parsed (false: 400 answered) */
static bool catalog_page(struct request *r, struct page *p, const char *kind)
{
    return page_parse_or_reply(r, p, kind, PAGE_ASC, CATALOG_DEFAULT, CATALOG_MAX);
}

/* Answers {key: arr, next_cursor} */
static void catalog_reply(struct request *r, struct page *p, const char *key, json_t *arr)
{
    json_t *out = json_pack("{s:o}", key, arr);
    page_finish(r, p, out, NULL);
    reply_json(r, 200, out);
}

/* Whether item i (its id) goes on this page; false also once the page is full. */
static bool catalog_take(struct page *p, size_t i, const char *id)
{
    return page_take(p, (int64_t)i, id) == PAGE_TAKE;
}

static void api_severities(struct request *r)
{
    const struct config *c = r->config;
    struct page p;
    if (!catalog_page(r, &p, "sev"))
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < c->severity_count; i++) {
        const struct config_severity *s = &c->severities[i];
        if (!catalog_take(&p, i, s->id))
            continue;
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o,s:i,s:o,s:o,s:o,s:o,s:{s:b,s:o}}", "id", s->id, "name",
                           s->name, "description", api_str_or_null(s->description), "rank", s->rank,
                           "ack_within", duration(s->ack_within), "resolve_within",
                           duration(s->resolve_within), "update_every", duration(s->update_every),
                           "notify", api_strings(&s->notify), "postmortem", "required",
                           s->postmortem_required, "due", duration(s->postmortem_due)));
    }
    catalog_reply(r, &p, "severities", arr);
}

static void api_users(struct request *r)
{
    const struct config *c = r->config;
    struct page p;
    if (!catalog_page(r, &p, "usr"))
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < c->user_count; i++) {
        const struct config_user *u = &c->users[i];
        if (!catalog_take(&p, i, u->id))
            continue;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", u->id, "name", u->name,
                                             "email", api_str_or_null(u->email), "phone",
                                             api_str_or_null(u->phone), "timezone",
                                             api_str_or_null(u->timezone)));
    }
    catalog_reply(r, &p, "users", arr);
}

static void api_services(struct request *r)
{
    const struct config *c = r->config;
    struct page p;
    if (!catalog_page(r, &p, "svc"))
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < c->service_count; i++) {
        const struct config_service *s = &c->services[i];
        if (!catalog_take(&p, i, s->id))
            continue;
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "id", s->id, "name", s->name, "description",
                           api_str_or_null(s->description), "escalation",
                           api_str_or_null(s->escalation), "component",
                           api_str_or_null(s->component), "runbooks", api_strings(&s->runbooks)));
    }
    catalog_reply(r, &p, "services", arr);
}

static void api_incident_types(struct request *r)
{
    const struct config *c = r->config;
    struct page p;
    if (!catalog_page(r, &p, "typ"))
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < c->type_count; i++) {
        const struct config_incident_type *t = &c->types[i];
        if (!catalog_take(&p, i, t->id))
            continue;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", t->id, "name", t->name,
                                             "description", api_str_or_null(t->description),
                                             "escalation", api_str_or_null(t->escalation),
                                             "severity", api_str_or_null(t->severity)));
    }
    catalog_reply(r, &p, "incident_types", arr);
}

static void api_config_reload(struct request *r)
{
    struct config_errors errs = {0};
    struct error err = {0};
    enum result result = app_reload(r->app, r->who.actor, &errs, &err);
    if (result == OK) {
        reply_json(r, 200, json_pack("{s:b}", "reloaded", 1));
    } else if (errs.count) {
        json_t *list = json_array();
        for (size_t i = 0; i < errs.count; i++)
            json_array_append_new(list, json_string(errs.items[i]));
        json_t *body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "unprocessable", "message",
                                 errs.items[0], "errors", list);
        reply_json(r, 422, body);
    } else {
        reply_from_error(r, &err);
    }
    config_errors_free(&errs);
}

static json_t *uptime(struct store_conn *c, const char *service, int64_t since)
{
    int64_t ok = 0, total = 0;
    if (store_probe_uptime(c, service, since, &ok, &total) != OK || total == 0)
        return json_null();
    return json_real((double)ok * 100.0 / (double)total);
}

static void api_service_probe(struct request *r)
{
    const struct config_service *svc = config_service_find(r->config, r->params[0]);
    if (!svc) {
        reply_error(r, ERR_NOT_FOUND, "id: no service %.64s", r->params[0]);
        return;
    }
    if (!svc->probe) {
        reply_error(r, ERR_NOT_FOUND, "probe: service %s has no probe configured", svc->id);
        return;
    }
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return;
    }
    struct store_probe_result last = {0};
    json_t *jlast = json_null();
    if (store_probe_last(c, svc->id, &last) == OK) {
        json_decref(jlast);
        jlast =
            json_pack("{s:o,s:b,s:i,s:f,s:s?}", "at", api_time(last.at), "ok", last.ok, "status",
                      last.status, "latency_ms", last.latency_ms, "error", last.error);
        free(last.error);
    }
    int64_t now = clock_now(r->app->clock);
    json_t *up = json_pack("{s:o,s:o,s:o}", "1h", uptime(c, svc->id, now - 3600 * 1000LL), "24h",
                           uptime(c, svc->id, now - 86400 * 1000LL), "7d",
                           uptime(c, svc->id, now - 7 * 86400 * 1000LL));
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:o,s:o}", "service", svc->id, "url", svc->probe->url, "last",
                         jlast, "uptime", up));
}

static const struct route routes[] = {
    {"GET", "/api/v1/severities", api_severities, ACCESS_VIEWER, "severities"},
    {"GET", "/api/v1/users", api_users, ACCESS_VIEWER, "users"},
    {"GET", "/api/v1/services", api_services, ACCESS_VIEWER, "services"},
    {"GET", "/api/v1/incident_types", api_incident_types, ACCESS_VIEWER, "incident_types"},
    {"POST", "/api/v1/config/reload", api_config_reload, ACCESS_ADMIN, "config_reload"},
    {"GET", "/api/v1/services/{id}/probe", api_service_probe, ACCESS_VIEWER, "service_probe"},
};
HTTP_ROUTES(catalog, routes);
