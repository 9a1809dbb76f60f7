/*
 * store/pg/actions: the PostgreSQL backend's action items (migration 008), mirroring
 * store/sqlite/actions.c. Same threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/actions.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define ACT_COLS                                                                                   \
    "id, title, owner, due_at, priority, status, incident_id, postmortem_id, created_at, "         \
    "created_by, updated_at, done_at, remind_at"

static struct pg_stmt act_insert = {
    .sql = "INSERT INTO action_items(" ACT_COLS ") VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, "
           "$8, $9::bigint, $10, $11::bigint, $12::bigint, $13::bigint)"};
static struct pg_stmt act_get = {.sql = "SELECT " ACT_COLS " FROM action_items WHERE id = $1"};
static struct pg_stmt act_update = {
    .sql = "UPDATE action_items SET title = $2, owner = $3, due_at = $4::bigint, priority = $5, "
           "status = $6, updated_at = $7::bigint, done_at = $8::bigint, remind_at = $9::bigint "
           "WHERE id = $1"};
static struct pg_stmt act_list = {
    .sql = "SELECT " ACT_COLS " FROM action_items WHERE ($1::text IS NULL OR owner = $1) "
           "AND ($2::text IS NULL OR incident_id = $2) AND ($3::text IS NULL OR status = $3) "
           "AND ($4::bigint IS NULL OR (status = 'open' AND due_at <> 0 AND due_at < $4)) "
           "ORDER BY created_at, id COLLATE \"C\""};
static struct pg_stmt act_remind = {.sql = "SELECT " ACT_COLS " FROM action_items WHERE "
                                           "remind_at IS NOT NULL ORDER BY remind_at, "
                                           "id COLLATE \"C\""};

static void read_action(const PGresult *r, int row, struct action_item *a)
{
    memset(a, 0, sizeof *a);
    pg_copy_col(r, row, 0, a->id, sizeof a->id);
    a->title = xstrdup(pg_text_or_empty(r, row, 1));
    a->owner = pg_col_text(r, row, 2);
    a->due_at = pg_col_int64(r, row, 3);
    a->priority = xstrdup(pg_text_or_empty(r, row, 4));
    a->status =
        action_status_parse(pg_text_or_empty(r, row, 5)) == ACTION_DONE ? ACTION_DONE : ACTION_OPEN;
    a->incident_id = pg_col_text(r, row, 6);
    a->postmortem_id = pg_col_text(r, row, 7);
    a->created_at = pg_col_int64(r, row, 8);
    a->created_by = xstrdup(pg_text_or_empty(r, row, 9));
    a->updated_at = pg_col_int64(r, row, 10);
    a->done_at = pg_col_int64(r, row, 11);
    a->remind_at = pg_col_int64(r, row, 12);
}

static enum result each_row(struct pg_query *q, store_action_cb cb, void *ctx, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct action_item a;
        read_action(r, i, &a);
        int stop = cb(&a, ctx);
        action_item_free_fields(&a);
        if (stop)
            break;
    }
    PQclear(r);
out:
    return result;
}

static enum result pgs_action_insert(void *conn, const struct action_item *a)
{
    struct pg_query q;
    pg_query_init(&q, conn, &act_insert);
    pg_param_text(&q, a->id);
    pg_param_text(&q, a->title);
    pg_param_text(&q, a->owner);
    pg_param_int64(&q, a->due_at);
    pg_param_text(&q, a->priority);
    pg_param_text(&q, action_status_name(a->status));
    pg_param_text(&q, a->incident_id);
    pg_param_text(&q, a->postmortem_id);
    pg_param_int64(&q, a->created_at);
    pg_param_text(&q, a->created_by);
    pg_param_int64(&q, a->updated_at);
    pg_param_int64(&q, a->done_at);
    pg_param_time(&q, a->remind_at);
    return pg_query_run(&q, false, "action_insert");
}

static enum result pgs_action_get(void *conn, const char *id, struct action_item *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &act_get);
    pg_param_text(&q, id);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "action_get");
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        read_action(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
out:
    return result;
}

static enum result pgs_action_update(void *conn, const struct action_item *a)
{
    struct pg_query q;
    pg_query_init(&q, conn, &act_update);
    pg_param_text(&q, a->id);
    pg_param_text(&q, a->title);
    pg_param_text(&q, a->owner);
    pg_param_int64(&q, a->due_at);
    pg_param_text(&q, a->priority);
    pg_param_text(&q, action_status_name(a->status));
    pg_param_int64(&q, a->updated_at);
    pg_param_int64(&q, a->done_at);
    pg_param_time(&q, a->remind_at);
    return pg_query_run(&q, true, "action_update");
}

static enum result pgs_action_list(void *conn, const struct store_action_filter *f,
                                   store_action_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &act_list);
    pg_param_text(&q, f->owner);
    pg_param_text(&q, f->incident_id);
    pg_param_text(&q, f->status < 0 ? NULL : action_status_name((enum action_status)f->status));
    pg_param_time(&q, f->overdue_at);
    return each_row(&q, cb, ctx, "action_list");
}

static enum result pgs_action_remind_due(void *conn, store_action_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &act_remind);
    return each_row(&q, cb, ctx, "action_remind_due");
}

STORE_OPS_TABLE(pg, action, STORE_ACTION_OPS);
