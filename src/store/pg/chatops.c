/*
 * store/pg/chatops: the PostgreSQL backend's chat outbox and chat channels (migration 011),
 * mirroring store/sqlite/chatops.c. Same threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/chatops.h"

#include <string.h>

#define OP_COLS                                                                                    \
    "id, incident_id, kind, data, status, step, tries, next_attempt_at, created_at, done_at, "     \
    "last_error"
#define CH_COLS "incident_id, provider, mode, name, channel_id, thread_ts, created_at, archived_at"

static struct pg_stmt op_insert = {
    .sql = "INSERT INTO chat_ops(incident_id, kind, data, next_attempt_at, created_at) "
           "VALUES ($1, $2, $3, $4::bigint, $5::bigint) RETURNING id"};
static struct pg_stmt op_due = {
    .sql = "SELECT " OP_COLS " FROM chat_ops o WHERE status = 'pending' AND "
           "next_attempt_at <= $1::bigint AND NOT EXISTS (SELECT 1 FROM chat_ops p WHERE "
           "p.incident_id = o.incident_id AND p.status = 'pending' AND p.id < o.id) "
           "ORDER BY id LIMIT $2::bigint"};
static struct pg_stmt op_update = {
    .sql = "UPDATE chat_ops SET status = $2, step = $3::integer, tries = $4::integer, "
           "next_attempt_at = $5::bigint, done_at = $6::bigint, last_error = $7 "
           "WHERE id = $1::bigint"};
static struct pg_stmt op_list = {.sql = "SELECT " OP_COLS
                                        " FROM chat_ops WHERE incident_id = $1 ORDER BY id"};
static struct pg_stmt op_next_due = {
    .sql = "SELECT min(next_attempt_at) FROM chat_ops WHERE status = 'pending'"};
static struct pg_stmt ch_put = {
    .sql = "INSERT INTO chat_channels(" CH_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, "
           "$8::bigint) ON CONFLICT (incident_id) DO UPDATE SET provider = EXCLUDED.provider, "
           "mode = EXCLUDED.mode, name = EXCLUDED.name, channel_id = EXCLUDED.channel_id, "
           "thread_ts = EXCLUDED.thread_ts, created_at = EXCLUDED.created_at, "
           "archived_at = EXCLUDED.archived_at"};
static struct pg_stmt ch_get = {.sql =
                                    "SELECT " CH_COLS " FROM chat_channels WHERE incident_id = $1"};
static struct pg_stmt ch_by_id = {
    .sql = "SELECT " CH_COLS " FROM chat_channels WHERE channel_id = $1 AND mode = 'channel' "
           "ORDER BY created_at DESC, incident_id DESC LIMIT 1"};

static enum result pgs_chat_op_insert(void *conn, const struct store_chat_op *op, int64_t *id)
{
    struct pg_query q;
    pg_query_init(&q, conn, &op_insert);
    pg_param_text(&q, op->incident_id);
    pg_param_text(&q, op->kind);
    pg_param_text(&q, op->data ? op->data : "{}");
    pg_param_int64(&q, op->next_attempt_at);
    pg_param_int64(&q, op->created_at);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "chat_op_insert");
    if (!r)
        return result;
    if (PQntuples(r) > 0)
        *id = pg_col_int64(r, 0, 0);
    else
        result = ERR_UNAVAILABLE;
    PQclear(r);
    return result;
}

static void read_op(const PGresult *r, int i, struct store_chat_op *op)
{
    memset(op, 0, sizeof *op);
    op->id = pg_col_int64(r, i, 0);
    op->incident_id = pg_col_text(r, i, 1);
    op->kind = pg_col_text(r, i, 2);
    op->data = pg_col_text(r, i, 3);
    op->status = pg_col_text(r, i, 4);
    op->step = (int)pg_col_int64(r, i, 5);
    op->tries = (int)pg_col_int64(r, i, 6);
    op->next_attempt_at = pg_col_int64(r, i, 7);
    op->created_at = pg_col_int64(r, i, 8);
    op->done_at = pg_col_int64(r, i, 9);
    op->last_error = pg_col_text(r, i, 10);
}

static enum result each_op(struct pg_query *q, store_chat_op_cb cb, void *ctx, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct store_chat_op op;
        read_op(r, i, &op);
        int stop = cb(&op, ctx);
        store_chat_op_free_fields(&op);
        if (stop)
            break;
    }
    PQclear(r);
    return result;
}

static enum result pgs_chat_op_due(void *conn, int64_t now, int limit, store_chat_op_cb cb,
                                   void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &op_due);
    pg_param_int64(&q, now);
    if (limit > 0)
        pg_param_int64(&q, limit);
    else
        pg_param_text(&q, NULL); /* LIMIT NULL: no limit */
    return each_op(&q, cb, ctx, "chat_op_due");
}

static enum result pgs_chat_op_update(void *conn, const struct store_chat_op *op)
{
    struct pg_query q;
    pg_query_init(&q, conn, &op_update);
    pg_param_int64(&q, op->id);
    pg_param_text(&q, op->status);
    pg_param_int64(&q, op->step);
    pg_param_int64(&q, op->tries);
    pg_param_int64(&q, op->next_attempt_at);
    pg_param_int64(&q, op->done_at);
    pg_param_text(&q, op->last_error);
    return pg_query_run(&q, true, "chat_op_update");
}

static enum result pgs_chat_op_list(void *conn, const char *incident_id, store_chat_op_cb cb,
                                    void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &op_list);
    pg_param_text(&q, incident_id);
    return each_op(&q, cb, ctx, "chat_op_list");
}

static enum result pgs_chat_op_next_due(void *conn, int64_t *at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &op_next_due);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "chat_op_next_due");
    if (!r)
        return result;
    if (PQntuples(r) != 1)
        result = ERR_UNAVAILABLE; /* an aggregate always has one row */
    else if (pg_col_is_null(r, 0, 0))
        result = ERR_NOT_FOUND;
    else
        *at = pg_col_int64(r, 0, 0);
    PQclear(r);
    return result;
}

static enum result pgs_chat_channel_put(void *conn, const struct store_chat_channel *ch)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ch_put);
    pg_param_text(&q, ch->incident_id);
    pg_param_text(&q, ch->provider);
    pg_param_text(&q, ch->mode);
    pg_param_text(&q, ch->name);
    pg_param_text(&q, ch->channel_id);
    pg_param_text(&q, ch->thread_ts);
    pg_param_int64(&q, ch->created_at);
    pg_param_int64(&q, ch->archived_at);
    return pg_query_run(&q, true, "chat_channel_put");
}

static enum result channel_one(void *conn, struct pg_stmt *stmt, const char *key,
                               struct store_chat_channel *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, stmt);
    pg_param_text(&q, key);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "chat_channel_get");
    if (!r)
        return result;
    if (PQntuples(r) > 0) {
        memset(out, 0, sizeof *out);
        out->incident_id = pg_col_text(r, 0, 0);
        out->provider = pg_col_text(r, 0, 1);
        out->mode = pg_col_text(r, 0, 2);
        out->name = pg_col_text(r, 0, 3);
        out->channel_id = pg_col_text(r, 0, 4);
        out->thread_ts = pg_col_text(r, 0, 5);
        out->created_at = pg_col_int64(r, 0, 6);
        out->archived_at = pg_col_int64(r, 0, 7);
    } else {
        result = ERR_NOT_FOUND;
    }
    PQclear(r);
    return result;
}

static enum result pgs_chat_channel_get(void *conn, const char *incident_id,
                                        struct store_chat_channel *out)
{
    return channel_one(conn, &ch_get, incident_id, out);
}

static enum result pgs_chat_channel_by_id(void *conn, const char *channel_id,
                                          struct store_chat_channel *out)
{
    return channel_one(conn, &ch_by_id, channel_id, out);
}

STORE_OPS_TABLE(pg, chat, STORE_CHAT_OPS);
