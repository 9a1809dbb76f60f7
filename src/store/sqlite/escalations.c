/*
 * store_sqlite_escalation: the SQLite backend's escalation tables (migration 005): one
 * escalation state per incident, whose due_at is the engine's deadline (indexed, so the earliest
 * due rows come out in deadline order), and the hand-offs already announced. Statement slots
 * start at SQ_ESCALATION_BASE. Same threading as store_sqlite.c.
 */
#include "store/sqlite/sqlite.h"

#include <string.h>

enum esc_stmt {
    E_ARM = SQ_ESCALATION_BASE,
    E_GET,
    E_PUT,
    E_DUE,
    E_NEXT_DUE,
    E_HANDOFF_CLAIM,
    E_END
};
_Static_assert((int)E_END <= (int)SQ_STMT_SLOTS, "too many statements for the cache");

#define ESC_COLS                                                                                   \
    "started, policy, round, next_step, round_start, ack_breach_done, resolve_breach_done, "       \
    "reminded_for, manual_count, due_at"

static const char *const sql[E_END - SQ_ESCALATION_BASE] = {
    [E_ARM - SQ_ESCALATION_BASE] =
        "INSERT INTO escalations(incident_id, round_start, due_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(incident_id) DO UPDATE SET "
        "due_at = min(coalesce(due_at, excluded.due_at), excluded.due_at), "
        "updated_at = excluded.updated_at",
    [E_GET - SQ_ESCALATION_BASE] = "SELECT " ESC_COLS " FROM escalations WHERE incident_id = ?1",
    [E_PUT - SQ_ESCALATION_BASE] =
        "UPDATE escalations SET started = ?2, policy = ?3, round = ?4, next_step = ?5, "
        "round_start = ?6, ack_breach_done = ?7, resolve_breach_done = ?8, reminded_for = ?9, "
        "manual_count = ?10, due_at = ?11, updated_at = ?12 WHERE incident_id = ?1",
    [E_DUE - SQ_ESCALATION_BASE] = "SELECT incident_id FROM escalations WHERE due_at IS NOT NULL "
                                   "AND due_at <= ?1 ORDER BY due_at LIMIT ?2",
    [E_NEXT_DUE - SQ_ESCALATION_BASE] =
        "SELECT min(due_at) FROM escalations WHERE due_at IS NOT NULL",
    [E_HANDOFF_CLAIM - SQ_ESCALATION_BASE] =
        "INSERT OR IGNORE INTO handoffs(schedule, layer, starts_at, user_id, notified_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum esc_stmt id)
{
    return sq_prepare(c, (int)id, sql[id - SQ_ESCALATION_BASE]);
}

enum result sq_escalation_arm(void *conn, const char *incident_id, int64_t round_start, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_ARM);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, round_start);
    sqlite3_bind_int64(st, 3, now);
    enum result result = sqlite3_step(st) == SQLITE_DONE ? OK : sq_fail(c, "escalation_arm");
    sqlite3_reset(st);
    return result;
}

enum result sq_escalation_get(void *conn, const char *incident_id, struct escalation_state *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->started = sqlite3_column_int(st, 0) != 0;
        sq_copy_col(st, 1, out->policy, sizeof out->policy);
        out->round = sqlite3_column_int(st, 2);
        out->next_step = sqlite3_column_int(st, 3);
        out->round_start = sqlite3_column_int64(st, 4);
        out->ack_breach_done = sqlite3_column_int(st, 5) != 0;
        out->resolve_breach_done = sqlite3_column_int(st, 6) != 0;
        out->reminded_for = sqlite3_column_int64(st, 7);
        out->manual_count = sqlite3_column_int(st, 8);
        out->due_at = sqlite3_column_int64(st, 9);
    } else {
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "escalation_get");
    }
    sqlite3_reset(st);
    return result;
}

enum result sq_escalation_put(void *conn, const char *incident_id, const struct escalation_state *s,
                              int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_PUT);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, s->started);
    sqlite3_bind_text(st, 3, s->policy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, s->round);
    sqlite3_bind_int(st, 5, s->next_step);
    sqlite3_bind_int64(st, 6, s->round_start);
    sqlite3_bind_int(st, 7, s->ack_breach_done);
    sqlite3_bind_int(st, 8, s->resolve_breach_done);
    sqlite3_bind_int64(st, 9, s->reminded_for);
    sqlite3_bind_int(st, 10, s->manual_count);
    sq_bind_time(st, 11, s->due_at); /* 0 -> NULL: nothing pending */
    sqlite3_bind_int64(st, 12, now);
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_put");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

enum result sq_escalation_due(void *conn, int64_t now, int limit, store_id_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cb(sq_text_or_empty(st, 0), ctx))
            break;
    enum result result = rc == SQLITE_ROW || rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_due");
    sqlite3_reset(st);
    return result;
}

enum result sq_escalation_next_due(void *conn, int64_t *at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_NEXT_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sqlite3_step(st);
    *at = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
              ? sqlite3_column_int64(st, 0)
              : -1;
    enum result result =
        rc == SQLITE_ROW || rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_next_due");
    sqlite3_reset(st);
    return result;
}

enum result sq_handoff_claim(void *conn, const char *schedule, const char *layer, int64_t starts_at,
                             const char *user, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_HANDOFF_CLAIM);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, schedule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, layer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, starts_at);
    sqlite3_bind_text(st, 4, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now);
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "handoff_claim");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_CONFLICT; /* already announced */
    sqlite3_reset(st);
    return result;
}
