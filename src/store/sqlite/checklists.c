/*
 * store/sqlite/checklists: the SQLite backend's checklist items (migration 009). Same threading
 * as sqlite.h: one connection, one thread at a time.
 */
#include "store/sqlite/sqlite.h"
#include "store/checklists.h"
#include "util/log.h"

#include <string.h>

enum cl_stmt { C_INSERT, C_LIST, C_TICK, C_DEADLINES, C_REMINDED, C_END };

#define CL_COLS                                                                                    \
    "incident_id, checklist_id, n, title, phase, text, auto, attached_at, done_at, done_by, "      \
    "due_from, due_within, owner, reminded_at"

static struct sq_stmt stmts[] = {
    [C_INSERT] = {"INSERT INTO checklist_items(" CL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,0,"
                  "NULL,?9,?10,?11,0) ON CONFLICT DO NOTHING"},
    [C_LIST] = {"SELECT " CL_COLS " FROM checklist_items WHERE incident_id = ?1 "
                "ORDER BY attached_at, checklist_id, n"},
    [C_TICK] = {"UPDATE checklist_items SET done_at = ?4, done_by = ?5 WHERE incident_id = ?1 "
                "AND checklist_id = ?2 AND n = ?3 AND done_at = 0"},
    [C_DEADLINES] = {"SELECT " CL_COLS " FROM checklist_items WHERE due_from IS NOT NULL AND "
                     "done_at = 0 AND reminded_at = 0 AND incident_id IN (SELECT id FROM "
                     "incidents WHERE status <> 'closed') ORDER BY incident_id, checklist_id, n"},
    [C_REMINDED] = {"UPDATE checklist_items SET reminded_at = ?4 WHERE incident_id = ?1 AND "
                    "checklist_id = ?2 AND n = ?3"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum cl_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_checklist_item_insert(void *conn, const struct checklist_item *it,
                                            bool *inserted)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, it->incident_id);
    sq_bind_text(c, st, 2, it->checklist_id);
    sq_bind_int64(c, st, 3, it->n);
    sq_bind_text(c, st, 4, it->title);
    sq_bind_text(c, st, 5, it->phase);
    sq_bind_text(c, st, 6, it->text);
    sq_bind_text(c, st, 7, checklist_auto_name(it->auto_kind));
    sq_bind_int64(c, st, 8, it->attached_at);
    sq_bind_text(c, st, 9, it->due_from);
    sq_bind_int64(c, st, 10, it->due_from ? it->due_within : 0);
    sq_bind_text(c, st, 11, it->owner);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "checklist_item_insert");
    *inserted = result == OK && sqlite3_changes(c->db) > 0;
    sqlite3_reset(st);
    return result;
}

/* Runs st (bound) and hands each row to cb. */
static enum result read_items(struct sqlite_conn *c, sqlite3_stmt *st, store_checklist_cb cb,
                              void *ctx, const char *op)
{
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct checklist_item it = {
            .incident_id = xstrdup(sq_text_or_empty(st, 0)),
            .checklist_id = xstrdup(sq_text_or_empty(st, 1)),
            .n = (int)sqlite3_column_int64(st, 2),
            .title = xstrdup(sq_text_or_empty(st, 3)),
            .phase = sq_col_text(st, 4),
            .text = xstrdup(sq_text_or_empty(st, 5)),
            .auto_kind = (enum checklist_auto)checklist_auto_parse(sq_text_or_empty(st, 6)),
            .attached_at = sqlite3_column_int64(st, 7),
            .done_at = sqlite3_column_int64(st, 8),
            .done_by = sq_col_text(st, 9),
            .due_from = sq_col_text(st, 10),
            .due_within = sqlite3_column_int64(st, 11),
            .owner = sq_col_text(st, 12),
            .reminded_at = sqlite3_column_int64(st, 13)};
        int stop = cb(&it, ctx);
        checklist_item_free_fields(&it);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, op);
    sqlite3_reset(st);
    return result;
}

static enum result sq_checklist_items(void *conn, const char *incident_id, store_checklist_cb cb,
                                      void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    return read_items(c, st, cb, ctx, "checklist_items");
}

static enum result sq_checklist_deadline_items(void *conn, store_checklist_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_DEADLINES);
    return st ? read_items(c, st, cb, ctx, "checklist_deadline_items") : ERR_UNAVAILABLE;
}

static enum result sq_checklist_item_reminded(void *conn, const char *incident_id,
                                              const char *checklist_id, int n, int64_t at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_REMINDED);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    sq_bind_text(c, st, 2, checklist_id);
    sq_bind_int64(c, st, 3, n);
    sq_bind_int64(c, st, 4, at);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "checklist_item_reminded");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_checklist_item_tick(void *conn, const char *incident_id,
                                          const char *checklist_id, int n, int64_t now,
                                          const char *by)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, C_TICK);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    sq_bind_text(c, st, 2, checklist_id);
    sq_bind_int64(c, st, 3, n);
    sq_bind_int64(c, st, 4, now);
    sq_bind_text(c, st, 5, by);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "checklist_item_tick");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, checklist, STORE_CHECKLIST_OPS);
