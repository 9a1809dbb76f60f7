/*
 * store/sqlite/chatops: the SQLite backend's chat outbox and chat channels (migration 011). Same
 * threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/chatops.h"
#include "util/log.h"

#include <string.h>

#define OP_COLS                                                                                    \
    "id, incident_id, kind, data, status, step, tries, next_attempt_at, created_at, done_at, "     \
    "last_error"
#define CH_COLS "incident_id, provider, mode, name, channel_id, thread_ts, created_at, archived_at"

enum stmt_id {
    C_INSERT,
    C_DUE,
    C_UPDATE,
    C_LIST,
    C_NEXT_DUE,
    C_CH_PUT,
    C_CH_GET,
    C_CH_BY_ID,
    C_COUNT
};

static struct sq_stmt stmts[] = {
    [C_INSERT] = {"INSERT INTO chat_ops(incident_id, kind, data, next_attempt_at, created_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)"},
    [C_DUE] = {"SELECT " OP_COLS " FROM chat_ops o WHERE status = 'pending' AND "
               "next_attempt_at <= ?1 AND NOT EXISTS (SELECT 1 FROM chat_ops p WHERE "
               "p.incident_id = o.incident_id AND p.status = 'pending' AND p.id < o.id) "
               "ORDER BY id LIMIT ?2"},
    [C_UPDATE] = {"UPDATE chat_ops SET status = ?2, step = ?3, tries = ?4, next_attempt_at = ?5, "
                  "done_at = ?6, last_error = ?7 WHERE id = ?1"},
    [C_LIST] = {"SELECT " OP_COLS " FROM chat_ops WHERE incident_id = ?1 ORDER BY id"},
    [C_NEXT_DUE] = {"SELECT min(next_attempt_at) FROM chat_ops WHERE status = 'pending'"},
    [C_CH_PUT] = {"INSERT OR REPLACE INTO chat_channels(" CH_COLS ") "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    [C_CH_GET] = {"SELECT " CH_COLS " FROM chat_channels WHERE incident_id = ?1"},
    [C_CH_BY_ID] = {"SELECT " CH_COLS " FROM chat_channels WHERE channel_id = ?1 AND "
                    "mode = 'channel' ORDER BY created_at DESC, incident_id DESC LIMIT 1"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_chat_op_insert(void *conn, const struct store_chat_op *op, int64_t *id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, op->incident_id);
    sq_bind_text(c, st, 2, op->kind);
    sq_bind_text(c, st, 3, op->data ? op->data : "{}");
    sq_bind_int64(c, st, 4, op->next_attempt_at);
    sq_bind_int64(c, st, 5, op->created_at);
    enum result result = sq_run(c, st, true, "chat_op_insert");
    if (result == OK)
        *id = sqlite3_last_insert_rowid(c->db);
    return result;
}

static void read_op(sqlite3_stmt *st, struct store_chat_op *op)
{
    memset(op, 0, sizeof *op);
    op->id = sqlite3_column_int64(st, 0);
    op->incident_id = sq_col_text(st, 1);
    op->kind = sq_col_text(st, 2);
    op->data = sq_col_text(st, 3);
    op->status = sq_col_text(st, 4);
    op->step = sqlite3_column_int(st, 5);
    op->tries = sqlite3_column_int(st, 6);
    op->next_attempt_at = sqlite3_column_int64(st, 7);
    op->created_at = sqlite3_column_int64(st, 8);
    op->done_at = sqlite3_column_int64(st, 9);
    op->last_error = sq_col_text(st, 10);
}

static enum result each_op(struct sqlite_conn *c, sqlite3_stmt *st, store_chat_op_cb cb, void *ctx,
                           const char *what)
{
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_chat_op op;
        read_op(st, &op);
        int stop = cb(&op, ctx);
        store_chat_op_free_fields(&op);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

static enum result sq_chat_op_due(void *conn, int64_t now, int limit, store_chat_op_cb cb,
                                  void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, now);
    sq_bind_int64(c, st, 2, limit > 0 ? limit : -1);
    return each_op(c, st, cb, ctx, "chat_op_due");
}

static enum result sq_chat_op_update(void *conn, const struct store_chat_op *op)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, op->id);
    sq_bind_text(c, st, 2, op->status);
    sq_bind_int64(c, st, 3, op->step);
    sq_bind_int64(c, st, 4, op->tries);
    sq_bind_int64(c, st, 5, op->next_attempt_at);
    sq_bind_int64(c, st, 6, op->done_at);
    sq_bind_text(c, st, 7, op->last_error);
    return sq_run(c, st, true, "chat_op_update");
}

static enum result sq_chat_op_list(void *conn, const char *incident_id, store_chat_op_cb cb,
                                   void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    return each_op(c, st, cb, ctx, "chat_op_list");
}

static enum result sq_chat_op_next_due(void *conn, int64_t *at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_NEXT_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc != SQLITE_ROW)
        result = sq_fail(c, "chat_op_next_due");
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        result = ERR_NOT_FOUND;
    else
        *at = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return result;
}

static enum result sq_chat_channel_put(void *conn, const struct store_chat_channel *ch)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_CH_PUT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, ch->incident_id);
    sq_bind_text(c, st, 2, ch->provider);
    sq_bind_text(c, st, 3, ch->mode);
    sq_bind_text(c, st, 4, ch->name);
    sq_bind_text(c, st, 5, ch->channel_id);
    sq_bind_text(c, st, 6, ch->thread_ts);
    sq_bind_int64(c, st, 7, ch->created_at);
    sq_bind_int64(c, st, 8, ch->archived_at);
    return sq_run(c, st, true, "chat_channel_put");
}

static enum result channel_one(struct sqlite_conn *c, enum stmt_id id, const char *key,
                               struct store_chat_channel *out)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->incident_id = sq_col_text(st, 0);
        out->provider = sq_col_text(st, 1);
        out->mode = sq_col_text(st, 2);
        out->name = sq_col_text(st, 3);
        out->channel_id = sq_col_text(st, 4);
        out->thread_ts = sq_col_text(st, 5);
        out->created_at = sqlite3_column_int64(st, 6);
        out->archived_at = sqlite3_column_int64(st, 7);
    } else {
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "chat_channel_get");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_chat_channel_get(void *conn, const char *incident_id,
                                       struct store_chat_channel *out)
{
    return channel_one(conn, C_CH_GET, incident_id, out);
}

static enum result sq_chat_channel_by_id(void *conn, const char *channel_id,
                                         struct store_chat_channel *out)
{
    return channel_one(conn, C_CH_BY_ID, channel_id, out);
}

STORE_OPS_TABLE(sqlite, chat, STORE_CHAT_OPS);
