/*
 * store/pg/incidents: the PostgreSQL backend's incidents and counters (migration 001; the
 * group-key index from 006). Mirrors store/sqlite/incidents.c statement for statement: same rows,
 * same ERR_NOT_FOUND cases, same list order (created_at, then ids by length and byte order, so
 * INC-...-1000 sorts after INC-...-999 as in SQLite; COLLATE "C" keeps byte order whatever the
 * database's collation). Status filters are bit sets tested with `$1::bigint >> n`.
 * A key that is not valid UTF-8 (an id from a URL) matches no row, as in SQLite: ERR_NOT_FOUND
 * without a query (PostgreSQL would reject the parameter, and abort the writer's transaction).
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "domain/incident.h"
#include "store/incidents.h"
#include "util/log.h"

#include <string.h>

enum stmt_id {
    S_COUNTER_NEXT,
    S_INC_INSERT,
    S_INC_UPDATE,
    S_INC_GET,
    S_INC_LIST,
    S_INC_COUNT_OPEN,
    S_INC_OPEN_GROUP,
    S_COUNT
};

#define INC_COLS                                                                                   \
    "id, title, summary, severity, service, type, channel, postmortem, status, drill, "            \
    "created_at, acknowledged_at, resolved_at, closed_at, updated_at, last_public_update_at, "     \
    "commander, tech_lead, comms_lead, scribe, group_key, auto_resolve, fields, "                  \
    "failed_resolutions, rules_fired"

static struct pg_stmt stmts[] = {
    [S_COUNTER_NEXT] = {"INSERT INTO counters(key, value) VALUES ($1, 1) ON CONFLICT(key) "
                        "DO UPDATE SET value = counters.value + 1 RETURNING value"},
    [S_INC_INSERT] =
        {"INSERT INTO incidents(" INC_COLS ") VALUES "
         "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,"
         "$23,$24,$25)"},
    [S_INC_UPDATE] =
        {"UPDATE incidents SET title=$2, summary=$3, severity=$4, service=$5, type=$6, "
         "channel=$7, postmortem=$8, status=$9, drill=$10, created_at=$11, "
         "acknowledged_at=$12, resolved_at=$13, closed_at=$14, updated_at=$15, "
         "last_public_update_at=$16, commander=$17, tech_lead=$18, comms_lead=$19, "
         "scribe=$20, group_key=$21, auto_resolve=$22, fields=$23, failed_resolutions=$24, "
         "rules_fired=$25 WHERE id=$1"},
    [S_INC_GET] = {"SELECT " INC_COLS " FROM incidents WHERE id = $1"},
    [S_INC_LIST] = {"SELECT " INC_COLS " FROM incidents WHERE ($1::bigint = 0 OR "
                    "(($1::bigint >> (CASE status WHEN 'triggered' THEN 0 WHEN 'acknowledged' "
                    "THEN 1 WHEN 'investigating' THEN 2 WHEN 'identified' THEN 3 "
                    "WHEN 'monitoring' THEN 4 WHEN 'resolved' THEN 5 ELSE 6 END)) & 1) = 1) "
                    "AND ($4::text IS NULL OR created_at < $3::bigint OR "
                    "(created_at = $3::bigint AND (length(id) < length($4::text) OR "
                    "(length(id) = length($4::text) AND id COLLATE \"C\" < $4::text)))) "
                    "ORDER BY created_at DESC, length(id) DESC, id COLLATE \"C\" DESC "
                    "LIMIT $2::bigint"},
    [S_INC_COUNT_OPEN] = {"SELECT severity, count(*) FROM incidents WHERE status IN "
                          "('triggered','acknowledged','investigating','identified','monitoring') "
                          "GROUP BY severity ORDER BY severity COLLATE \"C\""},
    [S_INC_OPEN_GROUP] = {"SELECT " INC_COLS
                          " FROM incidents WHERE group_key = $1 AND status NOT IN "
                          "('resolved', 'closed') ORDER BY created_at DESC LIMIT 1"},
};

static enum result pgs_counter_next(void *conn, const char *key, int64_t *out)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[S_COUNTER_NEXT]);
    pg_param_text(&q, key);
    PGresult *r = pg_query_exec(&q, &result, "counter_next");
    if (!r)
        goto out;
    if (PQntuples(r) != 1) {
        log_error("store: counter_next returned %d rows", PQntuples(r));
        result = ERR_UNAVAILABLE;
        goto out;
    }
    *out = pg_col_int64(r, 0, 0);
out:
    PQclear(r);
    return result;
}

static void param_incident(struct pg_query *q, const struct incident *inc)
{
    pg_param_text(q, inc->id);
    pg_param_text(q, inc->title);
    pg_param_text(q, inc->summary);
    pg_param_text(q, inc->severity);
    pg_param_text(q, inc->service);
    pg_param_text(q, inc->type);
    pg_param_text(q, inc->channel);
    pg_param_text(q, inc->postmortem);
    pg_param_text(q, incident_status_name(inc->status));
    pg_param_bool(q, inc->drill);
    pg_param_int64(q, inc->created_at);
    pg_param_time(q, inc->acknowledged_at);
    pg_param_time(q, inc->resolved_at);
    pg_param_time(q, inc->closed_at);
    pg_param_int64(q, inc->updated_at);
    pg_param_time(q, inc->last_public_update_at);
    for (int r = 0; r < ROLE_COUNT; r++)
        pg_param_text(q, inc->roles[r]);
    pg_param_text(q, inc->group_key);
    pg_param_bool(q, inc->auto_resolve);
    pg_param_text(q, inc->fields);
    pg_param_int64(q, inc->failed_resolutions);
    pg_param_text(q, inc->rules_fired);
}

static void read_incident(const PGresult *r, int row, struct incident *inc)
{
    memset(inc, 0, sizeof *inc);
    pg_copy_col(r, row, 0, inc->id, sizeof inc->id);
    inc->title = pg_col_text(r, row, 1);
    inc->summary = pg_col_text(r, row, 2);
    inc->severity = pg_col_text(r, row, 3);
    inc->service = pg_col_text(r, row, 4);
    inc->type = pg_col_text(r, row, 5);
    inc->channel = pg_col_text(r, row, 6);
    inc->postmortem = pg_col_text(r, row, 7);
    int s = incident_status_parse(pg_text_or_empty(r, row, 8));
    inc->status = s < 0 ? INC_TRIGGERED : (enum incident_status)s;
    inc->drill = pg_col_bool(r, row, 9);
    inc->created_at = pg_col_int64(r, row, 10);
    inc->acknowledged_at = pg_col_int64(r, row, 11);
    inc->resolved_at = pg_col_int64(r, row, 12);
    inc->closed_at = pg_col_int64(r, row, 13);
    inc->updated_at = pg_col_int64(r, row, 14);
    inc->last_public_update_at = pg_col_int64(r, row, 15);
    for (int k = 0; k < ROLE_COUNT; k++)
        inc->roles[k] = pg_col_text(r, row, 16 + k);
    inc->group_key = pg_col_text(r, row, 20);
    inc->auto_resolve = pg_col_bool(r, row, 21);
    inc->fields = pg_col_text(r, row, 22);
    inc->failed_resolutions = (int)pg_col_int64(r, row, 23);
    inc->rules_fired = pg_col_text(r, row, 24);
}

/* Insert or update (by id): an update that matches no row is ERR_NOT_FOUND. */
static enum result incident_write(struct pg_conn *c, enum stmt_id id, const struct incident *inc)
{
    struct pg_query q;
    pg_query_init(&q, c, &stmts[id]);
    param_incident(&q, inc);
    return pg_query_run(&q, id == S_INC_UPDATE, "incident write");
}

static enum result pgs_incident_insert(void *c, const struct incident *inc)
{
    return incident_write(c, S_INC_INSERT, inc);
}

static enum result pgs_incident_update(void *c, const struct incident *inc)
{
    return incident_write(c, S_INC_UPDATE, inc);
}

/* The first row of a one-key statement into *out; ERR_NOT_FOUND when there is none. */
static enum result one_incident(struct pg_conn *c, enum stmt_id id, const char *key,
                                struct incident *out, const char *what)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, c, &stmts[id]);
    pg_param_text(&q, key);
    PGresult *r = pg_query_exec(&q, &result, what);
    if (!r)
        goto out;
    if (PQntuples(r) == 0) {
        result = ERR_NOT_FOUND;
        goto out;
    }
    read_incident(r, 0, out);
out:
    PQclear(r);
    return result;
}

static enum result pgs_incident_get(void *c, const char *id, struct incident *out)
{
    return one_incident(c, S_INC_GET, id, out, "incident_get");
}

static enum result pgs_incident_list(void *conn, const struct store_incident_filter *f,
                                     store_incident_cb cb, void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[S_INC_LIST]);
    pg_param_int64(&q, f->statuses);
    if (f->limit > 0)
        pg_param_int64(&q, f->limit);
    else
        pg_param_text(&q, NULL); /* LIMIT NULL: no limit */
    pg_param_int64(&q, f->after_created_at);
    pg_param_text(&q, f->after_id);
    PGresult *r = pg_query_exec(&q, &result, "list");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct incident inc;
        read_incident(r, i, &inc);
        int stop = cb(&inc, ctx);
        incident_free_fields(&inc);
        if (stop)
            break;
    }
out:
    PQclear(r);
    return result;
}

static enum result pgs_incident_count_open(void *conn, store_count_cb cb, void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[S_INC_COUNT_OPEN]);
    PGresult *r = pg_query_exec(&q, &result, "count_open");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        cb(pg_text_or_empty(r, i, 0), pg_col_int64(r, i, 1), ctx);
out:
    PQclear(r);
    return result;
}

static enum result pgs_incident_find_open_group(void *c, const char *group_key,
                                                struct incident *out)
{
    return one_incident(c, S_INC_OPEN_GROUP, group_key, out, "incident_find_open_group");
}

STORE_OPS_TABLE(pg, incident, STORE_INCIDENT_OPS);
