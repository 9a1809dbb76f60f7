/*
 * api/passwords: the responder UI's passwords and sessions, managed by an admin
 * (docs/internals/ui.md). `tocsin user passwd USER` calls the first route.
 *   PUT    /api/v1/users/{id}/password {password, role?}  set (or replace) the user's password and
 *          UI role (viewer, responder, admin; default responder); the user's open sessions end.
 *   DELETE /api/v1/users/{id}/sessions                    end every UI session of the user now.
 * The user must be in the loaded config. The password is hashed here (argon2id, on this request
 * thread, never on the store writer); only the hash is stored.
 */
#include "api/api.h"
#include "jobs/session.h"
#include "util/crypto.h"
#include "util/jsonv.h"

#include <sodium.h>
#include <string.h>

enum { PASSWORD_MIN = 8, PASSWORD_MAX = 1024 };

static bool user_or_reply(struct request *r)
{
    if (config_user_find(r->config, r->params[0]))
        return true;
    reply_error(r, ERR_NOT_FOUND, "user: no user \"%s\" in the config", r->params[0]);
    return false;
}

static const char *const password_fields[] = {"password", "role", NULL};

static void api_password_set(struct request *r)
{
    if (!user_or_reply(r))
        return;
    struct error err = {0};
    json_t *body = NULL;
    const char *password = NULL, *role = NULL;
    char hash[CRYPTO_PWHASH_MAX];
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, password_fields, &err);
    if (result == OK)
        result = jsonv_string(body, "password", true, PASSWORD_MIN, PASSWORD_MAX, &password, &err);
    if (result == OK)
        result = jsonv_string(body, "role", false, 1, 16, &role, &err);
    if (result == OK && role && access_parse(role) < 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "role: \"%s\" is not one of viewer, responder, admin", role);
    if (result == OK && !crypto_password_hash(password, hash))
        result = error_set(&err, ERR_UNAVAILABLE, "password: cannot hash (out of memory)");
    if (result == OK)
        result = session_password_set(r->app->store, clock_now(r->app->clock), r->who.actor,
                                      r->params[0], hash, role ? role : "responder", &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:b}", "user", r->params[0], "role",
                             role ? role : "responder", "sessions_revoked", 1));
    sodium_memzero(hash, sizeof hash);
    json_decref(body);
}

static void api_sessions_revoke(struct request *r)
{
    if (!user_or_reply(r))
        return;
    struct error err = {0};
    enum result result = session_revoke_user(r->app->store, clock_now(r->app->clock), r->who.actor,
                                             r->params[0], &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, json_pack("{s:s,s:b}", "user", r->params[0], "sessions_revoked", 1));
}

static const struct route routes[] = {
    {"PUT", "/api/v1/users/{id}/password", api_password_set, ACCESS_ADMIN, "user_password_set"},
    {"DELETE", "/api/v1/users/{id}/sessions", api_sessions_revoke, ACCESS_ADMIN,
     "user_sessions_revoke"},
};
HTTP_ROUTES(passwords, routes);
