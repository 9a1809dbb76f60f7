/*
 * store/pg/nodes: the PostgreSQL backend's nodes and cluster counters (migration 007), mirroring
 * store/sqlite/nodes.c. The list is by id in byte order (COLLATE "C"), as SQLite sorts. Same
 * threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/nodes.h"

static struct pg_stmt n_beat = {
    .sql = "INSERT INTO nodes(id, pid, version, started_at, heartbeat_at) "
           "VALUES ($1, $2::bigint, $3, $4::bigint, $5::bigint) ON CONFLICT(id) DO UPDATE SET "
           "pid = excluded.pid, version = excluded.version, started_at = excluded.started_at, "
           "heartbeat_at = GREATEST(nodes.heartbeat_at, excluded.heartbeat_at)"};
static struct pg_stmt n_release = {
    .sql = "UPDATE notifications SET claimed_by = NULL, claim_until = NULL WHERE claimed_by = $1 "
           "OR ($1::text IS NULL AND claimed_by IS NOT NULL)"};
static struct pg_stmt n_list = {
    .sql = "SELECT n.id, n.pid, n.version, n.started_at, n.heartbeat_at, "
           "(SELECT count(*) FROM notifications c WHERE c.claimed_by = n.id "
           " AND c.claim_until > $1::bigint AND c.status = 'pending') "
           "FROM nodes n ORDER BY n.id COLLATE \"C\""};
static struct pg_stmt n_value = {.sql = "SELECT value FROM cluster_state WHERE key = $1"};
static struct pg_stmt n_bump = {.sql = "INSERT INTO cluster_state(key, value) VALUES ($1, 1) "
                                       "ON CONFLICT(key) DO UPDATE SET value = "
                                       "cluster_state.value + 1"};
static struct pg_stmt n_raise = {
    .sql = "INSERT INTO cluster_state(key, value) VALUES ($1, $2::bigint) "
           "ON CONFLICT(key) DO UPDATE SET value = GREATEST(cluster_state.value, excluded.value)"};

static struct pg_stmt n_claim = {
    .sql = "INSERT INTO cluster_state(key, value) VALUES ($1, $3::bigint) ON CONFLICT(key) DO "
           "UPDATE SET value = excluded.value WHERE cluster_state.value <= $2::bigint"};

static struct pg_stmt n_run_touch = {
    .sql = "INSERT INTO runs(node, started_at, seen_at) VALUES ($1, $2::bigint, $3::bigint) "
           "ON CONFLICT(node, started_at) DO UPDATE SET "
           "seen_at = GREATEST(runs.seen_at, excluded.seen_at)"};
static struct pg_stmt n_run_list = {
    .sql = "SELECT node, started_at, seen_at FROM runs WHERE seen_at >= $1::bigint AND "
           "started_at <= $2::bigint ORDER BY started_at, node COLLATE \"C\""};

static enum result pgs_node_beat(void *conn, const char *id, int64_t pid, const char *version,
                                 int64_t started_at, int64_t at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_beat);
    pg_param_text(&q, id);
    pg_param_int64(&q, pid);
    pg_param_text(&q, version);
    pg_param_int64(&q, started_at);
    pg_param_int64(&q, at);
    return pg_query_run(&q, false, "node_beat");
}

static enum result pgs_node_release(void *conn, const char *id)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_release);
    pg_param_text(&q, id);
    return pg_query_run(&q, false, "node_release");
}

static enum result pgs_node_list(void *conn, int64_t now, store_node_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_list);
    pg_param_int64(&q, now);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "node_list");
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct store_node node = {.id = pg_text_or_empty(r, i, 0),
                                  .pid = pg_col_int64(r, i, 1),
                                  .version = pg_text_or_empty(r, i, 2),
                                  .started_at = pg_col_int64(r, i, 3),
                                  .heartbeat_at = pg_col_int64(r, i, 4),
                                  .claims = pg_col_int64(r, i, 5)};
        if (cb(&node, ctx))
            break;
    }
    PQclear(r);
    return OK;
}

static enum result pgs_cluster_value(void *conn, const char *key, int64_t *value)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_value);
    pg_param_text(&q, key);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "cluster_value");
    *value = 0;
    if (!r)
        return result;
    if (PQntuples(r) > 0)
        *value = pg_col_int64(r, 0, 0);
    PQclear(r);
    return OK;
}

static enum result pgs_cluster_bump(void *conn, const char *key)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_bump);
    pg_param_text(&q, key);
    return pg_query_run(&q, false, "cluster_bump");
}

static enum result pgs_cluster_raise(void *conn, const char *key, int64_t value)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_raise);
    pg_param_text(&q, key);
    pg_param_int64(&q, value);
    return pg_query_run(&q, false, "cluster_raise");
}

static enum result pgs_cluster_claim(void *conn, const char *key, int64_t now, int64_t until)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_claim);
    pg_param_text(&q, key);
    pg_param_int64(&q, now);
    pg_param_int64(&q, until);
    return pg_query_run(&q, true, "cluster_claim");
}

static enum result pgs_run_touch(void *conn, const char *node, int64_t started_at, int64_t seen_at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_run_touch);
    pg_param_text(&q, node);
    pg_param_int64(&q, started_at);
    pg_param_int64(&q, seen_at);
    return pg_query_run(&q, false, "run_touch");
}

static enum result pgs_run_list(void *conn, int64_t from, int64_t to, store_run_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &n_run_list);
    pg_param_int64(&q, from);
    pg_param_int64(&q, to);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "run_list");
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        if (cb(pg_text_or_empty(r, i, 0), pg_col_int64(r, i, 1), pg_col_int64(r, i, 2), ctx))
            break;
    PQclear(r);
    return OK;
}

STORE_OPS_TABLE(pg, node, STORE_NODE_OPS);
