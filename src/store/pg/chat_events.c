/*
 * store/pg/chat_events: the PostgreSQL backend's chat events (migration 017), mirroring
 * store/sqlite/chat_events.c. Same threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/chat_events.h"

static struct pg_stmt ev_claim = {
    .sql = "INSERT INTO chat_events(event_id, status, received_at, claimed_at) "
           "VALUES ($1, 'running', $2::bigint, $2::bigint) ON CONFLICT (event_id) DO UPDATE SET "
           "claimed_at = EXCLUDED.claimed_at WHERE chat_events.status = 'running' AND "
           "chat_events.claimed_at < $3::bigint"};
static struct pg_stmt ev_state = {
    .sql = "SELECT (status = 'running')::int FROM chat_events WHERE event_id = $1"};
static struct pg_stmt ev_done = {
    .sql = "UPDATE chat_events SET status = 'done', done_at = $2::bigint WHERE event_id = $1"};
static struct pg_stmt ev_release = {
    .sql = "DELETE FROM chat_events WHERE event_id = $1 AND status = 'running'"};
static struct pg_stmt ev_purge = {.sql = "DELETE FROM chat_events WHERE received_at < $1::bigint"};

static enum result pgs_chat_event_claim(void *conn, const char *event_id, int64_t now,
                                        int64_t stale_before, bool *claimed, bool *running)
{
    struct pg_query q;
    *claimed = *running = false;
    pg_query_init(&q, conn, &ev_claim);
    pg_param_text(&q, event_id);
    pg_param_int64(&q, now);
    pg_param_int64(&q, stale_before);
    enum result result = pg_query_run(&q, true, "chat_event_claim");
    *claimed = result == OK;
    if (result != ERR_NOT_FOUND)
        return result;
    pg_query_init(&q, conn, &ev_state); /* held: by another request, or done */
    pg_param_text(&q, event_id);
    PGresult *r = pg_query_exec(&q, &result, "chat_event_claim");
    if (!r)
        return result;
    if (PQntuples(r) == 1)
        *running = pg_col_int64(r, 0, 0) != 0;
    PQclear(r);
    return OK;
}

static enum result pgs_chat_event_done(void *conn, const char *event_id, int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ev_done);
    pg_param_text(&q, event_id);
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "chat_event_done");
}

static enum result pgs_chat_event_release(void *conn, const char *event_id)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ev_release);
    pg_param_text(&q, event_id);
    return pg_query_run(&q, false, "chat_event_release");
}

static enum result pgs_chat_event_purge(void *conn, int64_t before)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ev_purge);
    pg_param_int64(&q, before);
    return pg_query_run(&q, false, "chat_event_purge");
}

STORE_OPS_TABLE(pg, chat_event, STORE_CHAT_EVENT_OPS);
