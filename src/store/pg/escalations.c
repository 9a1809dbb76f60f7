/*
 * store/pg/escalations: the PostgreSQL backend's escalation tables (migration 005), mirroring
 * store/sqlite/escalations.c: one escalation state per incident, whose due_at is the engine's
 * deadline (indexed, so the earliest due rows come out in deadline order; NULL when nothing is
 * pending), and the hand-offs already announced (claimed once per schedule, layer and start:
 * ON CONFLICT DO NOTHING, so a second claim changes nothing and is ERR_CONFLICT without aborting
 * the transaction). Same threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/escalations.h"

#include <string.h>

#define ESC_COLS                                                                                   \
    "started, policy, round, next_step, round_start, ack_breach_done, resolve_breach_done, "       \
    "reminded_for, manual_count, due_at"

static struct pg_stmt esc_arm = {
    .sql = "INSERT INTO escalations(incident_id, round_start, due_at, updated_at) "
           "VALUES ($1, $2::bigint, $3::bigint, $3::bigint) ON CONFLICT(incident_id) DO UPDATE "
           "SET due_at = LEAST(coalesce(escalations.due_at, excluded.due_at), excluded.due_at), "
           "updated_at = excluded.updated_at"};
static struct pg_stmt esc_get = {.sql =
                                     "SELECT " ESC_COLS " FROM escalations WHERE incident_id = $1"};
static struct pg_stmt esc_put = {
    .sql = "UPDATE escalations SET started = $2::integer, policy = $3, round = $4::integer, "
           "next_step = $5::integer, round_start = $6::bigint, ack_breach_done = $7::integer, "
           "resolve_breach_done = $8::integer, reminded_for = $9::bigint, "
           "manual_count = $10::integer, due_at = $11::bigint, updated_at = $12::bigint "
           "WHERE incident_id = $1"};
static struct pg_stmt esc_due = {.sql =
                                     "SELECT incident_id FROM escalations WHERE due_at IS NOT NULL "
                                     "AND due_at <= $1::bigint ORDER BY due_at LIMIT $2::bigint"};
static struct pg_stmt esc_next_due = {
    .sql = "SELECT min(due_at) FROM escalations WHERE due_at IS NOT NULL"};
static struct pg_stmt esc_handoff_claim = {
    .sql = "INSERT INTO handoffs(schedule, layer, starts_at, user_id, notified_at) "
           "VALUES ($1, $2, $3::bigint, $4, $5::bigint) ON CONFLICT DO NOTHING"};

static enum result pgs_escalation_arm(void *conn, const char *incident_id, int64_t round_start,
                                      int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_arm);
    pg_param_text(&q, incident_id);
    pg_param_int64(&q, round_start);
    pg_param_int64(&q, now);
    return pg_query_run(&q, false, "escalation_arm");
}

static void read_state(const PGresult *r, struct escalation_state *out)
{
    memset(out, 0, sizeof *out);
    out->started = pg_col_bool(r, 0, 0);
    pg_copy_col(r, 0, 1, out->policy, sizeof out->policy);
    out->round = (int)pg_col_int64(r, 0, 2);
    out->next_step = (int)pg_col_int64(r, 0, 3);
    out->round_start = pg_col_int64(r, 0, 4);
    out->ack_breach_done = pg_col_bool(r, 0, 5);
    out->resolve_breach_done = pg_col_bool(r, 0, 6);
    out->reminded_for = pg_col_int64(r, 0, 7);
    out->manual_count = (int)pg_col_int64(r, 0, 8);
    out->due_at = pg_col_int64(r, 0, 9);
}

static enum result pgs_escalation_get(void *conn, const char *incident_id,
                                      struct escalation_state *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_get);
    pg_param_text(&q, incident_id);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "escalation_get");
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        read_state(r, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
out:
    return result;
}

static enum result pgs_escalation_put(void *conn, const char *incident_id,
                                      const struct escalation_state *s, int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_put);
    pg_param_text(&q, incident_id);
    pg_param_int64(&q, s->started);
    pg_param_text(&q, s->policy);
    pg_param_int64(&q, s->round);
    pg_param_int64(&q, s->next_step);
    pg_param_int64(&q, s->round_start);
    pg_param_int64(&q, s->ack_breach_done);
    pg_param_int64(&q, s->resolve_breach_done);
    pg_param_int64(&q, s->reminded_for);
    pg_param_int64(&q, s->manual_count);
    pg_param_time(&q, s->due_at); /* 0 -> NULL: nothing pending */
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "escalation_put");
}

static enum result pgs_escalation_due(void *conn, int64_t now, int limit, store_id_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_due);
    pg_param_int64(&q, now);
    if (limit >= 0)
        pg_param_int64(&q, limit);
    else
        pg_param_text(&q, NULL); /* LIMIT NULL: no limit, as SQLite's negative LIMIT */
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "escalation_due");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        if (cb(pg_text_or_empty(r, i, 0), ctx))
            break;
    PQclear(r);
out:
    return result;
}

static enum result pgs_escalation_next_due(void *conn, int64_t *at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_next_due);
    enum result result;
    *at = -1;
    PGresult *r = pg_query_exec(&q, &result, "escalation_next_due");
    if (!r)
        goto out;
    if (PQntuples(r) > 0 && !pg_col_is_null(r, 0, 0))
        *at = pg_col_int64(r, 0, 0);
    PQclear(r);
out:
    return result;
}

static enum result pgs_handoff_claim(void *conn, const char *schedule, const char *layer,
                                     int64_t starts_at, const char *user, int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &esc_handoff_claim);
    pg_param_text(&q, schedule);
    pg_param_text(&q, layer);
    pg_param_int64(&q, starts_at);
    pg_param_text(&q, user);
    pg_param_int64(&q, now);
    enum result result = pg_query_run(&q, true, "handoff_claim");
    if (result == ERR_NOT_FOUND)
        result = ERR_CONFLICT; /* already announced */
    return result;
}

STORE_OPS_TABLE(pg, escalation, STORE_ESCALATION_OPS);
