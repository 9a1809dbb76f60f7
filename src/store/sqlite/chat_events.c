/*
 * store/sqlite/chat_events: the SQLite backend's chat events (migration 017). Same threading as
 * sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/chat_events.h"

enum stmt_id { E_CLAIM, E_STATE, E_DONE, E_RELEASE, E_PURGE, E_COUNT };

static struct sq_stmt stmts[] = {
    /* a new event, or a running one whose claim is stale; a done or freshly claimed one: no row
     * changes */
    [E_CLAIM] = {"INSERT INTO chat_events(event_id, status, received_at, claimed_at) "
                 "VALUES (?1, 'running', ?2, ?2) ON CONFLICT(event_id) DO UPDATE SET "
                 "claimed_at = excluded.claimed_at WHERE chat_events.status = 'running' AND "
                 "chat_events.claimed_at < ?3"},
    [E_STATE] = {"SELECT status = 'running' FROM chat_events WHERE event_id = ?1"},
    [E_DONE] = {"UPDATE chat_events SET status = 'done', done_at = ?2 WHERE event_id = ?1"},
    [E_RELEASE] = {"DELETE FROM chat_events WHERE event_id = ?1 AND status = 'running'"},
    [E_PURGE] = {"DELETE FROM chat_events WHERE received_at < ?1"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_chat_event_claim(void *conn, const char *event_id, int64_t now,
                                       int64_t stale_before, bool *claimed, bool *running)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_CLAIM);
    *claimed = *running = false;
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, event_id);
    sq_bind_int64(c, st, 2, now);
    sq_bind_int64(c, st, 3, stale_before);
    enum result result = sq_run(c, st, true, "chat_event_claim");
    *claimed = result == OK;
    if (result != ERR_NOT_FOUND)
        return result;
    if (!(st = stmt(c, E_STATE))) /* held: by another request, or done */
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, event_id);
    int rc = sq_step(c, st);
    if (rc == SQLITE_ROW)
        *running = sqlite3_column_int(st, 0) != 0;
    result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "chat_event_claim");
    sqlite3_reset(st);
    return result;
}

static enum result sq_chat_event_done(void *conn, const char *event_id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_DONE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, event_id);
    sq_bind_int64(c, st, 2, now);
    return sq_run(c, st, true, "chat_event_done");
}

static enum result sq_chat_event_release(void *conn, const char *event_id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_RELEASE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, event_id);
    return sq_run(c, st, false, "chat_event_release");
}

static enum result sq_chat_event_purge(void *conn, int64_t before)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_PURGE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, before);
    return sq_run(c, st, false, "chat_event_purge");
}

STORE_OPS_TABLE(sqlite, chat_event, STORE_CHAT_EVENT_OPS);
