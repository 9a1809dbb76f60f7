/*
 * store/sqlite/actions: the SQLite backend's action items (migration 008). remind_at is NULL in
 * the table when 0 here. Same threading as sqlite.h: one connection, one thread at a time.
 */
#include "store/sqlite/sqlite.h"
#include "store/actions.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

enum act_stmt { A_INSERT, A_GET, A_UPDATE, A_LIST, A_REMIND, A_END };

#define ACT_COLS                                                                                   \
    "id, title, owner, due_at, priority, status, incident_id, postmortem_id, created_at, "         \
    "created_by, updated_at, done_at, remind_at"

static struct sq_stmt stmts[] = {
    [A_INSERT] = {"INSERT INTO action_items(" ACT_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                  "?11,?12,?13)"},
    [A_GET] = {"SELECT " ACT_COLS " FROM action_items WHERE id = ?1"},
    [A_UPDATE] = {"UPDATE action_items SET title = ?2, owner = ?3, due_at = ?4, priority = ?5, "
                  "status = ?6, updated_at = ?7, done_at = ?8, remind_at = ?9 WHERE id = ?1"},
    [A_LIST] = {"SELECT " ACT_COLS " FROM action_items WHERE (?1 IS NULL OR owner = ?1) "
                "AND (?2 IS NULL OR incident_id = ?2) AND (?3 IS NULL OR status = ?3) "
                "AND (?4 IS NULL OR (status = 'open' AND due_at <> 0 AND due_at < ?4)) "
                "ORDER BY created_at, id"},
    [A_REMIND] = {"SELECT " ACT_COLS " FROM action_items WHERE remind_at IS NOT NULL "
                  "ORDER BY remind_at, id"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum act_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_action(sqlite3_stmt *st, struct action_item *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", sq_text_or_empty(st, 0));
    a->title = xstrdup(sq_text_or_empty(st, 1));
    a->owner = sq_col_text(st, 2);
    a->due_at = sqlite3_column_int64(st, 3);
    a->priority = xstrdup(sq_text_or_empty(st, 4));
    a->status =
        action_status_parse(sq_text_or_empty(st, 5)) == ACTION_DONE ? ACTION_DONE : ACTION_OPEN;
    a->incident_id = sq_col_text(st, 6);
    a->postmortem_id = sq_col_text(st, 7);
    a->created_at = sqlite3_column_int64(st, 8);
    a->created_by = xstrdup(sq_text_or_empty(st, 9));
    a->updated_at = sqlite3_column_int64(st, 10);
    a->done_at = sqlite3_column_int64(st, 11);
    a->remind_at = sqlite3_column_int64(st, 12);
}

static enum result each_row(struct sqlite_conn *c, sqlite3_stmt *st, store_action_cb cb, void *ctx,
                            const char *what)
{
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct action_item a;
        read_action(st, &a);
        int stop = cb(&a, ctx);
        action_item_free_fields(&a);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

static enum result sq_action_insert(void *conn, const struct action_item *a)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, a->id);
    sq_bind_text(c, st, 2, a->title);
    sq_bind_text(c, st, 3, a->owner);
    sq_bind_int64(c, st, 4, a->due_at);
    sq_bind_text(c, st, 5, a->priority);
    sq_bind_text(c, st, 6, action_status_name(a->status));
    sq_bind_text(c, st, 7, a->incident_id);
    sq_bind_text(c, st, 8, a->postmortem_id);
    sq_bind_int64(c, st, 9, a->created_at);
    sq_bind_text(c, st, 10, a->created_by);
    sq_bind_int64(c, st, 11, a->updated_at);
    sq_bind_int64(c, st, 12, a->done_at);
    sq_bind_time(c, st, 13, a->remind_at);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "action_insert");
    sqlite3_reset(st);
    return result;
}

static enum result sq_action_get(void *conn, const char *id, struct action_item *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_action(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "action_get");
    sqlite3_reset(st);
    return result;
}

static enum result sq_action_update(void *conn, const struct action_item *a)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, a->id);
    sq_bind_text(c, st, 2, a->title);
    sq_bind_text(c, st, 3, a->owner);
    sq_bind_int64(c, st, 4, a->due_at);
    sq_bind_text(c, st, 5, a->priority);
    sq_bind_text(c, st, 6, action_status_name(a->status));
    sq_bind_int64(c, st, 7, a->updated_at);
    sq_bind_int64(c, st, 8, a->done_at);
    sq_bind_time(c, st, 9, a->remind_at);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "action_update");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_action_list(void *conn, const struct store_action_filter *f,
                                  store_action_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, f->owner);
    sq_bind_text(c, st, 2, f->incident_id);
    sq_bind_text(c, st, 3,
                 f->status < 0 ? NULL : action_status_name((enum action_status)f->status));
    sq_bind_time(c, st, 4, f->overdue_at);
    return each_row(c, st, cb, ctx, "action_list");
}

static enum result sq_action_remind_due(void *conn, store_action_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, A_REMIND);
    if (!st)
        return ERR_UNAVAILABLE;
    return each_row(c, st, cb, ctx, "action_remind_due");
}

STORE_OPS_TABLE(sqlite, action, STORE_ACTION_OPS);
