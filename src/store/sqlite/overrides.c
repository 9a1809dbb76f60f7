/*
 * store_sqlite_oncall: the SQLite backend's on-call overrides (migration 003). An override is never
 * deleted: removing it sets removed_at, and every query but get skips removed rows. Windows are
 * half-open [starts_at, ends_at), so two overlap when each starts before the other ends. Same
 * threading as store_sqlite.c: one connection, one thread at a time.
 */
#include "store/sqlite/sqlite.h"
#include "store/overrides.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum oncall_stmt { O_INSERT, O_GET, O_LIST, O_LIST_ALL, O_OVERLAP, O_REMOVE, O_END };

#define OVR_COLS                                                                                   \
    "id, schedule, layer, user, starts_at, ends_at, reason, created_at, created_by, removed_at"

static struct sq_stmt stmts[] = {
    [O_INSERT] = {"INSERT INTO overrides(" OVR_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,NULL)"},
    [O_GET] = {"SELECT " OVR_COLS " FROM overrides WHERE id = ?1"},
    [O_LIST] = {"SELECT " OVR_COLS " FROM overrides WHERE schedule = ?1 "
                "AND removed_at IS NULL AND starts_at < ?3 AND ends_at > ?2 "
                "ORDER BY starts_at, id"},
    [O_LIST_ALL] = {"SELECT " OVR_COLS " FROM overrides WHERE removed_at IS NULL "
                    "AND starts_at < ?3 AND ends_at > ?2 "
                    "ORDER BY schedule, starts_at, id"},
    [O_OVERLAP] = {"SELECT " OVR_COLS " FROM overrides WHERE schedule = ?1 "
                   "AND layer IS ?2 AND removed_at IS NULL AND starts_at < ?4 "
                   "AND ends_at > ?3 ORDER BY starts_at, id LIMIT 1"},
    [O_REMOVE] = {"UPDATE overrides SET removed_at = ?2 WHERE id = ?1 "
                  "AND removed_at IS NULL"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum oncall_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_override(sqlite3_stmt *st, struct oncall_override *o)
{
    memset(o, 0, sizeof *o);
    o->id = xstrdup(sq_text_or_empty(st, 0));
    o->schedule = xstrdup(sq_text_or_empty(st, 1));
    o->layer = sq_col_text(st, 2);
    o->user = xstrdup(sq_text_or_empty(st, 3));
    o->from = sqlite3_column_int64(st, 4);
    o->to = sqlite3_column_int64(st, 5);
    o->reason = sq_col_text(st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
    o->created_by = xstrdup(sq_text_or_empty(st, 8));
    o->removed_at = sqlite3_column_int64(st, 9);
}

/* Steps a one-row query into *out: OK, ERR_NOT_FOUND, or a failure. */
static enum result one_row(struct sqlite_conn *c, sqlite3_stmt *st, struct oncall_override *out,
                           const char *what)
{
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_override(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

static enum result sq_override_insert(void *conn, const struct oncall_override *o)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, O_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, o->id);
    sq_bind_text(c, st, 2, o->schedule);
    sq_bind_text(c, st, 3, o->layer);
    sq_bind_text(c, st, 4, o->user);
    sq_bind_int64(c, st, 5, o->from);
    sq_bind_int64(c, st, 6, o->to);
    sq_bind_text(c, st, 7, o->reason);
    sq_bind_int64(c, st, 8, o->created_at);
    sq_bind_text(c, st, 9, o->created_by);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "override_insert");
    sqlite3_reset(st);
    return result;
}

static enum result sq_override_get(void *conn, const char *id, struct oncall_override *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, O_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    return one_row(c, st, out, "override_get");
}

static enum result sq_override_list(void *conn, const char *schedule, int64_t from, int64_t to,
                                    store_override_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, schedule ? O_LIST : O_LIST_ALL);
    if (!st)
        return ERR_UNAVAILABLE;
    if (schedule)
        sq_bind_text(c, st, 1, schedule);
    sq_bind_int64(c, st, 2, from);
    sq_bind_int64(c, st, 3, to);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct oncall_override o;
        read_override(st, &o);
        int stop = cb(&o, ctx);
        oncall_override_free_fields(&o);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "overrides");
    sqlite3_reset(st);
    return result;
}

static enum result sq_override_find_overlap(void *conn, const char *schedule, const char *layer,
                                            int64_t from, int64_t to, struct oncall_override *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, O_OVERLAP);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, schedule);
    sq_bind_text(c, st, 2, layer);
    sq_bind_int64(c, st, 3, from);
    sq_bind_int64(c, st, 4, to);
    return one_row(c, st, out, "override_find_overlap");
}

static enum result sq_override_remove(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, O_REMOVE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    sq_bind_int64(c, st, 2, now);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "override_remove");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, override, STORE_OVERRIDE_OPS);
