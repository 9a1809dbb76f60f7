/*
 * store/sqlite/nodes: the SQLite backend's nodes and cluster counters (migration 007). One SQLite
 * file has one node, but the rows are the same as on PostgreSQL, so `tocsin nodes` and the
 * claims behave alike on both. Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/nodes.h"

enum stmt_id {
    N_BEAT,
    N_RELEASE,
    N_LIST,
    N_VALUE,
    N_BUMP,
    N_RAISE,
    N_CLAIM,
    N_RUN_TOUCH,
    N_RUN_LIST,
    N_COUNT
};

static struct sq_stmt stmts[] = {
    [N_BEAT] = {"INSERT INTO nodes(id, pid, version, started_at, heartbeat_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, "
                "version = excluded.version, started_at = excluded.started_at, "
                "heartbeat_at = max(heartbeat_at, excluded.heartbeat_at)"},
    [N_RELEASE] = {"UPDATE notifications SET claimed_by = NULL, claim_until = NULL "
                   "WHERE claimed_by = ?1 OR (?1 IS NULL AND claimed_by IS NOT NULL)"},
    [N_LIST] = {"SELECT n.id, n.pid, n.version, n.started_at, n.heartbeat_at, "
                "(SELECT count(*) FROM notifications c WHERE c.claimed_by = n.id "
                " AND c.claim_until > ?1 AND c.status = 'pending') "
                "FROM nodes n ORDER BY n.id"},
    [N_VALUE] = {"SELECT value FROM cluster_state WHERE key = ?1"},
    [N_BUMP] = {"INSERT INTO cluster_state(key, value) VALUES (?1, 1) "
                "ON CONFLICT(key) DO UPDATE SET value = value + 1"},
    [N_RAISE] = {"INSERT INTO cluster_state(key, value) VALUES (?1, ?2) "
                 "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)"},
    [N_CLAIM] = {"INSERT INTO cluster_state(key, value) VALUES (?1, ?3) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value <= ?2"},
    [N_RUN_TOUCH] = {"INSERT INTO runs(node, started_at, seen_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT(node, started_at) DO UPDATE SET "
                     "seen_at = max(seen_at, excluded.seen_at)"},
    [N_RUN_LIST] = {"SELECT node, started_at, seen_at FROM runs WHERE seen_at >= ?1 AND "
                    "started_at <= ?2 ORDER BY started_at, node"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_node_beat(void *conn, const char *id, int64_t pid, const char *version,
                                int64_t started_at, int64_t at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_BEAT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, pid);
    sq_bind_text(c, st, 3, version);
    sq_bind_int64(c, st, 4, started_at);
    sq_bind_int64(c, st, 5, at);
    return sq_run(c, st, false, "node_beat");
}

static enum result sq_node_release(void *conn, const char *id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_RELEASE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    return sq_run(c, st, false, "node_release");
}

static enum result sq_node_list(void *conn, int64_t now, store_node_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, now);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_node n = {.id = sq_text_or_empty(st, 0),
                               .pid = sqlite3_column_int64(st, 1),
                               .version = sq_text_or_empty(st, 2),
                               .started_at = sqlite3_column_int64(st, 3),
                               .heartbeat_at = sqlite3_column_int64(st, 4),
                               .claims = sqlite3_column_int64(st, 5)};
        if (cb(&n, ctx))
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "node_list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_cluster_value(void *conn, const char *key, int64_t *value)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_VALUE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    int rc = sq_step(c, st);
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "cluster_value");
    sqlite3_reset(st);
    return result;
}

static enum result sq_cluster_bump(void *conn, const char *key)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_BUMP);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    return sq_run(c, st, false, "cluster_bump");
}

static enum result sq_cluster_raise(void *conn, const char *key, int64_t value)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_RAISE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    sq_bind_int64(c, st, 2, value);
    return sq_run(c, st, false, "cluster_raise");
}

static enum result sq_cluster_claim(void *conn, const char *key, int64_t now, int64_t until)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_CLAIM);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    sq_bind_int64(c, st, 2, now);
    sq_bind_int64(c, st, 3, until);
    return sq_run(c, st, true, "cluster_claim");
}

static enum result sq_run_touch(void *conn, const char *node, int64_t started_at, int64_t seen_at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_RUN_TOUCH);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, node);
    sq_bind_int64(c, st, 2, started_at);
    sq_bind_int64(c, st, 3, seen_at);
    return sq_run(c, st, false, "run_touch");
}

static enum result sq_run_list(void *conn, int64_t from, int64_t to, store_run_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_RUN_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, from);
    sq_bind_int64(c, st, 2, to);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW)
        if (cb(sq_text_or_empty(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
               ctx))
            break;
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "runs");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, node, STORE_NODE_OPS);
