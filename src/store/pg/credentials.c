/*
 * store/pg/credentials: the PostgreSQL backend's credentials. Mirrors store/sqlite/credentials.c:
 * user tokens in `tokens` (id, name, role, hash) and integration keys in `integrations` (id, name,
 * service, type, key_hash), each operation's statement picked from a table indexed
 * [operation][kind]; a row is read into the one struct store_credential (role NULL for keys,
 * service and type NULL for tokens). Lists are in creation order, then id in byte order
 * (COLLATE "C", as SQLite compares). Revoking a missing or already revoked credential is
 * ERR_NOT_FOUND; a duplicate hash or live token name is ERR_CONFLICT (unique indexes).
 * A key that is not valid UTF-8 (an id from a URL) matches no row, as in SQLite: ERR_NOT_FOUND
 * without a query (PostgreSQL would reject the parameter, and abort the writer's transaction).
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/credentials.h"
#include "util/log.h"

#include <string.h>

enum op { OP_INSERT, OP_GET, OP_FIND_HASH, OP_LIST, OP_REVOKE, OP_COUNT };
enum { KIND_COUNT = 2 };

#define TOK_COLS "id, name, role, hash, created_at, revoked_at"
#define INT_COLS "id, name, service, type, key_hash, created_at, revoked_at"

static struct pg_stmt stmts[OP_COUNT][KIND_COUNT] = {
    [OP_INSERT] =
        {
            [CRED_TOKEN] = {"INSERT INTO tokens(" TOK_COLS ") VALUES ($1,$2,$3,$4,$5,NULL)"},
            [CRED_INTEGRATION] = {"INSERT INTO integrations(" INT_COLS
                                  ") VALUES ($1,$2,$3,$4,$5,$6,NULL)"},
        },
    [OP_GET] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS " FROM tokens WHERE id = $1"},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS " FROM integrations WHERE id = $1"},
        },
    [OP_FIND_HASH] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS " FROM tokens WHERE hash = $1"},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS " FROM integrations WHERE key_hash = $1"},
        },
    [OP_LIST] =
        {
            [CRED_TOKEN] = {"SELECT " TOK_COLS
                            " FROM tokens ORDER BY created_at, id COLLATE \"C\""},
            [CRED_INTEGRATION] = {"SELECT " INT_COLS
                                  " FROM integrations ORDER BY created_at, id COLLATE \"C\""},
        },
    [OP_REVOKE] =
        {
            [CRED_TOKEN] = {"UPDATE tokens SET revoked_at = $2 "
                            "WHERE id = $1 AND revoked_at IS NULL"},
            [CRED_INTEGRATION] = {"UPDATE integrations SET revoked_at = $2 "
                                  "WHERE id = $1 AND revoked_at IS NULL"},
        },
};

/* Starts the kind's statement for `op`; false (the caller answers ERR_UNAVAILABLE) for an unknown
 * kind. */
static bool start(struct pg_query *q, struct pg_conn *c, enum op op, enum credential_kind kind)
{
    if ((unsigned)kind >= KIND_COUNT)
        return false;
    pg_query_init(q, c, &stmts[op][kind]);
    return true;
}

static enum result pgs_credential_insert(void *conn, const struct store_credential *cr)
{
    struct pg_query q;
    if (!start(&q, conn, OP_INSERT, cr->kind))
        return ERR_UNAVAILABLE;
    pg_param_text(&q, cr->id);
    pg_param_text(&q, cr->name);
    if (cr->kind == CRED_TOKEN) {
        pg_param_text(&q, cr->role);
    } else {
        pg_param_text(&q, cr->service);
        pg_param_text(&q, cr->type);
    }
    pg_param_text(&q, cr->hash);
    pg_param_int64(&q, cr->created_at);
    return pg_query_run(&q, false, "credential_insert");
}

static void read_row(const PGresult *r, int row, enum credential_kind kind,
                     struct store_credential *cr)
{
    memset(cr, 0, sizeof *cr);
    cr->kind = kind;
    int col = 0;
    pg_copy_col(r, row, col++, cr->id, sizeof cr->id);
    cr->name = pg_col_text(r, row, col++);
    if (kind == CRED_TOKEN) {
        cr->role = pg_col_text(r, row, col++);
    } else {
        cr->service = pg_col_text(r, row, col++);
        cr->type = pg_col_text(r, row, col++);
    }
    pg_copy_col(r, row, col++, cr->hash, sizeof cr->hash);
    cr->created_at = pg_col_int64(r, row, col++);
    cr->revoked_at = pg_col_int64(r, row, col);
}

static enum result one_row(struct pg_conn *c, enum op op, enum credential_kind kind,
                           const char *key, struct store_credential *out)
{
    struct pg_query q;
    enum result result;
    if (!start(&q, c, op, kind))
        return ERR_UNAVAILABLE;
    pg_param_text(&q, key);
    PGresult *r = pg_query_exec(&q, &result, "credential lookup");
    if (!r)
        goto out;
    if (PQntuples(r) == 0) {
        result = ERR_NOT_FOUND;
        goto out;
    }
    read_row(r, 0, kind, out);
out:
    PQclear(r);
    return result;
}

static enum result pgs_credential_get(void *c, enum credential_kind kind, const char *id,
                                      struct store_credential *out)
{
    return one_row(c, OP_GET, kind, id, out);
}

static enum result pgs_credential_find_hash(void *c, enum credential_kind kind, const char *hash,
                                            struct store_credential *out)
{
    return one_row(c, OP_FIND_HASH, kind, hash, out);
}

static enum result pgs_credential_list(void *conn, enum credential_kind kind,
                                       store_credential_cb cb, void *ctx)
{
    struct pg_query q;
    enum result result;
    if (!start(&q, conn, OP_LIST, kind))
        return ERR_UNAVAILABLE;
    PGresult *r = pg_query_exec(&q, &result, "credential_list");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct store_credential cr;
        read_row(r, i, kind, &cr);
        int stop = cb(&cr, ctx);
        store_credential_free_fields(&cr);
        if (stop)
            break;
    }
out:
    PQclear(r);
    return result;
}

static enum result pgs_credential_revoke(void *conn, enum credential_kind kind, const char *id,
                                         int64_t now)
{
    struct pg_query q;
    if (!start(&q, conn, OP_REVOKE, kind))
        return ERR_UNAVAILABLE;
    pg_param_text(&q, id);
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "credential_revoke");
}

STORE_OPS_TABLE(pg, credential, STORE_CREDENTIAL_OPS);
