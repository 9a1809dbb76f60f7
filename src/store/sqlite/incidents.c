/*
 * store/sqlite/incidents: the SQLite backend's incidents and counters (migration 001; the
 * group-key index from 006). Same threading as sqlite.c: one connection, one thread at a time.
 */
#include "store/sqlite/sqlite.h"
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

static struct sq_stmt stmts[] = {
    [S_COUNTER_NEXT] = {"INSERT INTO counters(key, value) VALUES (?1, 1) "
                        "ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value"},
    [S_INC_INSERT] =
        {"INSERT INTO incidents(" INC_COLS ") VALUES "
         "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
         "?23,?24,?25)"},
    [S_INC_UPDATE] =
        {"UPDATE incidents SET title=?2, summary=?3, severity=?4, service=?5, type=?6, "
         "channel=?7, postmortem=?8, status=?9, drill=?10, created_at=?11, "
         "acknowledged_at=?12, resolved_at=?13, closed_at=?14, updated_at=?15, "
         "last_public_update_at=?16, commander=?17, tech_lead=?18, comms_lead=?19, "
         "scribe=?20, group_key=?21, auto_resolve=?22, fields=?23, failed_resolutions=?24, "
         "rules_fired=?25 WHERE id=?1"},
    [S_INC_GET] = {"SELECT " INC_COLS " FROM incidents WHERE id = ?1"},
    [S_INC_LIST] = {"SELECT " INC_COLS " FROM incidents WHERE (?1 = 0 OR "
                    "((?1 >> (CASE status WHEN 'triggered' THEN 0 WHEN 'acknowledged' THEN 1 "
                    "WHEN 'investigating' THEN 2 WHEN 'identified' THEN 3 WHEN 'monitoring' THEN 4 "
                    "WHEN 'resolved' THEN 5 ELSE 6 END)) & 1) = 1) "
                    "AND (?4 IS NULL OR created_at < ?3 OR (created_at = ?3 AND "
                    "(length(id) < length(?4) OR (length(id) = length(?4) AND id < ?4)))) "
                    "ORDER BY created_at DESC, length(id) DESC, id DESC LIMIT ?2"},
    [S_INC_COUNT_OPEN] = {"SELECT severity, count(*) FROM incidents WHERE status IN "
                          "('triggered','acknowledged','investigating','identified','monitoring') "
                          "GROUP BY severity"},
    [S_INC_OPEN_GROUP] = {"SELECT " INC_COLS
                          " FROM incidents WHERE group_key = ?1 AND status NOT IN "
                          "('resolved', 'closed') ORDER BY created_at DESC LIMIT 1"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_counter_next(void *conn, const char *key, int64_t *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_COUNTER_NEXT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, key);
    if (sq_step(c, st) != SQLITE_ROW)
        return sq_fail(c, "counter_next");
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return OK;
}

static void bind_incident(struct sqlite_conn *c, sqlite3_stmt *st, const struct incident *inc)
{
    sq_bind_text(c, st, 1, inc->id);
    sq_bind_text(c, st, 2, inc->title);
    sq_bind_text(c, st, 3, inc->summary);
    sq_bind_text(c, st, 4, inc->severity);
    sq_bind_text(c, st, 5, inc->service);
    sq_bind_text(c, st, 6, inc->type);
    sq_bind_text(c, st, 7, inc->channel);
    sq_bind_text(c, st, 8, inc->postmortem);
    sq_bind_text(c, st, 9, incident_status_name(inc->status));
    sq_bind_int64(c, st, 10, inc->drill ? 1 : 0);
    sq_bind_int64(c, st, 11, inc->created_at);
    sq_bind_time(c, st, 12, inc->acknowledged_at);
    sq_bind_time(c, st, 13, inc->resolved_at);
    sq_bind_time(c, st, 14, inc->closed_at);
    sq_bind_int64(c, st, 15, inc->updated_at);
    sq_bind_time(c, st, 16, inc->last_public_update_at);
    for (int r = 0; r < ROLE_COUNT; r++)
        sq_bind_text(c, st, 17 + r, inc->roles[r]);
    sq_bind_text(c, st, 21, inc->group_key);
    sq_bind_int64(c, st, 22, inc->auto_resolve ? 1 : 0);
    sq_bind_text(c, st, 23, inc->fields);
    sq_bind_int64(c, st, 24, inc->failed_resolutions);
    sq_bind_text(c, st, 25, inc->rules_fired);
}

static void read_incident(sqlite3_stmt *st, struct incident *inc)
{
    memset(inc, 0, sizeof *inc);
    sq_copy_col(st, 0, inc->id, sizeof inc->id);
    inc->title = sq_col_text(st, 1);
    inc->summary = sq_col_text(st, 2);
    inc->severity = sq_col_text(st, 3);
    inc->service = sq_col_text(st, 4);
    inc->type = sq_col_text(st, 5);
    inc->channel = sq_col_text(st, 6);
    inc->postmortem = sq_col_text(st, 7);
    int s = incident_status_parse((const char *)sqlite3_column_text(st, 8));
    inc->status = s < 0 ? INC_TRIGGERED : (enum incident_status)s;
    inc->drill = sqlite3_column_int(st, 9) != 0;
    inc->created_at = sqlite3_column_int64(st, 10);
    inc->acknowledged_at = sqlite3_column_int64(st, 11);
    inc->resolved_at = sqlite3_column_int64(st, 12);
    inc->closed_at = sqlite3_column_int64(st, 13);
    inc->updated_at = sqlite3_column_int64(st, 14);
    inc->last_public_update_at = sqlite3_column_int64(st, 15);
    for (int r = 0; r < ROLE_COUNT; r++)
        inc->roles[r] = sq_col_text(st, 16 + r);
    inc->group_key = sq_col_text(st, 20);
    inc->auto_resolve = sqlite3_column_int(st, 21) != 0;
    inc->fields = sq_col_text(st, 22);
    inc->failed_resolutions = sqlite3_column_int(st, 23);
    inc->rules_fired = sq_col_text(st, 24);
}

static enum result sq_incident_write(struct sqlite_conn *c, enum stmt_id id,
                                     const struct incident *inc)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_incident(c, st, inc);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "incident write");
    if (result == OK && id == S_INC_UPDATE && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_insert(void *c, const struct incident *inc)
{
    return sq_incident_write(c, S_INC_INSERT, inc);
}

static enum result sq_incident_update(void *c, const struct incident *inc)
{
    return sq_incident_write(c, S_INC_UPDATE, inc);
}

static enum result sq_incident_get(void *conn, const char *id, struct incident *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_incident(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "incident_get");
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_list(void *conn, const struct store_incident_filter *f,
                                    store_incident_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, f->statuses);
    sq_bind_int64(c, st, 2, f->limit > 0 ? f->limit : -1);
    sq_bind_int64(c, st, 3, f->after_created_at);
    sq_bind_text(c, st, 4, f->after_id);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct incident inc;
        read_incident(st, &inc);
        int stop = cb(&inc, ctx);
        incident_free_fields(&inc);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_count_open(void *conn, store_count_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_COUNT_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW)
        cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), ctx);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "count_open");
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_find_open_group(void *conn, const char *group_key,
                                               struct incident *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_OPEN_GROUP);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, group_key);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_incident(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "incident_find_open_group");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, incident, STORE_INCIDENT_OPS);
