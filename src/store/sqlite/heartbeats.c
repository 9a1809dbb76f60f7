/*
 * store/sqlite/heartbeats: the SQLite backend's heartbeats (migration 002). Same threading as
 * sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/heartbeats.h"
#include "util/log.h"

#include <string.h>

enum stmt_id { A_HB_TOUCH, A_HB_LIST, A_HB_MISSED, A_COUNT };

static struct sq_stmt stmts[] = {
    [A_HB_TOUCH] = {"INSERT INTO heartbeats(name, last_seen) VALUES (?1, ?2) "
                    "ON CONFLICT(name) DO UPDATE SET last_seen = "
                    "max(last_seen, excluded.last_seen)"},
    [A_HB_LIST] = {"SELECT name, last_seen FROM heartbeats ORDER BY name"},
    [A_HB_MISSED] = {"UPDATE heartbeats SET missed_for = ?2 WHERE name = ?1 AND last_seen = ?2 "
                     "AND (missed_for IS NULL OR missed_for <> ?2)"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_heartbeat_touch(void *conn, const char *name, int64_t at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_HB_TOUCH);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, name);
    sq_bind_int64(c, st, 2, at);
    return sq_run(c, st, false, "heartbeat_touch");
}

static enum result sq_heartbeat_list(void *conn, store_heartbeat_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_HB_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW)
        if (cb(sq_text_or_empty(st, 0), sqlite3_column_int64(st, 1), ctx))
            break;
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "heartbeats");
    sqlite3_reset(st);
    return result;
}

static enum result sq_heartbeat_claim_missed(void *conn, const char *name, int64_t last_seen)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_HB_MISSED);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, name);
    sq_bind_int64(c, st, 2, last_seen);
    return sq_run(c, st, true, "heartbeat_claim_missed");
}

STORE_OPS_TABLE(sqlite, heartbeat, STORE_HEARTBEAT_OPS);
