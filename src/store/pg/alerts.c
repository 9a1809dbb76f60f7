/*
 * store/pg/alerts: the PostgreSQL backend's alerts (migration 002). Mirrors store/sqlite/alerts.c.
 * Differences of form only: the insert returns the new id (RETURNING, where SQLite reads its last
 * rowid), and PostgreSQL wants every placeholder of a statement used, so the insert and the update
 * number only the columns they write (SQLite's shared ?1..?19 binding skipped some).
 * A key that is not valid UTF-8 (a URL's filter or id) matches no row, as in SQLite, without a
 * query (PostgreSQL would reject the parameter, and abort the writer's transaction).
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "domain/alert.h"
#include "store/alerts.h"
#include "util/log.h"

#include <string.h>

enum stmt_id {
    A_ALERT_FIND_OPEN,
    A_ALERT_INSERT,
    A_ALERT_UPDATE,
    A_ALERT_LIST,
    A_ALERT_COUNT_OPEN,
    A_ALERT_PRUNE,
    A_COUNT
};

#define ALERT_COLS                                                                                 \
    "id, scope, integration_id, source_kind, service, dedup_key, status, summary, source, "        \
    "severity, labels, details, group_key, incident_id, silenced_by, first_seen, last_seen, "      \
    "repeat_count, resolved_at"

static struct pg_stmt stmts[] = {
    [A_ALERT_FIND_OPEN] = {"SELECT " ALERT_COLS " FROM alerts WHERE scope = $1 "
                           "AND dedup_key = $2 AND status != 'resolved'"},
    [A_ALERT_INSERT] =
        {"INSERT INTO alerts(scope, integration_id, source_kind, service, dedup_key, status, "
         "summary, source, severity, labels, details, group_key, incident_id, silenced_by, "
         "first_seen, last_seen, repeat_count, resolved_at) VALUES "
         "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id"},
    [A_ALERT_UPDATE] =
        {"UPDATE alerts SET status=$2, summary=$3, source=$4, severity=$5, labels=$6, "
         "details=$7, incident_id=$8, silenced_by=$9, last_seen=$10, repeat_count=$11, "
         "resolved_at=$12 WHERE id=$1"},
    [A_ALERT_LIST] = {"SELECT " ALERT_COLS " FROM alerts WHERE ($1::bigint = 0 OR "
                      "(($1::bigint >> (CASE status WHEN 'firing' THEN 0 WHEN 'acknowledged' "
                      "THEN 1 ELSE 2 END)) & 1) = 1) "
                      "AND ($2::text IS NULL OR service = $2::text) "
                      "AND ($3::text IS NULL OR incident_id = $3::text) "
                      "AND ($5::bigint = 0 OR id < $5::bigint) "
                      "ORDER BY id DESC LIMIT $4::bigint"},
    [A_ALERT_COUNT_OPEN] = {"SELECT count(*) FROM alerts WHERE incident_id = $1 "
                            "AND status IN ('firing', 'acknowledged')"},
    [A_ALERT_PRUNE] = {"WITH d AS (DELETE FROM alerts WHERE id IN (SELECT id FROM alerts "
                       "WHERE status = 'resolved' AND resolved_at < $1::bigint ORDER BY id "
                       "LIMIT $2::bigint) RETURNING 1) SELECT count(*) FROM d"},
};

static void read_alert(const PGresult *r, int row, struct alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = pg_col_int64(r, row, 0);
    a->scope = pg_col_text(r, row, 1);
    a->integration_id = pg_col_text(r, row, 2);
    a->source_kind = pg_col_text(r, row, 3);
    a->service = pg_col_text(r, row, 4);
    a->dedup_key = pg_col_text(r, row, 5);
    int s = alert_status_parse(pg_text_or_empty(r, row, 6));
    a->status = s < 0 ? ALERT_FIRING : (enum alert_status)s;
    a->summary = pg_col_text(r, row, 7);
    a->source = pg_col_text(r, row, 8);
    a->severity = pg_col_text(r, row, 9);
    a->labels = pg_col_text(r, row, 10);
    a->details = pg_col_text(r, row, 11);
    a->group_key = pg_col_text(r, row, 12);
    a->incident_id = pg_col_text(r, row, 13);
    a->silenced_by = pg_col_text(r, row, 14);
    a->first_seen = pg_col_int64(r, row, 15);
    a->last_seen = pg_col_int64(r, row, 16);
    a->repeat_count = pg_col_int64(r, row, 17);
    a->resolved_at = pg_col_int64(r, row, 18);
}

static enum result pgs_alert_find_open(void *conn, const char *scope, const char *dedup_key,
                                       struct alert *out)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[A_ALERT_FIND_OPEN]);
    pg_param_text(&q, scope);
    pg_param_text(&q, dedup_key);
    PGresult *r = pg_query_exec(&q, &result, "alert_find_open");
    if (!r)
        goto out;
    if (PQntuples(r) == 0) {
        result = ERR_NOT_FOUND;
        goto out;
    }
    read_alert(r, 0, out);
out:
    PQclear(r);
    return result;
}

static enum result pgs_alert_insert(void *conn, const struct alert *a, int64_t *id)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[A_ALERT_INSERT]);
    pg_param_text(&q, a->scope);
    pg_param_text(&q, a->integration_id);
    pg_param_text(&q, a->source_kind);
    pg_param_text(&q, a->service);
    pg_param_text(&q, a->dedup_key);
    pg_param_text(&q, alert_status_name(a->status));
    pg_param_text(&q, a->summary);
    pg_param_text(&q, a->source);
    pg_param_text(&q, a->severity);
    pg_param_text(&q, a->labels ? a->labels : "{}");
    pg_param_text(&q, a->details ? a->details : "{}");
    pg_param_text(&q, a->group_key);
    pg_param_text(&q, a->incident_id);
    pg_param_text(&q, a->silenced_by);
    pg_param_int64(&q, a->first_seen);
    pg_param_int64(&q, a->last_seen);
    pg_param_int64(&q, a->repeat_count);
    pg_param_time(&q, a->resolved_at);
    PGresult *r = pg_query_exec(&q, &result, "alert_insert");
    if (!r)
        goto out;
    if (PQntuples(r) != 1) {
        log_error("store: alert_insert returned %d rows", PQntuples(r));
        result = ERR_UNAVAILABLE;
        goto out;
    }
    *id = pg_col_int64(r, 0, 0);
out:
    PQclear(r);
    return result;
}

static enum result pgs_alert_update(void *conn, const struct alert *a)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[A_ALERT_UPDATE]);
    pg_param_int64(&q, a->id);
    pg_param_text(&q, alert_status_name(a->status));
    pg_param_text(&q, a->summary);
    pg_param_text(&q, a->source);
    pg_param_text(&q, a->severity);
    pg_param_text(&q, a->labels ? a->labels : "{}");
    pg_param_text(&q, a->details ? a->details : "{}");
    pg_param_text(&q, a->incident_id);
    pg_param_text(&q, a->silenced_by);
    pg_param_int64(&q, a->last_seen);
    pg_param_int64(&q, a->repeat_count);
    pg_param_time(&q, a->resolved_at);
    return pg_query_run(&q, true, "alert_update");
}

static enum result pgs_alert_list(void *conn, const struct store_alert_filter *f, store_alert_cb cb,
                                  void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[A_ALERT_LIST]);
    pg_param_int64(&q, f->statuses);
    pg_param_text(&q, f->service);
    pg_param_text(&q, f->incident_id);
    if (f->limit > 0)
        pg_param_int64(&q, f->limit);
    else
        pg_param_text(&q, NULL); /* LIMIT NULL: no limit */
    pg_param_int64(&q, f->before_id);
    PGresult *r = pg_query_exec(&q, &result, "alert_list");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct alert a;
        read_alert(r, i, &a);
        int stop = cb(&a, ctx);
        alert_free_fields(&a);
        if (stop)
            break;
    }
out:
    PQclear(r);
    return result;
}

static enum result pgs_alert_count_open(void *conn, const char *incident_id, int64_t *n)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[A_ALERT_COUNT_OPEN]);
    pg_param_text(&q, incident_id);
    PGresult *r = pg_query_exec(&q, &result, "alert_count_open");
    if (!r)
        goto out;
    /* count(*) is one row; none only when pg.c did not send the query (an id that is not valid
     * UTF-8 matches no alert) */
    *n = PQntuples(r) ? pg_col_int64(r, 0, 0) : 0;
out:
    PQclear(r);
    return result;
}

static enum result pgs_alert_prune(void *conn, int64_t before, int limit, int64_t *n)
{
    struct pg_query q;
    enum result result;
    *n = 0;
    pg_query_init(&q, conn, &stmts[A_ALERT_PRUNE]);
    pg_param_int64(&q, before);
    pg_param_int64(&q, limit);
    PGresult *r = pg_query_exec(&q, &result, "alert_prune");
    if (r && PQntuples(r))
        *n = pg_col_int64(r, 0, 0);
    PQclear(r);
    return result;
}

STORE_OPS_TABLE(pg, alert, STORE_ALERT_OPS);
