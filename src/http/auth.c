/*
 * auth: bearer tokens and roles. A token is "tcn_" + 32 random bytes (base64url); the store keeps
 * only its SHA-256, so a stolen database does not hand out credentials. Roles are ordered:
 * viewer < responder < admin; a route names the least role it needs.
 *
 * Bootstrap: on the first start (no token at all) an admin token is created, written to
 * DATA/admin.token with mode 0600 and printed once on stdout.
 * Calendar feeds (GET /api/v1/schedules/ID.ics) call auth_feed_or_reply instead: calendar apps
 * cannot send headers, so there a user token may also come as ?token=.
 * Threads: auth_or_reply runs on request threads (reader connection); bootstrap at start-up.
 */
#include "http/http.h"
#include "util/crypto.h"
#include "util/log.h"
#include "store/credentials.h"
#include "jobs/timeline.h"

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

static bool is_integration_key(struct store_conn *c, const char *hash)
{
    struct store_integration i;
    if (store_integration_find_hash(c, hash, &i) != OK)
        return false;
    store_integration_free_fields(&i);
    return true;
}

static bool is_user_token(struct store_conn *c, const char *hash)
{
    struct store_token t;
    if (store_token_find_hash(c, hash, &t) != OK)
        return false;
    store_token_free_fields(&t);
    return true;
}

enum result auth_integration(struct request *r, const char *key, const char *type,
                             struct store_integration *out, struct error *err)
{
    if (!key || !*key)
        return error_set(err, ERR_UNAUTHORIZED, "authorization: an integration key is required");
    struct store_conn *c = store_reader(r->app->store, err);
    if (!c)
        return err->code;
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex(key, strlen(key), hash);
    enum result result = store_integration_find_hash(c, hash, out);
    if (result == ERR_NOT_FOUND) {
        if (is_user_token(c, hash))
            return error_set(err, ERR_FORBIDDEN,
                             "authorization: user tokens cannot send alerts; use an integration "
                             "key (tocsin integration create)");
        return error_set(err, ERR_UNAUTHORIZED, "authorization: unknown integration key");
    }
    if (result != OK)
        return error_set(err, ERR_UNAVAILABLE, "store: cannot check the integration key");
    if (out->revoked_at) {
        store_integration_free_fields(out);
        return error_set(err, ERR_UNAUTHORIZED, "authorization: this integration key was revoked");
    }
    if (strcmp(out->type, type) != 0) {
        error_set(err, ERR_FORBIDDEN, "authorization: this key belongs to a %s integration, not %s",
                  out->type, type);
        store_integration_free_fields(out);
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
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex(token, strlen(token), hash);
    struct store_token t;
    enum result result = store_token_find_hash(c, hash, &t);
    if (result == ERR_NOT_FOUND && is_integration_key(c, hash)) {
        reply_error(r, ERR_FORBIDDEN,
                    "authorization: integration keys only work on ingest routes; use a user "
                    "token (tocsin token create)");
        return false;
    }
    if (result == ERR_NOT_FOUND || (result == OK && t.revoked_at)) {
        if (result == OK)
            store_token_free_fields(&t);
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
    store_token_free_fields(&t);
    if (r->who.access < need) {
        reply_error(r, ERR_FORBIDDEN, "authorization: role %s may not do this (needs %s)",
                    access_name(r->who.access), access_name(need));
        return false;
    }
    return true;
}

struct bootstrap {
    char token[96];
    struct tclock *clock;
};

static int any_token(const struct store_token *t, void *ctx)
{
    *(bool *)ctx = true;
    return 1;
}

static enum result bootstrap_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct bootstrap *b = arg;
    int64_t now = clock_now(b->clock);
    struct store_token t = {.name = "admin", .role = "admin", .created_at = now};
    char hex[17];
    crypto_random_hex(8, hex);
    snprintf(t.id, sizeof t.id, "tok_%s", hex);
    crypto_sha256_hex(b->token, strlen(b->token), t.hash);
    enum result result = store_token_insert(tx, &t);
    if (result != OK)
        return error_set(err, result, "auth: cannot store the admin token");
    json_t *data = json_pack("{s:s,s:s,s:s}", "id", t.id, "name", t.name, "role", t.role);
    return timeline_append(tx, now, "system", "token.created", NULL, data, NULL, err);
}

/* Writes the token file first (fsync'd), then commits the token: a crash in between leaves a file
 * whose token does not work yet, and the next start writes a new one. */
static enum result write_token_file(const char *path, const char *token, struct error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_set(err, ERR_UNAVAILABLE, "auth: cannot write %s: %s", path, strerror(errno));
    size_t n = strlen(token);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, token, n) == (ssize_t)n &&
              write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    close(fd);
    if (!ok)
        return error_set(err, ERR_UNAVAILABLE, "auth: cannot write %s", path);
    return OK;
}

enum result auth_bootstrap(struct app *app, struct error *err)
{
    struct store_conn *c = store_reader(app->store, err);
    if (!c)
        return err->code;
    bool exists = false;
    enum result result = store_token_list(c, any_token, &exists);
    if (result != OK)
        return error_set(err, result, "auth: cannot read tokens");
    if (exists)
        return OK;
    struct bootstrap b = {.clock = app->clock};
    crypto_random_token("tcn_", 32, b.token, sizeof b.token);
    char path[4096];
    snprintf(path, sizeof path, "%s/admin.token", app->data_dir);
    result = write_token_file(path, b.token, err);
    if (result == OK)
        result = store_write(app->store, bootstrap_job, &b, err);
    if (result != OK)
        return result;
    printf("admin token (shown once; also in %s): %s\n", path, b.token);
    fflush(stdout);
    return OK;
}
