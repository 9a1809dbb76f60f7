/*
 * store/pg/silences: the PostgreSQL backend's silences (migration 002). Mirrors
 * store/sqlite/silences.c: expiring one sets its end to now (ERR_NOT_FOUND when it is missing or
 * already over); lists are in start order, then id in byte order (COLLATE "C", as SQLite compares).
 * An id that is not valid UTF-8 (from a URL) matches no row: ERR_NOT_FOUND without a query.
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/silences.h"
#include "util/log.h"

#include <string.h>

enum stmt_id { A_SIL_INSERT, A_SIL_LIST, A_SIL_LIST_ALL, A_SIL_EXPIRE, A_COUNT };

#define SIL_COLS "id, service, matchers, starts_at, ends_at, reason, created_by, created_at"

static struct pg_stmt stmts[] = {
    [A_SIL_INSERT] = {"INSERT INTO silences(" SIL_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"},
    [A_SIL_LIST] = {"SELECT " SIL_COLS " FROM silences WHERE ends_at > $1 "
                    "ORDER BY starts_at, id COLLATE \"C\""},
    [A_SIL_LIST_ALL] = {"SELECT " SIL_COLS " FROM silences ORDER BY starts_at, id COLLATE \"C\""},
    [A_SIL_EXPIRE] = {"UPDATE silences SET ends_at = $2 WHERE id = $1 AND ends_at > $2"},
};

static enum result pgs_silence_insert(void *conn, const struct silence *s)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[A_SIL_INSERT]);
    pg_param_text(&q, s->id);
    pg_param_text(&q, s->service);
    pg_param_text(&q, s->matchers ? s->matchers : "{}");
    pg_param_int64(&q, s->starts_at);
    pg_param_int64(&q, s->ends_at);
    pg_param_text(&q, s->reason);
    pg_param_text(&q, s->created_by);
    pg_param_int64(&q, s->created_at);
    return pg_query_run(&q, false, "silence_insert");
}

static enum result pgs_silence_list(void *conn, bool include_expired, int64_t now,
                                    store_silence_cb cb, void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[include_expired ? A_SIL_LIST_ALL : A_SIL_LIST]);
    if (!include_expired)
        pg_param_int64(&q, now);
    PGresult *r = pg_query_exec(&q, &result, "silences");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct silence s = {0};
        pg_copy_col(r, i, 0, s.id, sizeof s.id);
        s.service = pg_col_text(r, i, 1);
        s.matchers = pg_col_text(r, i, 2);
        s.starts_at = pg_col_int64(r, i, 3);
        s.ends_at = pg_col_int64(r, i, 4);
        s.reason = pg_col_text(r, i, 5);
        s.created_by = pg_col_text(r, i, 6);
        s.created_at = pg_col_int64(r, i, 7);
        int stop = cb(&s, ctx);
        silence_free_fields(&s);
        if (stop)
            break;
    }
out:
    PQclear(r);
    return result;
}

static enum result pgs_silence_expire(void *conn, const char *id, int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[A_SIL_EXPIRE]);
    pg_param_text(&q, id);
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "silence_expire");
}

STORE_OPS_TABLE(pg, silence, STORE_SILENCE_OPS);
