/*
 * api/integrations: integration keys (admin). A key is 32 lowercase hex characters (the shape of
 * a PagerDuty routing key, so tools that check the length accept it), shown once; the store keeps
 * its SHA-256. Each key is bound to one service and one intake format. Creating, revoking and
 * listing are jobs/credential.h's (shared with user tokens); this file keeps the request's checks
 * and the integration's JSON.
 */
#include "api/api.h"
#include "api/paging.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "jobs/credential.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {"alertmanager", "events_v2", "generic", "heartbeat", NULL};

json_t *api_integration_json(const struct store_credential *i)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", i->id, "name", i->name, "service",
                     i->service, "type", i->type, "created_at", api_time(i->created_at),
                     "revoked_at", api_time(i->revoked_at));
}

static bool known_type(const char *t)
{
    for (const char *const *p = types; *p; p++)
        if (strcmp(*p, t) == 0)
            return true;
    return false;
}

static enum result parse_create(struct request *r, json_t *body, const char **service,
                                const char **type, const char **name, struct error *err)
{
    static const char *const fields[] = {"service", "type", "name", NULL};
    enum result result = jsonv_only(body, fields, err);
    if (result == OK)
        result = jsonv_string(body, "service", true, 1, 64, service, err);
    if (result == OK)
        result = jsonv_string(body, "type", true, 1, 32, type, err);
    if (result == OK)
        result = jsonv_string(body, "name", false, 1, 64, name, err);
    if (result != OK)
        return result;
    if (*name && !jsonv_is_name(*name))
        return error_set(err, ERR_BAD_REQUEST, "name: use letters, digits, '.', '_' and '-' only");
    if (!known_type(*type))
        return error_set(err, ERR_UNPROCESSABLE,
                         "type: unknown type \"%.32s\" (one of alertmanager, events_v2, generic, "
                         "heartbeat)",
                         *type);
    if (!config_service_find(r->config, *service))
        return error_set(err, ERR_UNPROCESSABLE, "service: unknown service \"%.64s\"", *service);
    return OK;
}

static void api_integration_create(struct request *r)
{
    struct error err = {0};
    json_t *body = NULL;
    const char *service = NULL, *type = NULL, *name = NULL;
    struct store_credential i = {.kind = CRED_INTEGRATION};
    char key[CREDENTIAL_SECRET_MAX];
    char defname[160];
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_create(r, body, &service, &type, &name, &err);
    if (result == OK) {
        credential_new_secret(CRED_INTEGRATION, key);
        snprintf(defname, sizeof defname, "%s-%s", service, type);
        i.name = (char *)(name ? name : defname);
        i.service = (char *)service;
        i.type = (char *)type;
        result =
            credential_create(r->app->store, clock_now(r->app->clock), r->who.actor, key, &i, &err);
    }
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        json_t *o = api_integration_json(&i);
        json_object_set_new(o, "key", json_string(key));
        reply_json(r, 201, o);
    }
    json_decref(body);
}

/* Items per page (docs/api.md "Lists"). */
enum { LIST_DEFAULT = 100, LIST_MAX = 1000 };

struct list_ctx {
    json_t *arr;
    struct page *page;
};

static int list_one(const struct store_credential *i, void *arg)
{
    struct list_ctx *l = arg;
    enum page_step step = page_take(l->page, i->created_at, i->id);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, api_integration_json(i));
    return step == PAGE_STOP;
}

static void api_integration_list(struct request *r)
{
    struct error err = {0};
    struct page page;
    if (!page_parse_or_reply(r, &page, "int", PAGE_ASC, LIST_DEFAULT, LIST_MAX))
        return;
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), &page};
    enum result result = c ? credential_list(c, CRED_INTEGRATION, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list integrations");
        return;
    }
    json_t *out = json_pack("{s:o}", "integrations", l.arr);
    page_finish(r, &page, out, NULL);
    reply_json(r, 200, out);
}

static void api_integration_revoke(struct request *r)
{
    struct error err = {0};
    struct store_credential i;
    enum result result = credential_revoke(r->app->store, clock_now(r->app->clock), r->who.actor,
                                           CRED_INTEGRATION, r->params[0], &i, &err);
    if (result != OK) {
        reply_from_error(r, &err);
        return;
    }
    reply_json(r, 200, api_integration_json(&i));
    store_credential_free_fields(&i);
}

static const struct route routes[] = {
    {"POST", "/api/v1/integrations", api_integration_create, ACCESS_ADMIN, "integrations_create"},
    {"GET", "/api/v1/integrations", api_integration_list, ACCESS_ADMIN, "integrations_list"},
    {"DELETE", "/api/v1/integrations/{id}", api_integration_revoke, ACCESS_ADMIN,
     "integration_revoke"},
};
HTTP_ROUTES(integrations, routes);
