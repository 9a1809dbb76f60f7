/*
 * store/sqlite/alerts: the SQLite backend's alerts (migration 002). Same threading as sqlite.c.
 */
#include "store/sqlite/sqlite.h"
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

static struct sq_stmt stmts[] = {
    [A_ALERT_FIND_OPEN] = {"SELECT " ALERT_COLS " FROM alerts WHERE scope = ?1 "
                           "AND dedup_key = ?2 AND status != 'resolved'"},
    [A_ALERT_INSERT] =
        {"INSERT INTO alerts(scope, integration_id, source_kind, service, dedup_key, status, "
         "summary, source, severity, labels, details, group_key, incident_id, silenced_by, "
         "first_seen, last_seen, repeat_count, resolved_at) VALUES "
         "(?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"},
    [A_ALERT_UPDATE] =
        {"UPDATE alerts SET status=?7, summary=?8, source=?9, severity=?10, labels=?11, "
         "details=?12, incident_id=?14, silenced_by=?15, last_seen=?17, repeat_count=?18, "
         "resolved_at=?19 WHERE id=?1"},
    [A_ALERT_LIST] = {"SELECT " ALERT_COLS " FROM alerts WHERE (?1 = 0 OR ((?1 >> (CASE status "
                      "WHEN 'firing' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END)) & 1) = 1) "
                      "AND (?2 IS NULL OR service = ?2) AND (?3 IS NULL OR incident_id = ?3) "
                      "AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?4"},
    [A_ALERT_COUNT_OPEN] = {"SELECT count(*) FROM alerts WHERE incident_id = ?1 "
                            "AND status IN ('firing', 'acknowledged')"},
    [A_ALERT_PRUNE] = {"DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE status = "
                       "'resolved' AND resolved_at < ?1 ORDER BY id LIMIT ?2)"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
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

static void bind_alert(struct sqlite_conn *c, sqlite3_stmt *st, const struct alert *a)
{
    sq_bind_int64(c, st, 1, a->id);
    sq_bind_text(c, st, 2, a->scope);
    sq_bind_text(c, st, 3, a->integration_id);
    sq_bind_text(c, st, 4, a->source_kind);
    sq_bind_text(c, st, 5, a->service);
    sq_bind_text(c, st, 6, a->dedup_key);
    sq_bind_text(c, st, 7, alert_status_name(a->status));
    sq_bind_text(c, st, 8, a->summary);
    sq_bind_text(c, st, 9, a->source);
    sq_bind_text(c, st, 10, a->severity);
    sq_bind_text(c, st, 11, a->labels ? a->labels : "{}");
    sq_bind_text(c, st, 12, a->details ? a->details : "{}");
    sq_bind_text(c, st, 13, a->group_key);
    sq_bind_text(c, st, 14, a->incident_id);
    sq_bind_text(c, st, 15, a->silenced_by);
    sq_bind_int64(c, st, 16, a->first_seen);
    sq_bind_int64(c, st, 17, a->last_seen);
    sq_bind_int64(c, st, 18, a->repeat_count);
    sq_bind_time(c, st, 19, a->resolved_at);
}

static enum result sq_alert_find_open(void *conn, const char *scope, const char *dedup_key,
                                      struct alert *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_FIND_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, scope);
    sq_bind_text(c, st, 2, dedup_key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_alert(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "alert_find_open");
    sqlite3_reset(st);
    return result;
}

static enum result sq_alert_insert(void *conn, const struct alert *a, int64_t *id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_alert(c, st, a);
    enum result result = sq_run(c, st, false, "alert_insert");
    if (result == OK)
        *id = sqlite3_last_insert_rowid(c->db);
    return result;
}

static enum result sq_alert_update(void *conn, const struct alert *a)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_alert(c, st, a);
    return sq_run(c, st, true, "alert_update");
}

static enum result sq_alert_list(void *conn, const struct store_alert_filter *f, store_alert_cb cb,
                                 void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, f->statuses);
    sq_bind_text(c, st, 2, f->service);
    sq_bind_text(c, st, 3, f->incident_id);
    sq_bind_int64(c, st, 4, f->limit > 0 ? f->limit : -1);
    sq_bind_int64(c, st, 5, f->before_id);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
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

static enum result sq_alert_count_open(void *conn, const char *incident_id, int64_t *n)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_COUNT_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    enum result result = OK;
    if (sq_step(c, st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        result = sq_fail(c, "alert_count_open");
    sqlite3_reset(st);
    return result;
}

static enum result sq_alert_prune(void *conn, int64_t before, int limit, int64_t *n)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_ALERT_PRUNE);
    *n = 0;
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, before);
    sq_bind_int64(c, st, 2, limit);
    enum result result = sq_run(c, st, false, "alert_prune");
    if (result == OK)
        *n = sqlite3_changes(c->db);
    return result;
}

STORE_OPS_TABLE(sqlite, alert, STORE_ALERT_OPS);
