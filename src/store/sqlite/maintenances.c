/*
 * store/sqlite/maintenances: the SQLite backend's maintenance windows (migration 013). Optional
 * times (started_at, completed_at) are NULL in the table when 0 here. Same threading as sqlite.h.
 */
#include "store/sqlite/sqlite.h"
#include "store/maintenances.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

enum m_stmt { M_INSERT, M_GET, M_UPDATE, M_LIST, M_END };

#define M_COLS                                                                                     \
    "id, name, status, components, updates, scheduled_for, scheduled_until, started_at, "          \
    "completed_at, created_by, created_at, updated_at"

static struct sq_stmt stmts[] = {
    [M_INSERT] = {"INSERT INTO maintenances(" M_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                  "?11,?12)"},
    [M_GET] = {"SELECT " M_COLS " FROM maintenances WHERE id = ?1"},
    [M_UPDATE] = {"UPDATE maintenances SET name = ?2, status = ?3, components = ?4, updates = ?5, "
                  "scheduled_for = ?6, scheduled_until = ?7, started_at = ?8, completed_at = ?9, "
                  "updated_at = ?12 WHERE id = ?1"},
    [M_LIST] = {"SELECT " M_COLS " FROM maintenances ORDER BY scheduled_for DESC, id LIMIT ?1"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum m_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_row(sqlite3_stmt *st, struct maintenance *m)
{
    memset(m, 0, sizeof *m);
    sq_copy_col(st, 0, m->id, sizeof m->id);
    m->name = xstrdup(sq_text_or_empty(st, 1));
    int s = maint_status_parse(sq_text_or_empty(st, 2));
    m->status = s < 0 ? MAINT_SCHEDULED : (enum maint_status)s;
    m->components = xstrdup(sq_text_or_empty(st, 3));
    m->updates = xstrdup(sq_text_or_empty(st, 4));
    m->scheduled_for = sqlite3_column_int64(st, 5);
    m->scheduled_until = sqlite3_column_int64(st, 6);
    m->started_at = sqlite3_column_int64(st, 7);
    m->completed_at = sqlite3_column_int64(st, 8);
    m->created_by = xstrdup(sq_text_or_empty(st, 9));
    m->created_at = sqlite3_column_int64(st, 10);
    m->updated_at = sqlite3_column_int64(st, 11);
}

static void bind_row(struct sqlite_conn *c, sqlite3_stmt *st, const struct maintenance *m)
{
    sq_bind_text(c, st, 1, m->id);
    sq_bind_text(c, st, 2, m->name);
    sq_bind_text(c, st, 3, maint_status_name(m->status));
    sq_bind_text(c, st, 4, m->components ? m->components : "[]");
    sq_bind_text(c, st, 5, m->updates ? m->updates : "[]");
    sq_bind_int64(c, st, 6, m->scheduled_for);
    sq_bind_int64(c, st, 7, m->scheduled_until);
    sq_bind_time(c, st, 8, m->started_at);
    sq_bind_time(c, st, 9, m->completed_at);
    sq_bind_text(c, st, 10, m->created_by ? m->created_by : "");
    sq_bind_int64(c, st, 11, m->created_at);
    sq_bind_int64(c, st, 12, m->updated_at);
}

static enum result sq_maintenance_insert(void *conn, const struct maintenance *m)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, M_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_row(c, st, m);
    return sq_run(c, st, false, "maintenance_insert");
}

static enum result sq_maintenance_get(void *conn, const char *id, struct maintenance *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, M_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "maintenance_get");
    sqlite3_reset(st);
    return result;
}

static enum result sq_maintenance_update(void *conn, const struct maintenance *m)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, M_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_row(c, st, m); /* ?10 and ?11 (created_by, created_at) are bound but never written */
    return sq_run(c, st, true, "maintenance_update");
}

static enum result sq_maintenance_list(void *conn, int limit, store_maintenance_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, M_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, limit);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct maintenance m;
        read_row(st, &m);
        int stop = cb(&m, ctx);
        maintenance_free_fields(&m);
        if (stop)
            break;
    }
    enum result result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "maintenance_list");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, maintenance, STORE_MAINTENANCE_OPS);
