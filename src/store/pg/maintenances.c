/*
 * store/pg/maintenances: the PostgreSQL backend's maintenance windows (migration 013). Mirrors
 * store/sqlite/maintenances.c; ids compare in byte order (COLLATE "C", as SQLite compares).
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/maintenances.h"
#include "util/log.h"

#include <string.h>

#define M_COLS                                                                                     \
    "id, name, status, components, updates, scheduled_for, scheduled_until, started_at, "          \
    "completed_at, created_by, created_at, updated_at"

static struct pg_stmt m_insert = {.sql = "INSERT INTO maintenances(" M_COLS ") VALUES ($1,$2,$3,"
                                         "$4,$5,$6,$7,$8,$9,$10,$11,$12)"};
static struct pg_stmt m_get = {.sql = "SELECT " M_COLS " FROM maintenances WHERE id = $1"};
static struct pg_stmt m_update = {
    .sql = "UPDATE maintenances SET name = $2, status = $3, components = $4, updates = $5, "
           "scheduled_for = $6, scheduled_until = $7, started_at = $8, completed_at = $9, "
           "updated_at = $10 WHERE id = $1"};
static struct pg_stmt m_list = {.sql = "SELECT " M_COLS " FROM maintenances ORDER BY "
                                       "scheduled_for DESC, id COLLATE \"C\" LIMIT $1"};

static void read_row(const PGresult *r, int row, struct maintenance *m)
{
    memset(m, 0, sizeof *m);
    pg_copy_col(r, row, 0, m->id, sizeof m->id);
    m->name = xstrdup(pg_text_or_empty(r, row, 1));
    int s = maint_status_parse(pg_text_or_empty(r, row, 2));
    m->status = s < 0 ? MAINT_SCHEDULED : (enum maint_status)s;
    m->components = xstrdup(pg_text_or_empty(r, row, 3));
    m->updates = xstrdup(pg_text_or_empty(r, row, 4));
    m->scheduled_for = pg_col_int64(r, row, 5);
    m->scheduled_until = pg_col_int64(r, row, 6);
    m->started_at = pg_col_int64(r, row, 7);
    m->completed_at = pg_col_int64(r, row, 8);
    m->created_by = xstrdup(pg_text_or_empty(r, row, 9));
    m->created_at = pg_col_int64(r, row, 10);
    m->updated_at = pg_col_int64(r, row, 11);
}

/* $2..$9: the fields insert and update share. */
static void param_fields(struct pg_query *q, const struct maintenance *m)
{
    pg_param_text(q, m->name);
    pg_param_text(q, maint_status_name(m->status));
    pg_param_text(q, m->components ? m->components : "[]");
    pg_param_text(q, m->updates ? m->updates : "[]");
    pg_param_int64(q, m->scheduled_for);
    pg_param_int64(q, m->scheduled_until);
    pg_param_time(q, m->started_at);
    pg_param_time(q, m->completed_at);
}

static enum result pgs_maintenance_insert(void *conn, const struct maintenance *m)
{
    struct pg_query q;
    pg_query_init(&q, conn, &m_insert);
    pg_param_text(&q, m->id);
    param_fields(&q, m);
    pg_param_text(&q, m->created_by ? m->created_by : "");
    pg_param_int64(&q, m->created_at);
    pg_param_int64(&q, m->updated_at);
    return pg_query_run(&q, false, "maintenance_insert");
}

static enum result pgs_maintenance_get(void *conn, const char *id, struct maintenance *out)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &m_get);
    pg_param_text(&q, id);
    PGresult *r = pg_query_exec(&q, &result, "maintenance_get");
    if (!r)
        return result;
    if (PQntuples(r) > 0)
        read_row(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
    return result;
}

static enum result pgs_maintenance_update(void *conn, const struct maintenance *m)
{
    struct pg_query q;
    pg_query_init(&q, conn, &m_update);
    pg_param_text(&q, m->id);
    param_fields(&q, m);
    pg_param_int64(&q, m->updated_at);
    return pg_query_run(&q, true, "maintenance_update");
}

static enum result pgs_maintenance_list(void *conn, int limit, store_maintenance_cb cb, void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &m_list);
    pg_param_int64(&q, limit);
    PGresult *r = pg_query_exec(&q, &result, "maintenance_list");
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct maintenance m;
        read_row(r, i, &m);
        int stop = cb(&m, ctx);
        maintenance_free_fields(&m);
        if (stop)
            break;
    }
    PQclear(r);
    return result;
}

STORE_OPS_TABLE(pg, maintenance, STORE_MAINTENANCE_OPS);
