/*
 * store/sqlite/credentials: the SQLite backend's user tokens (table tokens, migration 001) and
 * integration keys (table integrations, migration 002). Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/credentials.h"
#include "util/log.h"

#include <string.h>

enum stmt_id {
    S_TOK_INSERT,
    S_TOK_GET,
    S_TOK_FIND_HASH,
    S_TOK_LIST,
    S_TOK_REVOKE,
    S_INT_INSERT,
    S_INT_GET,
    S_INT_FIND_HASH,
    S_INT_LIST,
    S_INT_REVOKE,
    S_COUNT
};

#define TOK_COLS "id, name, role, hash, created_at, revoked_at"
#define INT_COLS "id, name, service, type, key_hash, created_at, revoked_at"

static struct sq_stmt stmts[] = {
    [S_TOK_INSERT] = {"INSERT INTO tokens(" TOK_COLS ") VALUES (?1,?2,?3,?4,?5,NULL)"},
    [S_TOK_GET] = {"SELECT " TOK_COLS " FROM tokens WHERE id = ?1"},
    [S_TOK_FIND_HASH] = {"SELECT " TOK_COLS " FROM tokens WHERE hash = ?1"},
    [S_TOK_LIST] = {"SELECT " TOK_COLS " FROM tokens ORDER BY created_at, id"},
    [S_TOK_REVOKE] = {"UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"},
    [S_INT_INSERT] = {"INSERT INTO integrations(" INT_COLS ") VALUES (?1,?2,?3,?4,?5,?6,NULL)"},
    [S_INT_GET] = {"SELECT " INT_COLS " FROM integrations WHERE id = ?1"},
    [S_INT_FIND_HASH] = {"SELECT " INT_COLS " FROM integrations WHERE key_hash = ?1"},
    [S_INT_LIST] = {"SELECT " INT_COLS " FROM integrations ORDER BY created_at, id"},
    [S_INT_REVOKE] = {"UPDATE integrations SET revoked_at = ?2 "
                      "WHERE id = ?1 AND revoked_at IS NULL"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_token_insert(void *conn, const struct store_token *t)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, t->id);
    sq_bind_text(c, st, 2, t->name);
    sq_bind_text(c, st, 3, t->role);
    sq_bind_text(c, st, 4, t->hash);
    sq_bind_int64(c, st, 5, t->created_at);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "token_insert");
    sqlite3_reset(st);
    return result;
}

static void read_token(sqlite3_stmt *st, struct store_token *t)
{
    memset(t, 0, sizeof *t);
    sq_copy_col(st, 0, t->id, sizeof t->id);
    t->name = sq_col_text(st, 1);
    t->role = sq_col_text(st, 2);
    sq_copy_col(st, 3, t->hash, sizeof t->hash);
    t->created_at = sqlite3_column_int64(st, 4);
    t->revoked_at = sqlite3_column_int64(st, 5);
}

static enum result token_one(struct sqlite_conn *c, enum stmt_id id, const char *key,
                             struct store_token *out)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_token(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "token lookup");
    sqlite3_reset(st);
    return result;
}

static enum result sq_token_get(void *c, const char *id, struct store_token *out)
{
    return token_one(c, S_TOK_GET, id, out);
}

static enum result sq_token_find_hash(void *c, const char *hash, struct store_token *out)
{
    return token_one(c, S_TOK_FIND_HASH, hash, out);
}

static enum result sq_token_list(void *conn, store_token_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_token t;
        read_token(st, &t);
        int stop = cb(&t, ctx);
        store_token_free_fields(&t);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "token_list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_token_revoke(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_REVOKE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, now);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "token_revoke");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_integration_insert(void *conn, const struct store_integration *i)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INT_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, i->id);
    sq_bind_text(c, st, 2, i->name);
    sq_bind_text(c, st, 3, i->service);
    sq_bind_text(c, st, 4, i->type);
    sq_bind_text(c, st, 5, i->hash);
    sq_bind_int64(c, st, 6, i->created_at);
    return sq_run(c, st, false, "integration_insert");
}

static void read_integration(sqlite3_stmt *st, struct store_integration *i)
{
    memset(i, 0, sizeof *i);
    sq_copy_col(st, 0, i->id, sizeof i->id);
    i->name = sq_col_text(st, 1);
    i->service = sq_col_text(st, 2);
    i->type = sq_col_text(st, 3);
    sq_copy_col(st, 4, i->hash, sizeof i->hash);
    i->created_at = sqlite3_column_int64(st, 5);
    i->revoked_at = sqlite3_column_int64(st, 6);
}

static enum result integration_one(struct sqlite_conn *c, enum stmt_id id, const char *key,
                                   struct store_integration *out)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_integration(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "integration lookup");
    sqlite3_reset(st);
    return result;
}

static enum result sq_integration_get(void *conn, const char *id, struct store_integration *out)
{
    return integration_one(conn, S_INT_GET, id, out);
}

static enum result sq_integration_find_hash(void *conn, const char *hash,
                                            struct store_integration *out)
{
    return integration_one(conn, S_INT_FIND_HASH, hash, out);
}

static enum result sq_integration_list(void *conn, store_integration_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INT_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_integration i;
        read_integration(st, &i);
        int stop = cb(&i, ctx);
        store_integration_free_fields(&i);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "int list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_integration_revoke(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INT_REVOKE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, now);
    return sq_run(c, st, true, "integration_revoke");
}

STORE_OPS_TABLE(sqlite, credential, STORE_CREDENTIAL_OPS);
