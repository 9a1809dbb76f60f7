/* jobs/session: see session.h. */
#include "jobs/session.h"
#include "jobs/timeline.h"
#include "util/crypto.h"

#include <stdio.h>
#include <string.h>

struct session_job {
    int64_t now;
    const char *actor;
    const char *user;
    const struct store_login *login; /* password_set */
    const struct store_session *ses; /* open, close */
};

static json_t *user_data(const char *user)
{
    return json_pack("{s:s}", "user", user);
}

static enum result password_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct session_job *j = arg;
    enum result result = store_login_set(tx, j->login);
    if (result == OK)
        result = store_session_revoke_user(tx, j->login->user, j->now);
    if (result != OK)
        return error_set(err, result, "store: cannot store the password of %s", j->login->user);
    json_t *data = json_pack("{s:s,s:s}", "user", j->login->user, "role", j->login->role);
    return timeline_append(tx, j->now, j->actor, "user.password_set", NULL, data, NULL, err);
}

enum result session_password_set(struct store *s, int64_t now, const char *actor, const char *user,
                                 const char *hash, const char *role, struct error *err)
{
    struct store_login l = {.updated_at = now};
    if (snprintf(l.user, sizeof l.user, "%s", user) >= (int)sizeof l.user ||
        snprintf(l.hash, sizeof l.hash, "%s", hash) >= (int)sizeof l.hash ||
        snprintf(l.role, sizeof l.role, "%s", role) >= (int)sizeof l.role)
        return error_set(err, ERR_BAD_REQUEST, "user: id, hash or role too long");
    struct session_job j = {.now = now, .actor = actor, .login = &l};
    return store_write(s, password_job, &j, err);
}

static enum result open_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct session_job *j = arg;
    enum result result = store_session_insert(tx, j->ses);
    if (result != OK)
        return error_set(err, result, "store: cannot open a session");
    char actor[160];
    snprintf(actor, sizeof actor, "user:%s", j->ses->user);
    return timeline_append(tx, j->now, actor, "user.signed_in", NULL, user_data(j->ses->user), NULL,
                           err);
}

enum result session_open(struct store *s, int64_t now, int64_t ttl_ms, const char *user,
                         const char *role, char secret[SESSION_SECRET_MAX],
                         struct store_session *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    if (snprintf(out->user, sizeof out->user, "%s", user) >= (int)sizeof out->user ||
        snprintf(out->role, sizeof out->role, "%s", role) >= (int)sizeof out->role)
        return error_set(err, ERR_BAD_REQUEST, "user: id or role too long");
    crypto_random_token("", 32, secret, SESSION_SECRET_MAX);
    crypto_sha256_hex(secret, strlen(secret), out->id_hash);
    crypto_random_hex(24, out->csrf);
    out->created_at = now;
    out->expires_at = now + ttl_ms;
    struct session_job j = {.now = now, .ses = out};
    return store_write(s, open_job, &j, err);
}

enum result session_lookup(struct store_conn *c, const char *secret, int64_t now,
                           struct store_session *out)
{
    size_t n = strlen(secret);
    if (n == 0 || n >= SESSION_SECRET_MAX)
        return ERR_UNAUTHORIZED;
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex(secret, n, hash);
    enum result result = store_session_get(c, hash, out);
    if (result == ERR_NOT_FOUND)
        return ERR_UNAUTHORIZED;
    if (result != OK)
        return result;
    if (out->revoked_at || now >= out->expires_at)
        return ERR_UNAUTHORIZED;
    return OK;
}

static enum result close_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct session_job *j = arg;
    enum result result = store_session_revoke(tx, j->ses->id_hash, j->now);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "session: already signed out");
    if (result != OK)
        return error_set(err, result, "store: cannot close the session");
    char actor[160];
    snprintf(actor, sizeof actor, "user:%s", j->ses->user);
    return timeline_append(tx, j->now, actor, "user.signed_out", NULL, user_data(j->ses->user),
                           NULL, err);
}

enum result session_close(struct store *s, int64_t now, const struct store_session *ses,
                          struct error *err)
{
    struct session_job j = {.now = now, .ses = ses};
    return store_write(s, close_job, &j, err);
}

static enum result revoke_user_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct session_job *j = arg;
    enum result result = store_session_revoke_user(tx, j->user, j->now);
    if (result != OK)
        return error_set(err, result, "store: cannot revoke the sessions of %s", j->user);
    return timeline_append(tx, j->now, j->actor, "user.sessions_revoked", NULL, user_data(j->user),
                           NULL, err);
}

enum result session_revoke_user(struct store *s, int64_t now, const char *actor, const char *user,
                                struct error *err)
{
    struct session_job j = {.now = now, .actor = actor, .user = user};
    return store_write(s, revoke_user_job, &j, err);
}
