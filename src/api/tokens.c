/*
 * api/tokens: create (the secret is shown once), list (never the secret), revoke. Admin only.
 * Names are unique among live tokens (a partial unique index); a taken name is 409. Creating,
 * revoking and listing are jobs/credential.h's (shared with integration keys); this file keeps the
 * request's checks and the token's JSON.
 */
#include "api/api.h"
#include "api/paging.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "jobs/credential.h"

#include <stdio.h>
#include <string.h>

static json_t *token_json(const struct store_credential *t)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", t->id, "name", t->name, "role", t->role,
                     "created_at", api_time(t->created_at), "revoked_at", api_time(t->revoked_at));
}

static void api_token_create(struct request *r)
{
    static const char *const fields[] = {"name", "role", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *name = NULL, *role = NULL;
    struct store_credential t = {.kind = CRED_TOKEN};
    char secret[CREDENTIAL_SECRET_MAX];
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
        credential_new_secret(CRED_TOKEN, secret);
        t.name = (char *)name;
        t.role = (char *)role;
        result = credential_create(r->app->store, clock_now(r->app->clock), r->who.actor, secret,
                                   &t, &err);
    }
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        json_t *o = token_json(&t);
        json_object_set_new(o, "token", json_string(secret));
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

static int list_one(const struct store_credential *t, void *arg)
{
    struct list_ctx *l = arg;
    enum page_step step = page_take(l->page, t->created_at, t->id);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, token_json(t));
    return step == PAGE_STOP;
}

static void api_token_list(struct request *r)
{
    struct error err = {0};
    struct page page;
    if (!page_parse_or_reply(r, &page, "tok", PAGE_ASC, LIST_DEFAULT, LIST_MAX))
        return;
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), &page};
    enum result result = c ? credential_list(c, CRED_TOKEN, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list tokens");
        return;
    }
    json_t *out = json_pack("{s:o}", "tokens", l.arr);
    page_finish(r, &page, out, NULL);
    reply_json(r, 200, out);
}

static void api_token_revoke(struct request *r)
{
    struct error err = {0};
    struct store_credential t;
    enum result result = credential_revoke(r->app->store, clock_now(r->app->clock), r->who.actor,
                                           CRED_TOKEN, r->params[0], &t, &err);
    if (result != OK) {
        reply_from_error(r, &err);
        return;
    }
    reply_json(r, 200, token_json(&t));
    store_credential_free_fields(&t);
}

static const struct route routes[] = {
    {"POST", "/api/v1/tokens", api_token_create, ACCESS_ADMIN, "tokens_create"},
    {"GET", "/api/v1/tokens", api_token_list, ACCESS_ADMIN, "tokens_list"},
    {"DELETE", "/api/v1/tokens/{id}", api_token_revoke, ACCESS_ADMIN, "token_revoke"},
};
HTTP_ROUTES(tokens, routes);
