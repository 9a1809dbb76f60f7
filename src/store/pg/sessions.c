/*
 * store/pg/sessions: the PostgreSQL backend's UI logins and sessions (migration 010). Mirrors
 * store/sqlite/sessions.c: setting a login is an upsert on the user. Threads: as pg.c, one
 * connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/sessions.h"

#include <string.h>

enum stmt_id { A_LOGIN_SET, A_LOGIN_GET, A_SES_INSERT, A_SES_GET, A_SES_REVOKE, A_SES_REVOKE_USER };

#define SES_COLS "id_hash, user_id, role, csrf, created_at, expires_at, revoked_at"

static struct pg_stmt stmts[] = {
    [A_LOGIN_SET] = {"INSERT INTO ui_logins(user_id, pw_hash, role, updated_at) "
                     "VALUES ($1,$2,$3,$4) ON CONFLICT(user_id) DO UPDATE SET "
                     "pw_hash = excluded.pw_hash, role = excluded.role, "
                     "updated_at = excluded.updated_at"},
    [A_LOGIN_GET] = {"SELECT user_id, pw_hash, role, updated_at FROM ui_logins "
                     "WHERE user_id = $1"},
    [A_SES_INSERT] = {"INSERT INTO ui_sessions(" SES_COLS ") VALUES ($1,$2,$3,$4,$5,$6,NULL)"},
    [A_SES_GET] = {"SELECT " SES_COLS " FROM ui_sessions WHERE id_hash = $1"},
    [A_SES_REVOKE] = {"UPDATE ui_sessions SET revoked_at = $2 "
                      "WHERE id_hash = $1 AND revoked_at IS NULL"},
    [A_SES_REVOKE_USER] = {"UPDATE ui_sessions SET revoked_at = $2 "
                           "WHERE user_id = $1 AND revoked_at IS NULL"},
};

static enum result pgs_login_set(void *conn, const struct store_login *l)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[A_LOGIN_SET]);
    pg_param_text(&q, l->user);
    pg_param_text(&q, l->hash);
    pg_param_text(&q, l->role);
    pg_param_int64(&q, l->updated_at);
    return pg_query_run(&q, false, "login_set");
}

/* Runs a one-key lookup; *r holds the result when it returns OK (ERR_NOT_FOUND for no row). */
static enum result lookup(struct pg_conn *c, enum stmt_id id, const char *key, PGresult **r,
                          const char *what)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, c, &stmts[id]);
    pg_param_text(&q, key);
    *r = pg_query_exec(&q, &result, what);
    if (*r && PQntuples(*r) == 0)
        result = ERR_NOT_FOUND;
    return *r ? result : (result == OK ? ERR_UNAVAILABLE : result);
}

static enum result pgs_login_get(void *conn, const char *user, struct store_login *out)
{
    PGresult *r = NULL;
    enum result result = lookup(conn, A_LOGIN_GET, user, &r, "login_get");
    if (result == OK) {
        memset(out, 0, sizeof *out);
        pg_copy_col(r, 0, 0, out->user, sizeof out->user);
        pg_copy_col(r, 0, 1, out->hash, sizeof out->hash);
        pg_copy_col(r, 0, 2, out->role, sizeof out->role);
        out->updated_at = pg_col_int64(r, 0, 3);
    }
    PQclear(r);
    return result;
}

static enum result pgs_session_insert(void *conn, const struct store_session *s)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[A_SES_INSERT]);
    pg_param_text(&q, s->id_hash);
    pg_param_text(&q, s->user);
    pg_param_text(&q, s->role);
    pg_param_text(&q, s->csrf);
    pg_param_int64(&q, s->created_at);
    pg_param_int64(&q, s->expires_at);
    return pg_query_run(&q, false, "session_insert");
}

static enum result pgs_session_get(void *conn, const char *id_hash, struct store_session *out)
{
    PGresult *r = NULL;
    enum result result = lookup(conn, A_SES_GET, id_hash, &r, "session_get");
    if (result == OK) {
        memset(out, 0, sizeof *out);
        pg_copy_col(r, 0, 0, out->id_hash, sizeof out->id_hash);
        pg_copy_col(r, 0, 1, out->user, sizeof out->user);
        pg_copy_col(r, 0, 2, out->role, sizeof out->role);
        pg_copy_col(r, 0, 3, out->csrf, sizeof out->csrf);
        out->created_at = pg_col_int64(r, 0, 4);
        out->expires_at = pg_col_int64(r, 0, 5);
        out->revoked_at = pg_col_int64(r, 0, 6);
    }
    PQclear(r);
    return result;
}

static enum result revoke(struct pg_conn *c, enum stmt_id id, const char *key, int64_t now,
                          bool must_change)
{
    struct pg_query q;
    pg_query_init(&q, c, &stmts[id]);
    pg_param_text(&q, key);
    pg_param_int64(&q, now);
    return pg_query_run(&q, must_change, "session_revoke");
}

static enum result pgs_session_revoke(void *conn, const char *id_hash, int64_t now)
{
    return revoke(conn, A_SES_REVOKE, id_hash, now, true);
}

static enum result pgs_session_revoke_user(void *conn, const char *user, int64_t now)
{
    return revoke(conn, A_SES_REVOKE_USER, user, now, false);
}

STORE_OPS_TABLE(pg, session, STORE_SESSION_OPS);
