/*
 * store/pg/notifications: the PostgreSQL backend's notification outbox (migration 004), mirroring
 * store/sqlite/notifications.c: the `notifications` rows and their `notification_attempts`. Same
 * threading as pg.h: one connection, one thread at a time.
 *
 * Invariant kept by the schema, relied on by notify: (incident_id, dkey, user_id, method) is
 * unique, with '' for "no incident" (NULLs are distinct in UNIQUE), so queuing the same message
 * twice inserts nothing the second time (ON CONFLICT DO NOTHING: no row returned, ERR_CONFLICT,
 * and no unique violation aborting the transaction).
 */
#include "store/pg/pg.h"
#include "store/notifications.h"
#include "util/log.h"

#include <string.h>

#define N_COLS                                                                                     \
    "id, incident_id, kind, dkey, user_id, method, address, subject, body, status, attempts, "     \
    "due_at, next_attempt_at, created_at, sent_at, last_error, bundled_into, bundle_count, "       \
    "fallback_of, reason"

static struct pg_stmt n_insert = {
    .sql = "INSERT INTO notifications(incident_id, kind, dkey, user_id, method, address, subject, "
           "body, status, attempts, due_at, next_attempt_at, created_at, bundle_count, "
           "fallback_of, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, "
           "$9::bigint, $10::bigint, $11::bigint, 1, $12::bigint, $13) "
           "ON CONFLICT(incident_id, dkey, user_id, method) DO NOTHING RETURNING id"};
static struct pg_stmt n_get = {.sql = "SELECT " N_COLS " FROM notifications WHERE id = $1::bigint"};
static struct pg_stmt n_update = {
    .sql = "UPDATE notifications SET status = $2, attempts = $3::integer, "
           "next_attempt_at = $4::bigint, sent_at = $5::bigint, last_error = $6, "
           "bundled_into = $7::bigint, bundle_count = $8::integer, claimed_by = NULL, "
           "claim_until = NULL WHERE id = $1::bigint"};
static struct pg_stmt n_due = {
    .sql =
        "SELECT " N_COLS " FROM notifications WHERE status = 'pending' "
        "AND next_attempt_at <= $1::bigint AND (claim_until IS NULL OR claim_until <= $3::bigint) "
        "ORDER BY next_attempt_at, id LIMIT $2::bigint"};
static struct pg_stmt n_next_due = {
    .sql = "SELECT min(next_attempt_at) FROM notifications WHERE status = 'pending'"};
static struct pg_stmt n_claim = {
    .sql = "UPDATE notifications SET claimed_by = $2, claim_until = $3::bigint "
           "WHERE id = $1::bigint AND status = 'pending' AND (claim_until IS NULL "
           "OR claim_until <= $4::bigint OR claimed_by = $2)"};
static struct pg_stmt n_list = {.sql = "SELECT " N_COLS
                                       " FROM notifications WHERE incident_id = $1 ORDER BY id"};
static struct pg_stmt n_members = {
    .sql = "SELECT " N_COLS " FROM notifications WHERE bundled_into = $1::bigint ORDER BY id"};
static struct pg_stmt n_last_sent = {
    .sql = "SELECT max(sent_at) FROM notifications WHERE user_id = $1 AND method = $2 "
           "AND sent_at IS NOT NULL"};
static struct pg_stmt n_att_insert = {
    .sql = "INSERT INTO notification_attempts(notification_id, at, ok, code, error, duration_ms) "
           "VALUES ($1::bigint, $2::bigint, $3::integer, $4::integer, $5, $6::bigint)"};
static struct pg_stmt n_att_list = {
    .sql = "SELECT notification_id, at, ok, code, error, duration_ms FROM notification_attempts "
           "WHERE notification_id = $1::bigint ORDER BY id"};

/* retention (notification_prune): delivered rows before $1, at most $2, oldest first; the same
 * set for both statements inside the one transaction (attempts first: they reference the row) */
#define N_PRUNE_SET                                                                                \
    "SELECT id FROM notifications WHERE status IN ('sent', 'bundled') "                            \
    "AND COALESCE(sent_at, created_at) < $1::bigint ORDER BY id LIMIT $2::bigint"
static struct pg_stmt n_prune_attempts = {
    .sql = "DELETE FROM notification_attempts WHERE notification_id IN (" N_PRUNE_SET ")"};
static struct pg_stmt n_prune = {.sql = "WITH d AS (DELETE FROM notifications WHERE id IN "
                                        "(" N_PRUNE_SET ") RETURNING 1) SELECT count(*) FROM d"};

static void read_row(const PGresult *r, int i, struct store_notification *n)
{
    memset(n, 0, sizeof *n);
    n->id = pg_col_int64(r, i, 0);
    n->incident_id = xstrdup(pg_text_or_empty(r, i, 1));
    n->kind = xstrdup(pg_text_or_empty(r, i, 2));
    n->dkey = xstrdup(pg_text_or_empty(r, i, 3));
    n->user_id = xstrdup(pg_text_or_empty(r, i, 4));
    n->method = xstrdup(pg_text_or_empty(r, i, 5));
    n->address = xstrdup(pg_text_or_empty(r, i, 6));
    n->subject = xstrdup(pg_text_or_empty(r, i, 7));
    n->body = xstrdup(pg_text_or_empty(r, i, 8));
    n->status = xstrdup(pg_text_or_empty(r, i, 9));
    n->attempts = (int)pg_col_int64(r, i, 10);
    n->due_at = pg_col_int64(r, i, 11);
    n->next_attempt_at = pg_col_int64(r, i, 12);
    n->created_at = pg_col_int64(r, i, 13);
    n->sent_at = pg_col_int64(r, i, 14);
    n->last_error = pg_col_text(r, i, 15);
    n->bundled_into = pg_col_int64(r, i, 16);
    n->bundle_count = (int)pg_col_int64(r, i, 17);
    n->fallback_of = pg_col_int64(r, i, 18);
    n->reason = pg_col_text(r, i, 19);
}

/* Runs q, handing each row to cb (until it returns non-0). */
static enum result each_row(struct pg_query *q, store_notification_cb cb, void *ctx,
                            const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct store_notification row;
        read_row(r, i, &row);
        int stop = cb(&row, ctx);
        store_notification_free_fields(&row);
        if (stop)
            break;
    }
    PQclear(r);
out:
    return result;
}

/* An int64 parameter, or NULL when v is 0 (ids: 0 means none). */
static void param_id(struct pg_query *q, int64_t v)
{
    if (v)
        pg_param_int64(q, v);
    else
        pg_param_text(q, NULL);
}

static enum result pgs_notification_insert(void *conn, const struct store_notification *n,
                                           int64_t *id)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_insert);
    pg_param_text(&q, n->incident_id ? n->incident_id : "");
    pg_param_text(&q, n->kind);
    pg_param_text(&q, n->dkey);
    pg_param_text(&q, n->user_id);
    pg_param_text(&q, n->method);
    pg_param_text(&q, n->address);
    pg_param_text(&q, n->subject);
    pg_param_text(&q, n->body);
    pg_param_int64(&q, n->due_at);
    pg_param_int64(&q, n->next_attempt_at);
    pg_param_int64(&q, n->created_at);
    param_id(&q, n->fallback_of);
    pg_param_text(&q, n->reason);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "notification_insert");
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        *id = pg_col_int64(r, 0, 0);
    else
        result = ERR_CONFLICT; /* already queued */
    PQclear(r);
out:
    return result;
}

static enum result pgs_notification_get(void *conn, int64_t id, struct store_notification *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_get);
    pg_param_int64(&q, id);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "notification_get");
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        read_row(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
out:
    return result;
}

static enum result pgs_notification_update(void *conn, const struct store_notification *n)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_update);
    pg_param_int64(&q, n->id);
    pg_param_text(&q, n->status);
    pg_param_int64(&q, n->attempts);
    pg_param_int64(&q, n->next_attempt_at);
    pg_param_time(&q, n->sent_at);
    pg_param_text(&q, n->last_error);
    param_id(&q, n->bundled_into);
    pg_param_int64(&q, n->bundle_count > 0 ? n->bundle_count : 1);
    return pg_query_run(&q, true, "notification_update");
}

static enum result pgs_notification_due(void *conn, int64_t now, int64_t wall, int limit,
                                        store_notification_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_due);
    pg_param_int64(&q, now);
    if (limit > 0)
        pg_param_int64(&q, limit);
    else
        pg_param_text(&q, NULL); /* LIMIT NULL: no limit, as SQLite's LIMIT -1 */
    pg_param_int64(&q, wall);
    return each_row(&q, cb, ctx, "notification_due");
}

/* One integer (or NULL) from a single-row aggregate. */
static enum result one_int(struct pg_query *q, int64_t *out, bool *null, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        goto out;
    if (PQntuples(r) == 1) {
        *null = pg_col_is_null(r, 0, 0);
        *out = pg_col_int64(r, 0, 0);
    } else if (q->bad_text) { /* not sent: text that is not UTF-8 matches no row (pg.c) */
        *null = true;
    } else {
        result = ERR_UNAVAILABLE; /* an aggregate always has one row */
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_notification_next_due(void *conn, int64_t *at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_next_due);
    bool null = true;
    enum result result = one_int(&q, at, &null, "notification_next_due");
    return result == OK && null ? ERR_NOT_FOUND : result;
}

static enum result pgs_notification_list(void *conn, const char *incident_id,
                                         store_notification_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_list);
    pg_param_text(&q, incident_id ? incident_id : "");
    return each_row(&q, cb, ctx, "notification_list");
}

static enum result pgs_notification_members(void *conn, int64_t lead, store_notification_cb cb,
                                            void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_members);
    pg_param_int64(&q, lead);
    return each_row(&q, cb, ctx, "notification_members");
}

static enum result pgs_notification_last_sent(void *conn, const char *user, const char *method,
                                              int64_t *at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_last_sent);
    pg_param_text(&q, user);
    pg_param_text(&q, method);
    bool null = true;
    enum result result = one_int(&q, at, &null, "notification_last_sent");
    if (result == OK && null)
        *at = 0;
    return result;
}

static enum result pgs_notification_attempt_insert(void *conn,
                                                   const struct store_notification_attempt *a)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_att_insert);
    pg_param_int64(&q, a->notification_id);
    pg_param_int64(&q, a->at);
    pg_param_bool(&q, a->ok);
    param_id(&q, a->code); /* 0: no code, NULL */
    pg_param_text(&q, a->error);
    pg_param_int64(&q, a->duration_ms);
    return pg_query_run(&q, false, "notification_attempt_insert");
}

static enum result pgs_notification_attempts(void *conn, int64_t notification_id,
                                             store_attempt_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_att_list);
    pg_param_int64(&q, notification_id);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "notification_attempts");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct store_notification_attempt a = {
            .notification_id = pg_col_int64(r, i, 0),
            .at = pg_col_int64(r, i, 1),
            .ok = pg_col_bool(r, i, 2),
            .code = (int)pg_col_int64(r, i, 3),
            .error = pg_col_is_null(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
            .duration_ms = pg_col_int64(r, i, 5),
        };
        if (cb(&a, ctx))
            break;
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_notification_claim(void *conn, int64_t id, const char *node, int64_t until,
                                          int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_claim);
    pg_param_int64(&q, id);
    pg_param_text(&q, node);
    pg_param_int64(&q, until);
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "notification_claim");
}

static enum result pgs_notification_prune(void *conn, int64_t before, int limit, int64_t *n)
{
    struct pg_query q;
    *n = 0;
    pg_query_init(&q, conn, &n_prune_attempts);
    pg_param_int64(&q, before);
    pg_param_int64(&q, limit);
    enum result result = pg_query_run(&q, false, "notification_prune");
    if (result != OK)
        return result;
    pg_query_init(&q, conn, &n_prune);
    pg_param_int64(&q, before);
    pg_param_int64(&q, limit);
    PGresult *r = pg_query_exec(&q, &result, "notification_prune");
    if (r && PQntuples(r))
        *n = pg_col_int64(r, 0, 0);
    PQclear(r);
    return result;
}

STORE_OPS_TABLE(pg, notification, STORE_NOTIFICATION_OPS);
