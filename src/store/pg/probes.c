/*
 * store/pg/probes: the PostgreSQL backend's probe results (migration 002), mirroring
 * store/sqlite/probes.c. A result's status is NULL when there was none (read back as 0); ok is a
 * 0/1 INTEGER. probe_last is the latest by time, then by id. Same threading as pg.h: one
 * connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/probes.h"

#include <string.h>

static struct pg_stmt probe_insert = {
    .sql = "INSERT INTO probe_results(service, at, ok, status, latency_ms, error) "
           "VALUES ($1, $2::bigint, $3::integer, $4::integer, $5::double precision, $6)"};
static struct pg_stmt probe_uptime = {
    .sql = "SELECT coalesce(sum(ok), 0)::bigint, count(*) FROM probe_results "
           "WHERE service = $1 AND at >= $2::bigint"};
static struct pg_stmt probe_last = {
    .sql = "SELECT at, ok, status, latency_ms, error FROM probe_results WHERE service = $1 "
           "ORDER BY at DESC, id DESC LIMIT 1"};

static struct pg_stmt probe_recent = {
    .sql = "SELECT ok FROM probe_results WHERE service = $1 ORDER BY at DESC, id DESC "
           "LIMIT $2::bigint"};

static enum result pgs_probe_result_insert(void *conn, const char *service,
                                           const struct store_probe_result *r)
{
    struct pg_query q;
    pg_query_init(&q, conn, &probe_insert);
    pg_param_text(&q, service);
    pg_param_int64(&q, r->at);
    pg_param_bool(&q, r->ok);
    if (r->status)
        pg_param_int64(&q, r->status);
    else
        pg_param_text(&q, NULL);
    pg_param_double(&q, r->latency_ms);
    pg_param_text(&q, r->error);
    return pg_query_run(&q, false, "probe_result_insert");
}

static enum result pgs_probe_uptime(void *conn, const char *service, int64_t since, int64_t *ok,
                                    int64_t *total)
{
    struct pg_query q;
    pg_query_init(&q, conn, &probe_uptime);
    pg_param_text(&q, service);
    pg_param_int64(&q, since);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "probe_uptime");
    if (!r)
        goto out;
    if (PQntuples(r) == 1) {
        *ok = pg_col_int64(r, 0, 0);
        *total = pg_col_int64(r, 0, 1);
    } else if (q.bad_text) { /* not sent: a service that is not UTF-8 has no result (pg.c) */
        *ok = 0;
        *total = 0;
    } else {
        result = ERR_UNAVAILABLE; /* an aggregate always has one row */
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_probe_last(void *conn, const char *service, struct store_probe_result *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &probe_last);
    pg_param_text(&q, service);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "probe_last");
    if (!r)
        goto out;
    if (PQntuples(r) > 0) {
        memset(out, 0, sizeof *out);
        out->at = pg_col_int64(r, 0, 0);
        out->ok = pg_col_bool(r, 0, 1);
        out->status = (int)pg_col_int64(r, 0, 2);
        out->latency_ms = pg_col_double(r, 0, 3);
        out->error = pg_col_text(r, 0, 4);
    } else {
        result = ERR_NOT_FOUND;
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_probe_streak(void *conn, const char *service, int limit, bool *ok,
                                    int *length)
{
    struct pg_query q;
    pg_query_init(&q, conn, &probe_recent);
    pg_param_text(&q, service);
    pg_param_int64(&q, limit);
    *ok = false;
    *length = 0;
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "probe_streak");
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        bool this_ok = pg_col_bool(r, i, 0);
        if (*length == 0)
            *ok = this_ok;
        else if (this_ok != *ok)
            break;
        ++*length;
    }
    PQclear(r);
    return OK;
}

STORE_OPS_TABLE(pg, probe, STORE_PROBE_OPS);
