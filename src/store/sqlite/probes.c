/*
 * store/sqlite/probes: the SQLite backend's probe results (migration 002). Same threading as
 * sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/probes.h"
#include "util/log.h"

#include <string.h>

enum stmt_id { A_PROBE_INSERT, A_PROBE_UPTIME, A_PROBE_LAST, A_PROBE_RECENT, A_COUNT };

static struct sq_stmt stmts[] = {
    [A_PROBE_INSERT] = {"INSERT INTO probe_results(service, at, ok, status, "
                        "latency_ms, error) VALUES (?1,?2,?3,?4,?5,?6)"},
    [A_PROBE_UPTIME] = {"SELECT coalesce(sum(ok), 0), count(*) FROM "
                        "probe_results WHERE service = ?1 AND at >= ?2"},
    [A_PROBE_LAST] = {"SELECT at, ok, status, latency_ms, error FROM "
                      "probe_results WHERE service = ?1 ORDER BY at DESC, id "
                      "DESC LIMIT 1"},
    [A_PROBE_RECENT] = {"SELECT ok FROM probe_results WHERE service = ?1 "
                        "ORDER BY at DESC, id DESC LIMIT ?2"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_probe_result_insert(void *conn, const char *service,
                                          const struct store_probe_result *r)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, service);
    sq_bind_int64(c, st, 2, r->at);
    sq_bind_int64(c, st, 3, r->ok ? 1 : 0);
    if (r->status)
        sq_bind_int64(c, st, 4, r->status);
    sq_bind_double(c, st, 5, r->latency_ms);
    sq_bind_text(c, st, 6, r->error);
    return sq_run(c, st, false, "probe_result_insert");
}

static enum result sq_probe_uptime(void *conn, const char *service, int64_t since, int64_t *ok,
                                   int64_t *total)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_UPTIME);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, service);
    sq_bind_int64(c, st, 2, since);
    enum result result = OK;
    if (sq_step(c, st) == SQLITE_ROW) {
        *ok = sqlite3_column_int64(st, 0);
        *total = sqlite3_column_int64(st, 1);
    } else {
        result = sq_fail(c, "probe_uptime");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_probe_last(void *conn, const char *service, struct store_probe_result *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_LAST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, service);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->at = sqlite3_column_int64(st, 0);
        out->ok = sqlite3_column_int(st, 1) != 0;
        out->status = sqlite3_column_int(st, 2);
        out->latency_ms = sqlite3_column_double(st, 3);
        out->error = sq_col_text(st, 4);
    } else {
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "probe_last");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_probe_streak(void *conn, const char *service, int limit, bool *ok,
                                   int *length)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_RECENT);
    *ok = false;
    *length = 0;
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, service);
    sq_bind_int64(c, st, 2, limit);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        bool this_ok = sqlite3_column_int64(st, 0) != 0;
        if (*length == 0)
            *ok = this_ok;
        else if (this_ok != *ok)
            break;
        ++*length;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "probe_streak");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, probe, STORE_PROBE_OPS);
