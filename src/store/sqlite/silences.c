/*
 * store/sqlite/silences: the SQLite backend's silences (migration 002). Expiring one sets its end
 * to now. Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/silences.h"
#include "util/log.h"

#include <string.h>

enum stmt_id { A_SIL_INSERT, A_SIL_LIST, A_SIL_LIST_ALL, A_SIL_EXPIRE, A_COUNT };

#define SIL_COLS "id, service, matchers, starts_at, ends_at, reason, created_by, created_at"

static struct sq_stmt stmts[] = {
    [A_SIL_INSERT] = {"INSERT INTO silences(" SIL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"},
    [A_SIL_LIST] = {"SELECT " SIL_COLS " FROM silences WHERE ends_at > ?1 "
                    "ORDER BY starts_at, id"},
    [A_SIL_LIST_ALL] = {"SELECT " SIL_COLS " FROM silences ORDER BY starts_at, id"},
    [A_SIL_EXPIRE] = {"UPDATE silences SET ends_at = ?2 WHERE id = ?1 "
                      "AND ends_at > ?2"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_silence_insert(void *conn, const struct silence *s)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_SIL_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, s->id);
    sq_bind_text(c, st, 2, s->service);
    sq_bind_text(c, st, 3, s->matchers ? s->matchers : "{}");
    sq_bind_int64(c, st, 4, s->starts_at);
    sq_bind_int64(c, st, 5, s->ends_at);
    sq_bind_text(c, st, 6, s->reason);
    sq_bind_text(c, st, 7, s->created_by);
    sq_bind_int64(c, st, 8, s->created_at);
    return sq_run(c, st, false, "silence_insert");
}

static enum result sq_silence_list(void *conn, bool include_expired, int64_t now,
                                   store_silence_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, include_expired ? A_SIL_LIST_ALL : A_SIL_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    if (!include_expired)
        sq_bind_int64(c, st, 1, now);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct silence s = {0};
        sq_copy_col(st, 0, s.id, sizeof s.id);
        s.service = sq_col_text(st, 1);
        s.matchers = sq_col_text(st, 2);
        s.starts_at = sqlite3_column_int64(st, 3);
        s.ends_at = sqlite3_column_int64(st, 4);
        s.reason = sq_col_text(st, 5);
        s.created_by = sq_col_text(st, 6);
        s.created_at = sqlite3_column_int64(st, 7);
        int stop = cb(&s, ctx);
        silence_free_fields(&s);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "silences");
    sqlite3_reset(st);
    return result;
}

static enum result sq_silence_expire(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_SIL_EXPIRE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, now);
    return sq_run(c, st, true, "silence_expire");
}

STORE_OPS_TABLE(sqlite, silence, STORE_SILENCE_OPS);
