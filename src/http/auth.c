/*
 * auth: bearer tokens and roles. A token is "tcn_" + 32 random bytes (base64url); the store keeps
 * only its SHA-256, so a stolen database does not hand out credentials. Roles are ordered:
 * viewer < responder < admin; a route names the least role it needs. Tokens and integration keys
 * are both credentials (jobs/credential.h): hashing, lookup and revocation are done there; this
 * file turns the answers into statuses and tells a secret of the wrong kind which door it fits.
 *
 * Bootstrap: on the first start (no token at all) an admin token is created, written to
 * DATA/admin.token with mode 0600 and printed once on stdout.
 * Calendar feeds (GET /api/v1/schedules/ID.ics) call auth_feed_or_reply instead: calendar apps
 * cannot send headers, so there a user token may also come as ?token=.
 * Threads: auth_or_reply runs on request threads (reader connection); bootstrap at start-up.
 */
#include "http/http.h"
#include "util/atomicfile.h"
#include "util/log.h"
#include "jobs/credential.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const access_names[] = {"public", "viewer", "responder", "admin"};

const char *access_name(enum access a)
{
    return (unsigned)a <= ACCESS_ADMIN ? access_names[a] : "unknown";
}

int access_parse(const char *name)
{
    for (int i = ACCESS_VIEWER; i <= ACCESS_ADMIN; i++)
        if (strcmp(name, access_names[i]) == 0)
            return i;
    return -1;
}

/* Extracts the token from "Authorization: Bearer <token>"; NULL when absent or malformed. */
const char *auth_bearer(struct request *r)
{
    const char *h = request_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

/* Whether `secret` is a live or revoked credential of `kind`: says which door a secret of the
 * other kind was meant for. */
static bool is_credential(struct store_conn *c, enum credential_kind kind, const char *secret)
{
    struct store_credential cr;
    enum result result = credential_lookup(c, kind, secret, &cr);
    if (result == OK)
        store_credential_free_fields(&cr);
    return result == OK || result == ERR_UNAUTHORIZED;
}

enum result auth_integration(struct request *r, const char *key, const char *type,
                             struct store_credential *out, struct error *err)
{
    if (!key || !*key)
        return error_set(err, ERR_UNAUTHORIZED, "authorization: an integration key is required");
    struct store_conn *c = store_reader(r->app->store, err);
    if (!c)
        return err->code;
    enum result result = credential_lookup(c, CRED_INTEGRATION, key, out);
    if (result == ERR_NOT_FOUND) {
        if (is_credential(c, CRED_TOKEN, key))
            return error_set(err, ERR_FORBIDDEN,
                             "authorization: user tokens cannot send alerts; use an integration "
                             "key (tocsin integration create)");
        return error_set(err, ERR_UNAUTHORIZED, "authorization: unknown integration key");
    }
    if (result == ERR_UNAUTHORIZED)
        return error_set(err, ERR_UNAUTHORIZED, "authorization: this integration key was revoked");
    if (result != OK)
        return error_set(err, ERR_UNAVAILABLE, "store: cannot check the integration key");
    if (strcmp(out->type, type) != 0) {
        error_set(err, ERR_FORBIDDEN, "authorization: this key belongs to a %s integration, not %s",
                  out->type, type);
        store_credential_free_fields(out);
        return ERR_FORBIDDEN;
    }
    snprintf(r->who.actor, sizeof r->who.actor, "integration:%s", out->name);
    r->who.authenticated = true;
    return OK;
}

static bool token_or_reply(struct request *r, enum access need, const char *token);

bool auth_or_reply(struct request *r, enum access need)
{
    if (need == ACCESS_PUBLIC)
        return true;
    return token_or_reply(r, need, auth_bearer(r));
}

bool auth_feed_or_reply(struct request *r, enum access need)
{
    const char *token = auth_bearer(r);
    return token_or_reply(r, need, token ? token : request_query(r, "token"));
}

static bool token_or_reply(struct request *r, enum access need, const char *token)
{
    if (!token || !*token) {
        reply_header(r, "WWW-Authenticate", "Bearer realm=\"tocsin\"");
        reply_error(r, ERR_UNAUTHORIZED,
                    "authorization: a bearer token is required (Authorization: Bearer <token>)");
        return false;
    }
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return false;
    }
    struct store_credential t;
    enum result result = credential_lookup(c, CRED_TOKEN, token, &t);
    if (result == ERR_NOT_FOUND && is_credential(c, CRED_INTEGRATION, token)) {
        reply_error(r, ERR_FORBIDDEN,
                    "authorization: integration keys only work on ingest routes; use a user "
                    "token (tocsin token create)");
        return false;
    }
    if (result == ERR_NOT_FOUND || result == ERR_UNAUTHORIZED) {
        reply_header(r, "WWW-Authenticate", "Bearer realm=\"tocsin\", error=\"invalid_token\"");
        reply_error(r, ERR_UNAUTHORIZED, "authorization: unknown or revoked token");
        return false;
    }
    if (result != OK) {
        reply_error(r, ERR_UNAVAILABLE, "store: cannot check the token");
        return false;
    }
    int a = access_parse(t.role);
    r->who.authenticated = true;
    r->who.access = a < 0 ? ACCESS_VIEWER : (enum access)a;
    snprintf(r->who.token_id, sizeof r->who.token_id, "%s", t.id);
    snprintf(r->who.name, sizeof r->who.name, "%s", t.name);
    snprintf(r->who.actor, sizeof r->who.actor, "token:%s", t.name);
    store_credential_free_fields(&t);
    if (r->who.access < need) {
        reply_error(r, ERR_FORBIDDEN, "authorization: role %s may not do this (needs %s)",
                    access_name(r->who.access), access_name(need));
        return false;
    }
    return true;
}

static int any_token(const struct store_credential *t, void *ctx)
{
    *(bool *)ctx = true;
    return 1;
}

/* Writes the token file first (whole or not at all: util/atomicfile), then commits the token: a
 * crash in between leaves a file whose token does not work yet, and the next start writes a new
 * one. */
static enum result write_token_file(const char *path, const char *token, struct error *err)
{
    char line[CREDENTIAL_SECRET_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", token);
    struct error sub = {0};
    if (n < 0 || (size_t)n >= sizeof line ||
        atomicfile_write(path, line, (size_t)n, 0600, &sub) != OK)
        return error_set(err, ERR_UNAVAILABLE, "auth: %s", sub.message[0] ? sub.message : path);
    return OK;
}

enum result auth_bootstrap(struct app *app, struct error *err)
{
    struct store_conn *c = store_reader(app->store, err);
    if (!c)
        return err->code;
    bool exists = false;
    enum result result = credential_list(c, CRED_TOKEN, any_token, &exists);
    if (result != OK)
        return error_set(err, result, "auth: cannot read tokens");
    if (exists)
        return OK;
    char token[CREDENTIAL_SECRET_MAX];
    credential_new_secret(CRED_TOKEN, token);
    char path[4096];
    snprintf(path, sizeof path, "%s/admin.token", app->data_dir);
    struct store_credential t = {.kind = CRED_TOKEN, .name = "admin", .role = "admin"};
    result = write_token_file(path, token, err);
    if (result == OK)
        result = credential_create(app->store, clock_now(app->clock), "system", token, &t, err);
    if (result != OK)
        return result;
    printf("admin token (shown once; also in %s): %s\n", path, token);
    fflush(stdout);
    return OK;
}
