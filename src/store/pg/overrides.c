/*
 * store/pg/overrides: the PostgreSQL backend's on-call overrides (migration 003), mirroring
 * store/sqlite/overrides.c. An override is never deleted: removing it sets removed_at, and every
 * query but get skips removed rows. Windows are half-open [starts_at, ends_at), so two overlap
 * when each starts before the other ends. Text keys sort in byte order (COLLATE "C"), as in
 * SQLite. The column "user" is quoted: USER is reserved in PostgreSQL. Same threading as pg.h:
 * one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/overrides.h"
#include "util/log.h"

#include <string.h>

#define OVR_COLS                                                                                   \
    "id, schedule, layer, \"user\", starts_at, ends_at, reason, created_at, created_by, "          \
    "removed_at"

static struct pg_stmt ovr_insert = {.sql = "INSERT INTO overrides(" OVR_COLS
                                           ") VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, "
                                           "$7, $8::bigint, $9, NULL)"};
static struct pg_stmt ovr_get = {.sql = "SELECT " OVR_COLS " FROM overrides WHERE id = $1"};
static struct pg_stmt ovr_list = {
    .sql = "SELECT " OVR_COLS " FROM overrides WHERE schedule = $1 AND removed_at IS NULL "
           "AND starts_at < $3::bigint AND ends_at > $2::bigint "
           "ORDER BY starts_at, id COLLATE \"C\""};
static struct pg_stmt ovr_list_all = {
    .sql = "SELECT " OVR_COLS " FROM overrides WHERE removed_at IS NULL "
           "AND starts_at < $2::bigint AND ends_at > $1::bigint "
           "ORDER BY schedule COLLATE \"C\", starts_at, id COLLATE \"C\""};
static struct pg_stmt ovr_overlap = {
    .sql = "SELECT " OVR_COLS " FROM overrides WHERE schedule = $1 "
           "AND layer IS NOT DISTINCT FROM $2::text AND removed_at IS NULL "
           "AND starts_at < $4::bigint AND ends_at > $3::bigint "
           "ORDER BY starts_at, id COLLATE \"C\" LIMIT 1"};
static struct pg_stmt ovr_remove = {
    .sql = "UPDATE overrides SET removed_at = $2::bigint WHERE id = $1 AND removed_at IS NULL"};

static void read_override(const PGresult *r, int row, struct oncall_override *o)
{
    memset(o, 0, sizeof *o);
    o->id = xstrdup(pg_text_or_empty(r, row, 0));
    o->schedule = xstrdup(pg_text_or_empty(r, row, 1));
    o->layer = pg_col_text(r, row, 2);
    o->user = xstrdup(pg_text_or_empty(r, row, 3));
    o->from = pg_col_int64(r, row, 4);
    o->to = pg_col_int64(r, row, 5);
    o->reason = pg_col_text(r, row, 6);
    o->created_at = pg_col_int64(r, row, 7);
    o->created_by = xstrdup(pg_text_or_empty(r, row, 8));
    o->removed_at = pg_col_int64(r, row, 9);
}

/* Runs a one-row query into *out: OK, ERR_NOT_FOUND, or a failure. */
static enum result one_row(struct pg_query *q, struct oncall_override *out, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        read_override(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
out:
    return result;
}

static enum result pgs_override_insert(void *conn, const struct oncall_override *o)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ovr_insert);
    pg_param_text(&q, o->id);
    pg_param_text(&q, o->schedule);
    pg_param_text(&q, o->layer);
    pg_param_text(&q, o->user);
    pg_param_int64(&q, o->from);
    pg_param_int64(&q, o->to);
    pg_param_text(&q, o->reason);
    pg_param_int64(&q, o->created_at);
    pg_param_text(&q, o->created_by);
    return pg_query_run(&q, false, "override_insert");
}

static enum result pgs_override_get(void *conn, const char *id, struct oncall_override *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ovr_get);
    pg_param_text(&q, id);
    return one_row(&q, out, "override_get");
}

static enum result pgs_override_list(void *conn, const char *schedule, int64_t from, int64_t to,
                                     store_override_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, schedule ? &ovr_list : &ovr_list_all);
    if (schedule)
        pg_param_text(&q, schedule);
    pg_param_int64(&q, from);
    pg_param_int64(&q, to);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "overrides");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct oncall_override o;
        read_override(r, i, &o);
        int stop = cb(&o, ctx);
        oncall_override_free_fields(&o);
        if (stop)
            break;
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_override_find_overlap(void *conn, const char *schedule, const char *layer,
                                             int64_t from, int64_t to, struct oncall_override *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ovr_overlap);
    pg_param_text(&q, schedule);
    pg_param_text(&q, layer);
    pg_param_int64(&q, from);
    pg_param_int64(&q, to);
    return one_row(&q, out, "override_find_overlap");
}

static enum result pgs_override_remove(void *conn, const char *id, int64_t now)
{
    struct pg_query q;
    pg_query_init(&q, conn, &ovr_remove);
    pg_param_text(&q, id);
    pg_param_int64(&q, now);
    return pg_query_run(&q, true, "override_remove");
}

STORE_OPS_TABLE(pg, override, STORE_OVERRIDE_OPS);
