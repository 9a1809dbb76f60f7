/*
 * api/integrations: integration keys (admin). A key is 32 lowercase hex characters (the shape of
 * a PagerDuty routing key, so tools that check the length accept it), shown once; the store keeps
 * its SHA-256. Each key is bound to one service and one intake format.
 */
#include "api/api.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "store/credentials.h"
#include "jobs/timeline.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {"alertmanager", "events_v2", "generic", "heartbeat", NULL};

struct integration_job {
    struct tclock *clock;
    const char *actor;
    const char *id;
    struct store_integration i;
    char key[33];
};

json_t *api_integration_json(const struct store_integration *i)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", i->id, "name", i->name, "service",
                     i->service, "type", i->type, "created_at", api_time(i->created_at),
                     "revoked_at", api_time(i->revoked_at));
}

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct integration_job *j = arg;
    j->i.created_at = clock_now(j->clock);
    enum result result = store_integration_insert(tx, &j->i);
    if (result != OK)
        return error_set(err, result, "store: cannot store the integration");
    json_t *data = json_pack("{s:s,s:s,s:s,s:s}", "id", j->i.id, "name", j->i.name, "service",
                             j->i.service, "type", j->i.type);
    return timeline_append(tx, j->i.created_at, j->actor, "integration.created", NULL, data, NULL,
                           err);
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
    struct integration_job j = {.clock = r->app->clock, .actor = r->who.actor};
    char defname[160];
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_create(r, body, &service, &type, &name, &err);
    if (result == OK) {
        char hex[17];
        crypto_random_hex(8, hex);
        snprintf(j.i.id, sizeof j.i.id, "int_%s", hex);
        crypto_random_hex(16, j.key);
        crypto_sha256_hex(j.key, strlen(j.key), j.i.hash);
        snprintf(defname, sizeof defname, "%s-%s", service, type);
        j.i.name = (char *)(name ? name : defname);
        j.i.service = (char *)service;
        j.i.type = (char *)type;
        result = store_write(r->app->store, create_job, &j, &err);
    }
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        json_t *o = api_integration_json(&j.i);
        json_object_set_new(o, "key", json_string(j.key));
        reply_json(r, 201, o);
    }
    json_decref(body);
}

static int list_one(const struct store_integration *i, void *arr)
{
    json_array_append_new(arr, api_integration_json(i));
    return 0;
}

static void api_integration_list(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    json_t *arr = json_array();
    enum result result = c ? store_integration_list(c, list_one, arr) : err.code;
    if (result != OK) {
        json_decref(arr);
        reply_error(r, result, "store: cannot list integrations");
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "integrations", arr));
}

static enum result revoke_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct integration_job *j = arg;
    int64_t now = clock_now(j->clock);
    enum result result = store_integration_get(tx, j->id, &j->i);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no integration %.64s", j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read the integration");
    if (j->i.revoked_at)
        return error_set(err, ERR_CONFLICT, "id: integration %s is already revoked", j->id);
    result = store_integration_revoke(tx, j->id, now);
    if (result != OK)
        return error_set(err, result, "store: cannot revoke the integration");
    j->i.revoked_at = now;
    json_t *data = json_pack("{s:s,s:s}", "id", j->i.id, "name", j->i.name);
    return timeline_append(tx, now, j->actor, "integration.revoked", NULL, data, NULL, err);
}

static void api_integration_revoke(struct request *r)
{
    struct error err = {0};
    struct integration_job j = {.clock = r->app->clock, .actor = r->who.actor, .id = r->params[0]};
    enum result result = store_write(r->app->store, revoke_job, &j, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, api_integration_json(&j.i));
    store_integration_free_fields(&j.i);
}

static const struct route routes[] = {
    {"POST", "/api/v1/integrations", api_integration_create, ACCESS_ADMIN, "integrations_create"},
    {"GET", "/api/v1/integrations", api_integration_list, ACCESS_ADMIN, "integrations_list"},
    {"DELETE", "/api/v1/integrations/{id}", api_integration_revoke, ACCESS_ADMIN,
     "integration_revoke"},
};
HTTP_ROUTES(integrations, routes);
