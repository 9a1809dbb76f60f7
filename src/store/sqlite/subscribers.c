/*
 * store/sqlite/subscribers: the SQLite backend's status page subscribers (migrations 013, 018).
 * confirmed_at / unsubscribed_at are NULL in the table when 0 here. Same threading as sqlite.h.
 */
#include "store/sqlite/sqlite.h"
#include "store/subscribers.h"
#include "util/log.h"

#include <string.h>

enum s_stmt { S_INSERT, S_GET, S_GET_ADDR, S_UPDATE, S_LIST, S_END };

#define S_COLS                                                                                     \
    "id, kind, address, components, state, created_at, confirmed_at, unsubscribed_at, "            \
    "failures, last_error, disabled_at"

static struct sq_stmt stmts[] = {
    [S_INSERT] = {"INSERT INTO subscribers(" S_COLS
                  ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"},
    [S_GET] = {"SELECT " S_COLS " FROM subscribers WHERE id = ?1"},
    [S_GET_ADDR] = {"SELECT " S_COLS " FROM subscribers WHERE kind = ?1 AND address = ?2"},
    [S_UPDATE] =
        {"UPDATE subscribers SET components = ?2, state = ?3, confirmed_at = ?4, "
         "unsubscribed_at = ?5, failures = ?6, last_error = ?7, disabled_at = ?8 WHERE id = ?1"},
    [S_LIST] = {"SELECT " S_COLS " FROM subscribers WHERE (?1 IS NULL OR state = ?1) "
                "ORDER BY created_at, id"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum s_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_row(sqlite3_stmt *st, struct subscriber *s)
{
    memset(s, 0, sizeof *s);
    sq_copy_col(st, 0, s->id, sizeof s->id);
    s->kind = xstrdup(sq_text_or_empty(st, 1));
    s->address = xstrdup(sq_text_or_empty(st, 2));
    s->components = xstrdup(sq_text_or_empty(st, 3));
    int state = sub_state_parse(sq_text_or_empty(st, 4));
    s->state = state < 0 ? SUB_PENDING : (enum sub_state)state;
    s->created_at = sqlite3_column_int64(st, 5);
    s->confirmed_at = sqlite3_column_int64(st, 6);
    s->unsubscribed_at = sqlite3_column_int64(st, 7);
    s->failures = sqlite3_column_int(st, 8);
    const char *e = (const char *)sqlite3_column_text(st, 9);
    s->last_error = e ? xstrdup(e) : NULL;
    s->disabled_at = sqlite3_column_int64(st, 10);
}

static enum result one_row(struct sqlite_conn *c, sqlite3_stmt *st, struct subscriber *out,
                           const char *what)
{
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

static enum result sq_subscriber_insert(void *conn, const struct subscriber *s)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, s->id);
    sq_bind_text(c, st, 2, s->kind);
    sq_bind_text(c, st, 3, s->address);
    sq_bind_text(c, st, 4, s->components ? s->components : "[]");
    sq_bind_text(c, st, 5, sub_state_name(s->state));
    sq_bind_int64(c, st, 6, s->created_at);
    sq_bind_time(c, st, 7, s->confirmed_at);
    sq_bind_time(c, st, 8, s->unsubscribed_at);
    sq_bind_int64(c, st, 9, s->failures);
    sq_bind_text(c, st, 10, s->last_error);
    sq_bind_time(c, st, 11, s->disabled_at);
    return sq_run(c, st, false, "subscriber_insert");
}

static enum result sq_subscriber_get(void *conn, const char *id, struct subscriber *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    return one_row(c, st, out, "subscriber_get");
}

static enum result sq_subscriber_get_by_address(void *conn, const char *kind, const char *address,
                                                struct subscriber *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_GET_ADDR);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, kind);
    sq_bind_text(c, st, 2, address);
    return one_row(c, st, out, "subscriber_get_by_address");
}

static enum result sq_subscriber_update(void *conn, const struct subscriber *s)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, s->id);
    sq_bind_text(c, st, 2, s->components ? s->components : "[]");
    sq_bind_text(c, st, 3, sub_state_name(s->state));
    sq_bind_time(c, st, 4, s->confirmed_at);
    sq_bind_time(c, st, 5, s->unsubscribed_at);
    sq_bind_int64(c, st, 6, s->failures);
    sq_bind_text(c, st, 7, s->last_error);
    sq_bind_time(c, st, 8, s->disabled_at);
    return sq_run(c, st, true, "subscriber_update");
}

static enum result sq_subscriber_list(void *conn, const char *state, store_subscriber_cb cb,
                                      void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, state);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct subscriber s;
        read_row(st, &s);
        int stop = cb(&s, ctx);
        subscriber_free_fields(&s);
        if (stop)
            break;
    }
    enum result result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "subscriber_list");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, subscriber, STORE_SUBSCRIBER_OPS);
