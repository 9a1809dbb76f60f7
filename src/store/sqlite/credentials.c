/*
 * store/sqlite/credentials: the SQLite backend's credentials. Each kind keeps its own table, as
 * the migrations made them: user tokens in `tokens` (migration 001: id, name, role, hash) and
 * integration keys in `integrations` (migration 002: id, name, service, type, key_hash). Each
 * operation picks the kind's statement from a table indexed [operation][kind]; the row is read
 * into the one struct store_credential (role NULL for keys, service and type NULL for tokens).
 * Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/credentials.h"
#include "util/log.h"

#include <string.h>

enum op { OP_INSERT, OP_GET, OP_FIND_HASH, OP_LIST, OP_REVOKE, OP_COUNT };
enum { KIND_COUNT = 2 };

#define TOK_COLS "id, name, role, hash, created_at, revoked_at"
#define INT_COLS "id, name, service, type, key_hash, created_at, revoked_at"

static struct sq_stmt stmts[OP_COUNT][KIND_COUNT] = {
    [OP_INSERT] =
        {
            [CRED_TOKEN] = {"INSERT INTO tokens(" TOK_COLS ") VALUES (?1,?2,?3,?4,?5,NULL)"},
            [CRED_INTEGRATION] = {"INSERT INTO integrations(" INT_COLS
                                  ") VALUES (?1,?2,?3,?4,?5,?6,NULL)"},
        },
    [OP_GET] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS " FROM tokens WHERE id = ?1"},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS " FROM integrations WHERE id = ?1"},
        },
    [OP_FIND_HASH] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS " FROM tokens WHERE hash = ?1"},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS " FROM integrations WHERE key_hash = ?1"},
        },
    [OP_LIST] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS " FROM tokens ORDER BY created_at, id"},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS " FROM integrations ORDER BY created_at, id"},
        },
    [OP_REVOKE] =
        {
            [CRED_TOKEN] = {"UPDATE tokens SET revoked_at = ?2 "
                            "WHERE id = ?1 AND revoked_at IS NULL"},
            [CRED_INTEGRATION] = {"UPDATE integrations SET revoked_at = ?2 "
                                  "WHERE id = ?1 AND revoked_at IS NULL"},
        },
};

/* The kind's statement for `op`; NULL (the caller answers ERR_UNAVAILABLE) for an unknown kind. */
static sqlite3_stmt *stmt(struct sqlite_conn *c, enum op op, enum credential_kind kind)
{
    if ((unsigned)kind >= KIND_COUNT)
        return NULL;
    return sq_prepare(c, &stmts[op][kind]);
}

static enum result sq_credential_insert(void *conn, const struct store_credential *cr)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, OP_INSERT, cr->kind);
    if (!st)
        return ERR_UNAVAILABLE;
    int col = 1;
    sq_bind_text(c, st, col++, cr->id);
    sq_bind_text(c, st, col++, cr->name);
    if (cr->kind == CRED_TOKEN) {
        sq_bind_text(c, st, col++, cr->role);
    } else {
        sq_bind_text(c, st, col++, cr->service);
        sq_bind_text(c, st, col++, cr->type);
    }
    sq_bind_text(c, st, col++, cr->hash);
    sq_bind_int64(c, st, col, cr->created_at);
    return sq_run(c, st, false, "credential_insert");
}

static void read_row(sqlite3_stmt *st, enum credential_kind kind, struct store_credential *cr)
{
    memset(cr, 0, sizeof *cr);
    cr->kind = kind;
    int col = 0;
    sq_copy_col(st, col++, cr->id, sizeof cr->id);
    cr->name = sq_col_text(st, col++);
    if (kind == CRED_TOKEN) {
        cr->role = sq_col_text(st, col++);
    } else {
        cr->service = sq_col_text(st, col++);
        cr->type = sq_col_text(st, col++);
    }
    sq_copy_col(st, col++, cr->hash, sizeof cr->hash);
    cr->created_at = sqlite3_column_int64(st, col++);
    cr->revoked_at = sqlite3_column_int64(st, col);
}

static enum result one_row(struct sqlite_conn *c, enum op op, enum credential_kind kind,
                           const char *key, struct store_credential *out)
{
    sqlite3_stmt *st = stmt(c, op, kind);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_row(st, kind, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "credential lookup");
    sqlite3_reset(st);
    return result;
}

static enum result sq_credential_get(void *c, enum credential_kind kind, const char *id,
                                     struct store_credential *out)
{
    return one_row(c, OP_GET, kind, id, out);
}

static enum result sq_credential_find_hash(void *c, enum credential_kind kind, const char *hash,
                                           struct store_credential *out)
{
    return one_row(c, OP_FIND_HASH, kind, hash, out);
}

static enum result sq_credential_list(void *conn, enum credential_kind kind, store_credential_cb cb,
                                      void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, OP_LIST, kind);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_credential cr;
        read_row(st, kind, &cr);
        int stop = cb(&cr, ctx);
        store_credential_free_fields(&cr);
        if (stop)
            break;
    }
    enum result result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "credential_list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_credential_revoke(void *conn, enum credential_kind kind, const char *id,
                                        int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, OP_REVOKE, kind);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, now);
    return sq_run(c, st, true, "credential_revoke");
}

STORE_OPS_TABLE(sqlite, credential, STORE_CREDENTIAL_OPS);
