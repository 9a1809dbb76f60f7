/*
 * api/tokens: create (the secret is shown once), list (never the secret), revoke. Admin only.
 * Names are unique among live tokens (a partial unique index); a taken name is 409.
 */
#include "api/api.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "store/credentials.h"
#include "jobs/timeline.h"

#include <stdio.h>
#include <string.h>

struct token_job {
    struct tclock *clock;
    const char *actor;
    const char *id; /* revoke */
    struct store_token t;
    char secret[96];
    bool revoke;
};

static json_t *token_json(const struct store_token *t)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", t->id, "name", t->name, "role", t->role,
                     "created_at", api_time(t->created_at), "revoked_at", api_time(t->revoked_at));
}

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct token_job *j = arg;
    j->t.created_at = clock_now(j->clock);
    enum result result = store_token_insert(tx, &j->t);
    if (result == ERR_CONFLICT)
        return error_set(err, ERR_CONFLICT, "name: a live token named \"%s\" already exists",
                         j->t.name);
    if (result != OK)
        return error_set(err, result, "store: cannot store the token");
    json_t *data = json_pack("{s:s,s:s,s:s}", "id", j->t.id, "name", j->t.name, "role", j->t.role);
    return timeline_append(tx, j->t.created_at, j->actor, "token.created", NULL, data, NULL, err);
}

static void api_token_create(struct request *r)
{
    static const char *const fields[] = {"name", "role", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *name = NULL, *role = NULL;
    struct token_job j = {.clock = r->app->clock, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "name", true, 1, 64, &name, &err);
    if (result == OK)
        result = jsonv_string(body, "role", true, 1, 32, &role, &err);
    if (result == OK && !jsonv_is_name(name))
        result =
            error_set(&err, ERR_BAD_REQUEST, "name: use letters, digits, '.', '_' and '-' only");
    if (result == OK && access_parse(role) < 0)
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "role: unknown role \"%.32s\" (one of admin, responder, viewer)", role);
    if (result == OK) {
        char hex[17];
        crypto_random_hex(8, hex);
        snprintf(j.t.id, sizeof j.t.id, "tok_%s", hex);
        crypto_random_token("tcn_", 32, j.secret, sizeof j.secret);
        crypto_sha256_hex(j.secret, strlen(j.secret), j.t.hash);
        j.t.name = (char *)name;
        j.t.role = (char *)role;
        result = store_write(r->app->store, create_job, &j, &err);
    }
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        json_t *o = token_json(&j.t);
        json_object_set_new(o, "token", json_string(j.secret));
        reply_json(r, 201, o);
    }
    json_decref(body);
}

static int list_one(const struct store_token *t, void *arr)
{
    json_array_append_new(arr, token_json(t));
    return 0;
}

static void api_token_list(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    json_t *arr = json_array();
    enum result result = c ? store_token_list(c, list_one, arr) : err.code;
    if (result != OK) {
        json_decref(arr);
        reply_error(r, result, "store: cannot list tokens");
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "tokens", arr));
}

static enum result revoke_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct token_job *j = arg;
    int64_t now = clock_now(j->clock);
    enum result result = store_token_get(tx, j->id, &j->t);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no token %.64s", j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read the token");
    if (j->t.revoked_at)
        return error_set(err, ERR_CONFLICT, "id: token %s is already revoked", j->id);
    result = store_token_revoke(tx, j->id, now);
    if (result != OK)
        return error_set(err, result, "store: cannot revoke the token");
    j->t.revoked_at = now;
    json_t *data = json_pack("{s:s,s:s}", "id", j->t.id, "name", j->t.name);
    return timeline_append(tx, now, j->actor, "token.revoked", NULL, data, NULL, err);
}

static void api_token_revoke(struct request *r)
{
    struct error err = {0};
    struct token_job j = {.clock = r->app->clock, .actor = r->who.actor, .id = r->params[0]};
    enum result result = store_write(r->app->store, revoke_job, &j, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, token_json(&j.t));
    store_token_free_fields(&j.t);
}

static const struct route routes[] = {
    {"POST", "/api/v1/tokens", api_token_create, ACCESS_ADMIN, "tokens_create"},
    {"GET", "/api/v1/tokens", api_token_list, ACCESS_ADMIN, "tokens_list"},
    {"DELETE", "/api/v1/tokens/{id}", api_token_revoke, ACCESS_ADMIN, "token_revoke"},
};
HTTP_ROUTES(tokens, routes);
