/*
 * store/pg/heartbeats: the PostgreSQL backend's heartbeats (migration 002), mirroring
 * store/sqlite/heartbeats.c. Invariant: touch never moves last_seen back (GREATEST of the stored
 * and the new time). The list is by name in byte order (COLLATE "C"), as SQLite sorts. Same
 * threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/heartbeats.h"

#include <string.h>

static struct pg_stmt hb_touch = {
    .sql = "INSERT INTO heartbeats(name, last_seen) VALUES ($1, $2::bigint) "
           "ON CONFLICT(name) DO UPDATE SET last_seen = "
           "GREATEST(heartbeats.last_seen, excluded.last_seen)"};
static struct pg_stmt hb_list = {
    .sql = "SELECT name, last_seen FROM heartbeats ORDER BY name COLLATE \"C\""};

static struct pg_stmt hb_missed = {
    .sql = "UPDATE heartbeats SET missed_for = $2::bigint WHERE name = $1 "
           "AND last_seen = $2::bigint AND (missed_for IS NULL OR missed_for <> $2::bigint)"};

static enum result pgs_heartbeat_touch(void *conn, const char *name, int64_t at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &hb_touch);
    pg_param_text(&q, name);
    pg_param_int64(&q, at);
    return pg_query_run(&q, false, "heartbeat_touch");
}

static enum result pgs_heartbeat_list(void *conn, store_heartbeat_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &hb_list);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "heartbeats");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        if (cb(pg_text_or_empty(r, i, 0), pg_col_int64(r, i, 1), ctx))
            break;
    PQclear(r);
out:
    return result;
}

static enum result pgs_heartbeat_claim_missed(void *conn, const char *name, int64_t last_seen)
{
    struct pg_query q;
    pg_query_init(&q, conn, &hb_missed);
    pg_param_text(&q, name);
    pg_param_int64(&q, last_seen);
    return pg_query_run(&q, true, "heartbeat_claim_missed");
}

STORE_OPS_TABLE(pg, heartbeat, STORE_HEARTBEAT_OPS);
