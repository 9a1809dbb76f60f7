/*
 * store_sqlite_alerts: the SQLite backend's alert-ingest tables: integrations, alerts, silences,
 * heartbeats, probe results (migration 002). Statement slots start at SQ_ALERTS_BASE.
 * Same threading as store_sqlite.c: one connection, one thread at a time.
 */
#include "store/sqlite/sqlite.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum alert_stmt {
    A_INT_INSERT = SQ_ALERTS_BASE,
    A_INT_GET,
    A_INT_FIND_HASH,
    A_INT_LIST,
    A_INT_REVOKE,
    A_INC_OPEN_GROUP,
    A_ALERT_FIND_OPEN,
    A_ALERT_INSERT,
    A_ALERT_UPDATE,
    A_ALERT_LIST,
    A_ALERT_COUNT_OPEN,
    A_SIL_INSERT,
    A_SIL_LIST,
    A_SIL_LIST_ALL,
    A_SIL_EXPIRE,
    A_HB_TOUCH,
    A_HB_LIST,
    A_PROBE_INSERT,
    A_PROBE_UPTIME,
    A_PROBE_LAST,
    A_END
};
_Static_assert((int)A_END <= (int)SQ_STMT_SLOTS, "too many statements for the cache");

#define INT_COLS "id, name, service, type, key_hash, created_at, revoked_at"
#define ALERT_COLS                                                                                 \
    "id, scope, integration_id, source_kind, service, dedup_key, status, summary, source, "        \
    "severity, labels, details, group_key, incident_id, silenced_by, first_seen, last_seen, "      \
    "repeat_count, resolved_at"
#define SIL_COLS "id, service, matchers, starts_at, ends_at, reason, created_by, created_at"

static const char *const sql[A_END - SQ_ALERTS_BASE] = {
    [A_INT_INSERT - SQ_ALERTS_BASE] =
        "INSERT INTO integrations(" INT_COLS ") VALUES (?1,?2,?3,?4,?5,?6,NULL)",
    [A_INT_GET - SQ_ALERTS_BASE] = "SELECT " INT_COLS " FROM integrations WHERE id = ?1",
    [A_INT_FIND_HASH - SQ_ALERTS_BASE] =
        "SELECT " INT_COLS " FROM integrations WHERE key_hash = ?1",
    [A_INT_LIST - SQ_ALERTS_BASE] = "SELECT " INT_COLS " FROM integrations ORDER BY created_at, id",
    [A_INT_REVOKE - SQ_ALERTS_BASE] = "UPDATE integrations SET revoked_at = ?2 "
                                      "WHERE id = ?1 AND revoked_at IS NULL",
    [A_INC_OPEN_GROUP - SQ_ALERTS_BASE] =
        "SELECT " INC_COLS " FROM incidents WHERE group_key = ?1 AND status NOT IN "
        "('resolved', 'closed') ORDER BY created_at DESC LIMIT 1", /* index from migration 006 */
    [A_ALERT_FIND_OPEN - SQ_ALERTS_BASE] = "SELECT " ALERT_COLS " FROM alerts WHERE scope = ?1 "
                                           "AND dedup_key = ?2 AND status != 'resolved'",
    [A_ALERT_INSERT - SQ_ALERTS_BASE] =
        "INSERT INTO alerts(scope, integration_id, source_kind, service, dedup_key, status, "
        "summary, source, severity, labels, details, group_key, incident_id, silenced_by, "
        "first_seen, last_seen, repeat_count, resolved_at) VALUES "
        "(?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
    [A_ALERT_UPDATE - SQ_ALERTS_BASE] =
        "UPDATE alerts SET status=?7, summary=?8, source=?9, severity=?10, labels=?11, "
        "details=?12, incident_id=?14, silenced_by=?15, last_seen=?17, repeat_count=?18, "
        "resolved_at=?19 WHERE id=?1",
    [A_ALERT_LIST - SQ_ALERTS_BASE] =
        "SELECT " ALERT_COLS " FROM alerts WHERE (?1 = 0 OR ((?1 >> (CASE status "
        "WHEN 'firing' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END)) & 1) = 1) "
        "AND (?2 IS NULL OR service = ?2) AND (?3 IS NULL OR incident_id = ?3) "
        "ORDER BY id DESC LIMIT ?4",
    [A_ALERT_COUNT_OPEN - SQ_ALERTS_BASE] = "SELECT count(*) FROM alerts WHERE incident_id = ?1 "
                                            "AND status IN ('firing', 'acknowledged')",
    [A_SIL_INSERT - SQ_ALERTS_BASE] =
        "INSERT INTO silences(" SIL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    [A_SIL_LIST - SQ_ALERTS_BASE] = "SELECT " SIL_COLS " FROM silences WHERE ends_at > ?1 "
                                    "ORDER BY starts_at, id",
    [A_SIL_LIST_ALL - SQ_ALERTS_BASE] = "SELECT " SIL_COLS " FROM silences ORDER BY starts_at, id",
    [A_SIL_EXPIRE - SQ_ALERTS_BASE] = "UPDATE silences SET ends_at = ?2 WHERE id = ?1 "
                                      "AND ends_at > ?2",
    [A_HB_TOUCH - SQ_ALERTS_BASE] = "INSERT INTO heartbeats(name, last_seen) VALUES (?1, ?2) "
                                    "ON CONFLICT(name) DO UPDATE SET last_seen = "
                                    "max(last_seen, excluded.last_seen)",
    [A_HB_LIST - SQ_ALERTS_BASE] = "SELECT name, last_seen FROM heartbeats ORDER BY name",
    [A_PROBE_INSERT - SQ_ALERTS_BASE] = "INSERT INTO probe_results(service, at, ok, status, "
                                        "latency_ms, error) VALUES (?1,?2,?3,?4,?5,?6)",
    [A_PROBE_UPTIME - SQ_ALERTS_BASE] = "SELECT coalesce(sum(ok), 0), count(*) FROM "
                                        "probe_results WHERE service = ?1 AND at >= ?2",
    [A_PROBE_LAST - SQ_ALERTS_BASE] = "SELECT at, ok, status, latency_ms, error FROM "
                                      "probe_results WHERE service = ?1 ORDER BY at DESC, id "
                                      "DESC LIMIT 1",
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum alert_stmt id)
{
    return sq_prepare(c, (int)id, sql[id - SQ_ALERTS_BASE]);
}

/* Steps a statement that returns no rows; NOT_FOUND when `must_change` and nothing changed. */
static enum result run(struct sqlite_conn *c, sqlite3_stmt *st, bool must_change, const char *what)
{
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, what);
    if (result == OK && must_change && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

/* ---- integrations ---- */

enum result sq_integration_insert(void *conn, const struct store_integration *i)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_INT_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(st, 1, i->id);
    sq_bind_text(st, 2, i->name);
    sq_bind_text(st, 3, i->service);
    sq_bind_text(st, 4, i->type);
    sq_bind_text(st, 5, i->hash);
    sqlite3_bind_int64(st, 6, i->created_at);
    return run(c, st, false, "integration_insert");
}

static void read_integration(sqlite3_stmt *st, struct store_integration *i)
{
    memset(i, 0, sizeof *i);
    sq_copy_col(st, 0, i->id, sizeof i->id);
    i->name = sq_col_text(st, 1);
    i->service = sq_col_text(st, 2);
    i->type = sq_col_text(st, 3);
    sq_copy_col(st, 4, i->hash, sizeof i->hash);
    i->created_at = sqlite3_column_int64(st, 5);
    i->revoked_at = sqlite3_column_int64(st, 6);
}

static enum result integration_one(struct sqlite_conn *c, enum alert_stmt id, const char *key,
                                   struct store_integration *out)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_integration(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "integration lookup");
    sqlite3_reset(st);
    return result;
}

enum result sq_integration_get(void *conn, const char *id, struct store_integration *out)
{
    return integration_one(conn, A_INT_GET, id, out);
}

enum result sq_integration_find_hash(void *conn, const char *hash, struct store_integration *out)
{
    return integration_one(conn, A_INT_FIND_HASH, hash, out);
}

enum result sq_integration_list(void *conn, store_integration_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_INT_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_integration i;
        read_integration(st, &i);
        int stop = cb(&i, ctx);
        store_integration_free_fields(&i);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "int list");
    sqlite3_reset(st);
    return result;
}

enum result sq_integration_revoke(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_INT_REVOKE);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    return run(c, st, true, "integration_revoke");
}

/* ---- alerts ---- */

enum result sq_incident_find_open_group(void *conn, const char *group_key, struct incident *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_INC_OPEN_GROUP);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, group_key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        sq_read_incident(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "incident_find_open_group");
    sqlite3_reset(st);
    return result;
}

static void read_alert(sqlite3_stmt *st, struct alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->scope = sq_col_text(st, 1);
    a->integration_id = sq_col_text(st, 2);
    a->source_kind = sq_col_text(st, 3);
    a->service = sq_col_text(st, 4);
    a->dedup_key = sq_col_text(st, 5);
    int s = alert_status_parse(sq_text_or_empty(st, 6));
    a->status = s < 0 ? ALERT_FIRING : (enum alert_status)s;
    a->summary = sq_col_text(st, 7);
    a->source = sq_col_text(st, 8);
    a->severity = sq_col_text(st, 9);
    a->labels = sq_col_text(st, 10);
    a->details = sq_col_text(st, 11);
    a->group_key = sq_col_text(st, 12);
    a->incident_id = sq_col_text(st, 13);
    a->silenced_by = sq_col_text(st, 14);
    a->first_seen = sqlite3_column_int64(st, 15);
    a->last_seen = sqlite3_column_int64(st, 16);
    a->repeat_count = sqlite3_column_int64(st, 17);
    a->resolved_at = sqlite3_column_int64(st, 18);
}

static void bind_alert(sqlite3_stmt *st, const struct alert *a)
{
    sqlite3_bind_int64(st, 1, a->id);
    sq_bind_text(st, 2, a->scope);
    sq_bind_text(st, 3, a->integration_id);
    sq_bind_text(st, 4, a->source_kind);
    sq_bind_text(st, 5, a->service);
    sq_bind_text(st, 6, a->dedup_key);
    sq_bind_text(st, 7, alert_status_name(a->status));
    sq_bind_text(st, 8, a->summary);
    sq_bind_text(st, 9, a->source);
    sq_bind_text(st, 10, a->severity);
    sq_bind_text(st, 11, a->labels ? a->labels : "{}");
    sq_bind_text(st, 12, a->details ? a->details : "{}");
    sq_bind_text(st, 13, a->group_key);
    sq_bind_text(st, 14, a->incident_id);
    sq_bind_text(st, 15, a->silenced_by);
    sqlite3_bind_int64(st, 16, a->first_seen);
    sqlite3_bind_int64(st, 17, a->last_seen);
    sqlite3_bind_int64(st, 18, a->repeat_count);
    sq_bind_time(st, 19, a->resolved_at);
}

enum result sq_alert_find_open(void *conn, const char *scope, const char *dedup_key,
                               struct alert *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_FIND_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, dedup_key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_alert(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "alert_find_open");
    sqlite3_reset(st);
    return result;
}

enum result sq_alert_insert(void *conn, const struct alert *a, int64_t *id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_alert(st, a);
    enum result result = run(c, st, false, "alert_insert");
    if (result == OK)
        *id = sqlite3_last_insert_rowid(c->db);
    return result;
}

enum result sq_alert_update(void *conn, const struct alert *a)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_alert(st, a);
    return run(c, st, true, "alert_update");
}

enum result sq_alert_list(void *conn, const struct store_alert_filter *f, store_alert_cb cb,
                          void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_int(st, 1, f->statuses);
    sq_bind_text(st, 2, f->service);
    sq_bind_text(st, 3, f->incident_id);
    sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct alert a;
        read_alert(st, &a);
        int stop = cb(&a, ctx);
        alert_free_fields(&a);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "alert_list");
    sqlite3_reset(st);
    return result;
}

enum result sq_alert_count_open(void *conn, const char *incident_id, int64_t *n)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_COUNT_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    enum result result = OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        result = sq_fail(c, "alert_count_open");
    sqlite3_reset(st);
    return result;
}

/* ---- silences ---- */

enum result sq_silence_insert(void *conn, const struct silence *s)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_SIL_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(st, 1, s->id);
    sq_bind_text(st, 2, s->service);
    sq_bind_text(st, 3, s->matchers ? s->matchers : "{}");
    sqlite3_bind_int64(st, 4, s->starts_at);
    sqlite3_bind_int64(st, 5, s->ends_at);
    sq_bind_text(st, 6, s->reason);
    sq_bind_text(st, 7, s->created_by);
    sqlite3_bind_int64(st, 8, s->created_at);
    return run(c, st, false, "silence_insert");
}

enum result sq_silence_list(void *conn, bool include_expired, int64_t now, store_silence_cb cb,
                            void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, include_expired ? A_SIL_LIST_ALL : A_SIL_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    if (!include_expired)
        sqlite3_bind_int64(st, 1, now);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
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

enum result sq_silence_expire(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_SIL_EXPIRE);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    return run(c, st, true, "silence_expire");
}

/* ---- heartbeats and probes ---- */

enum result sq_heartbeat_touch(void *conn, const char *name, int64_t at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_HB_TOUCH);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, at);
    return run(c, st, false, "heartbeat_touch");
}

enum result sq_heartbeat_list(void *conn, store_heartbeat_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_HB_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb(sq_text_or_empty(st, 0), sqlite3_column_int64(st, 1), ctx))
            break;
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "heartbeats");
    sqlite3_reset(st);
    return result;
}

enum result sq_probe_result_insert(void *conn, const char *service,
                                   const struct store_probe_result *r)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, r->at);
    sqlite3_bind_int(st, 3, r->ok ? 1 : 0);
    if (r->status)
        sqlite3_bind_int(st, 4, r->status);
    sqlite3_bind_double(st, 5, r->latency_ms);
    sq_bind_text(st, 6, r->error);
    return run(c, st, false, "probe_result_insert");
}

enum result sq_probe_uptime(void *conn, const char *service, int64_t since, int64_t *ok,
                            int64_t *total)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_UPTIME);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, since);
    enum result result = OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *ok = sqlite3_column_int64(st, 0);
        *total = sqlite3_column_int64(st, 1);
    } else {
        result = sq_fail(c, "probe_uptime");
    }
    sqlite3_reset(st);
    return result;
}

enum result sq_probe_last(void *conn, const char *service, struct store_probe_result *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_PROBE_LAST);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
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
