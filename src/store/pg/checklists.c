/*
 * store/pg/checklists: the PostgreSQL backend's checklist items (migration 009), mirroring
 * store/sqlite/checklists.c. Text keys sort in byte order (COLLATE "C"), as in SQLite. Same
 * threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/checklists.h"
#include "util/log.h"

#include <string.h>

#define CL_COLS                                                                                    \
    "incident_id, checklist_id, n, title, phase, text, auto, attached_at, done_at, done_by, "      \
    "due_from, due_within, owner, reminded_at"

static struct pg_stmt cl_insert = {.sql = "INSERT INTO checklist_items(" CL_COLS
                                          ") VALUES ($1, $2, $3::integer, $4, $5, $6, $7, "
                                          "$8::bigint, 0, NULL, $9, $10::bigint, $11, 0) "
                                          "ON CONFLICT DO NOTHING"};
static struct pg_stmt cl_list = {.sql = "SELECT " CL_COLS " FROM checklist_items WHERE "
                                        "incident_id = $1 ORDER BY attached_at, "
                                        "checklist_id COLLATE \"C\", n"};
static struct pg_stmt cl_tick = {
    .sql = "UPDATE checklist_items SET done_at = $4::bigint, done_by = $5 WHERE incident_id = $1 "
           "AND checklist_id = $2 AND n = $3::integer AND done_at = 0"};
static struct pg_stmt cl_deadlines = {
    .sql = "SELECT " CL_COLS " FROM checklist_items WHERE due_from IS NOT NULL AND done_at = 0 "
           "AND reminded_at = 0 AND incident_id IN (SELECT id FROM incidents WHERE status <> "
           "'closed') ORDER BY incident_id COLLATE \"C\", checklist_id COLLATE \"C\", n"};
static struct pg_stmt cl_reminded = {
    .sql = "UPDATE checklist_items SET reminded_at = $4::bigint WHERE incident_id = $1 AND "
           "checklist_id = $2 AND n = $3::integer"};

static enum result pgs_checklist_item_insert(void *conn, const struct checklist_item *it,
                                             bool *inserted)
{
    struct pg_query q;
    pg_query_init(&q, conn, &cl_insert);
    pg_param_text(&q, it->incident_id);
    pg_param_text(&q, it->checklist_id);
    pg_param_int64(&q, it->n);
    pg_param_text(&q, it->title);
    pg_param_text(&q, it->phase);
    pg_param_text(&q, it->text);
    pg_param_text(&q, checklist_auto_name(it->auto_kind));
    pg_param_int64(&q, it->attached_at);
    pg_param_text(&q, it->due_from);
    pg_param_int64(&q, it->due_from ? it->due_within : 0);
    pg_param_text(&q, it->owner);
    enum result result = pg_query_run(&q, true, "checklist_item_insert");
    *inserted = result == OK;
    return result == ERR_NOT_FOUND ? OK : result;
}

/* Runs q and hands each row to cb. */
static enum result read_items(struct pg_query *q, store_checklist_cb cb, void *ctx, const char *op)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, op);
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct checklist_item it = {
            .incident_id = xstrdup(pg_text_or_empty(r, i, 0)),
            .checklist_id = xstrdup(pg_text_or_empty(r, i, 1)),
            .n = (int)pg_col_int64(r, i, 2),
            .title = xstrdup(pg_text_or_empty(r, i, 3)),
            .phase = pg_col_text(r, i, 4),
            .text = xstrdup(pg_text_or_empty(r, i, 5)),
            .auto_kind = (enum checklist_auto)checklist_auto_parse(pg_text_or_empty(r, i, 6)),
            .attached_at = pg_col_int64(r, i, 7),
            .done_at = pg_col_int64(r, i, 8),
            .done_by = pg_col_text(r, i, 9),
            .due_from = pg_col_text(r, i, 10),
            .due_within = pg_col_int64(r, i, 11),
            .owner = pg_col_text(r, i, 12),
            .reminded_at = pg_col_int64(r, i, 13)};
        int stop = cb(&it, ctx);
        checklist_item_free_fields(&it);
        if (stop)
            break;
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_checklist_items(void *conn, const char *incident_id, store_checklist_cb cb,
                                       void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &cl_list);
    pg_param_text(&q, incident_id);
    return read_items(&q, cb, ctx, "checklist_items");
}

static enum result pgs_checklist_deadline_items(void *conn, store_checklist_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &cl_deadlines);
    return read_items(&q, cb, ctx, "checklist_deadline_items");
}

static enum result pgs_checklist_item_reminded(void *conn, const char *incident_id,
                                               const char *checklist_id, int n, int64_t at)
{
    struct pg_query q;
    pg_query_init(&q, conn, &cl_reminded);
    pg_param_text(&q, incident_id);
    pg_param_text(&q, checklist_id);
    pg_param_int64(&q, n);
    pg_param_int64(&q, at);
    return pg_query_run(&q, true, "checklist_item_reminded");
}

static enum result pgs_checklist_item_tick(void *conn, const char *incident_id,
                                           const char *checklist_id, int n, int64_t now,
                                           const char *by)
{
    struct pg_query q;
    pg_query_init(&q, conn, &cl_tick);
    pg_param_text(&q, incident_id);
    pg_param_text(&q, checklist_id);
    pg_param_int64(&q, n);
    pg_param_int64(&q, now);
    pg_param_text(&q, by);
    return pg_query_run(&q, true, "checklist_item_tick");
}

STORE_OPS_TABLE(pg, checklist, STORE_CHECKLIST_OPS);
