/*
 * store/sqlite/sessions: the SQLite backend's UI logins and sessions (migration 010). Setting a
 * login is an upsert on the user. Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/sessions.h"

#include <string.h>

enum stmt_id { A_LOGIN_SET, A_LOGIN_GET, A_SES_INSERT, A_SES_GET, A_SES_REVOKE, A_SES_REVOKE_USER };

#define SES_COLS "id_hash, user_id, role, csrf, created_at, expires_at, revoked_at"

static struct sq_stmt stmts[] = {
    [A_LOGIN_SET] = {"INSERT INTO ui_logins(user_id, pw_hash, role, updated_at) "
                     "VALUES (?1,?2,?3,?4) ON CONFLICT(user_id) DO UPDATE SET "
                     "pw_hash = excluded.pw_hash, role = excluded.role, "
                     "updated_at = excluded.updated_at"},
    [A_LOGIN_GET] = {"SELECT user_id, pw_hash, role, updated_at FROM ui_logins "
                     "WHERE user_id = ?1"},
    [A_SES_INSERT] = {"INSERT INTO ui_sessions(" SES_COLS ") VALUES (?1,?2,?3,?4,?5,?6,NULL)"},
    [A_SES_GET] = {"SELECT " SES_COLS " FROM ui_sessions WHERE id_hash = ?1"},
    [A_SES_REVOKE] = {"UPDATE ui_sessions SET revoked_at = ?2 "
                      "WHERE id_hash = ?1 AND revoked_at IS NULL"},
    [A_SES_REVOKE_USER] = {"UPDATE ui_sessions SET revoked_at = ?2 "
                           "WHERE user_id = ?1 AND revoked_at IS NULL"},
};

static enum result sq_login_set(void *conn, const struct store_login *l)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = sq_prepare(c, &stmts[A_LOGIN_SET]);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, l->user);
    sq_bind_text(c, st, 2, l->hash);
    sq_bind_text(c, st, 3, l->role);
    sq_bind_int64(c, st, 4, l->updated_at);
    return sq_run(c, st, false, "login_set");
}

static enum result sq_login_get(void *conn, const char *user, struct store_login *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = sq_prepare(c, &stmts[A_LOGIN_GET]);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, user);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        sq_copy_col(st, 0, out->user, sizeof out->user);
        sq_copy_col(st, 1, out->hash, sizeof out->hash);
        sq_copy_col(st, 2, out->role, sizeof out->role);
        out->updated_at = sqlite3_column_int64(st, 3);
    } else {
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "login_get");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_session_insert(void *conn, const struct store_session *s)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = sq_prepare(c, &stmts[A_SES_INSERT]);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, s->id_hash);
    sq_bind_text(c, st, 2, s->user);
    sq_bind_text(c, st, 3, s->role);
    sq_bind_text(c, st, 4, s->csrf);
    sq_bind_int64(c, st, 5, s->created_at);
    sq_bind_int64(c, st, 6, s->expires_at);
    return sq_run(c, st, false, "session_insert");
}

static enum result sq_session_get(void *conn, const char *id_hash, struct store_session *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = sq_prepare(c, &stmts[A_SES_GET]);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id_hash);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        sq_copy_col(st, 0, out->id_hash, sizeof out->id_hash);
        sq_copy_col(st, 1, out->user, sizeof out->user);
        sq_copy_col(st, 2, out->role, sizeof out->role);
        sq_copy_col(st, 3, out->csrf, sizeof out->csrf);
        out->created_at = sqlite3_column_int64(st, 4);
        out->expires_at = sqlite3_column_int64(st, 5);
        out->revoked_at = sqlite3_column_int64(st, 6);
    } else {
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "session_get");
    }
    sqlite3_reset(st);
    return result;
}

static enum result revoke(struct sqlite_conn *c, enum stmt_id id, const char *key, int64_t now,
                          bool must_change)
{
    sqlite3_stmt *st = sq_prepare(c, &stmts[id]);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    sq_bind_int64(c, st, 2, now);
    return sq_run(c, st, must_change, "session_revoke");
}

static enum result sq_session_revoke(void *conn, const char *id_hash, int64_t now)
{
    return revoke(conn, A_SES_REVOKE, id_hash, now, true);
}

static enum result sq_session_revoke_user(void *conn, const char *user, int64_t now)
{
    return revoke(conn, A_SES_REVOKE_USER, user, now, false);
}

STORE_OPS_TABLE(sqlite, session, STORE_SESSION_OPS);
