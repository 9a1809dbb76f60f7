/*
 * store_sqlite_escalation: the SQLite backend's escalation tables (migration 005): one
 * escalation state per incident, whose due_at is the engine's deadline (indexed, so the earliest
 * due rows come out in deadline order), and the hand-offs already announced. Same threading as
 * store_sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/escalations.h"

#include <string.h>

enum esc_stmt { E_ARM, E_GET, E_PUT, E_DUE, E_NEXT_DUE, E_HANDOFF_CLAIM, E_END };

#define ESC_COLS                                                                                   \
    "started, policy, round, next_step, round_start, ack_breach_done, resolve_breach_done, "       \
    "reminded_for, manual_count, due_at"

static struct sq_stmt stmts[] = {
    [E_ARM] = {"INSERT INTO escalations(incident_id, round_start, due_at, updated_at) "
               "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(incident_id) DO UPDATE SET "
               "due_at = min(coalesce(due_at, excluded.due_at), excluded.due_at), "
               "updated_at = excluded.updated_at"},
    [E_GET] = {"SELECT " ESC_COLS " FROM escalations WHERE incident_id = ?1"},
    [E_PUT] =
        {"UPDATE escalations SET started = ?2, policy = ?3, round = ?4, next_step = ?5, "
         "round_start = ?6, ack_breach_done = ?7, resolve_breach_done = ?8, reminded_for = ?9, "
         "manual_count = ?10, due_at = ?11, updated_at = ?12 WHERE incident_id = ?1"},
    [E_DUE] = {"SELECT incident_id FROM escalations WHERE due_at IS NOT NULL "
               "AND due_at <= ?1 ORDER BY due_at LIMIT ?2"},
    [E_NEXT_DUE] = {"SELECT min(due_at) FROM escalations WHERE due_at IS NOT NULL"},
    [E_HANDOFF_CLAIM] =
        {"INSERT OR IGNORE INTO handoffs(schedule, layer, starts_at, user_id, notified_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5)"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum esc_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_escalation_arm(void *conn, const char *incident_id, int64_t round_start,
                                     int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_ARM);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    sq_bind_int64(c, st, 2, round_start);
    sq_bind_int64(c, st, 3, now);
    enum result result = sq_step(c, st) == SQLITE_DONE ? OK : sq_fail(c, "escalation_arm");
    sqlite3_reset(st);
    return result;
}

static enum result sq_escalation_get(void *conn, const char *incident_id,
                                     struct escalation_state *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    int rc = sq_step(c, st);
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

static enum result sq_escalation_put(void *conn, const char *incident_id,
                                     const struct escalation_state *s, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_PUT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    sq_bind_int64(c, st, 2, s->started);
    sq_bind_text(c, st, 3, s->policy);
    sq_bind_int64(c, st, 4, s->round);
    sq_bind_int64(c, st, 5, s->next_step);
    sq_bind_int64(c, st, 6, s->round_start);
    sq_bind_int64(c, st, 7, s->ack_breach_done);
    sq_bind_int64(c, st, 8, s->resolve_breach_done);
    sq_bind_int64(c, st, 9, s->reminded_for);
    sq_bind_int64(c, st, 10, s->manual_count);
    sq_bind_time(c, st, 11, s->due_at); /* 0 -> NULL: nothing pending */
    sq_bind_int64(c, st, 12, now);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_put");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_escalation_due(void *conn, int64_t now, int limit, store_id_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, now);
    sq_bind_int64(c, st, 2, limit);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW)
        if (cb(sq_text_or_empty(st, 0), ctx))
            break;
    enum result result = rc == SQLITE_ROW || rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_due");
    sqlite3_reset(st);
    return result;
}

static enum result sq_escalation_next_due(void *conn, int64_t *at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_NEXT_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sq_step(c, st);
    *at = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
              ? sqlite3_column_int64(st, 0)
              : -1;
    enum result result =
        rc == SQLITE_ROW || rc == SQLITE_DONE ? OK : sq_fail(c, "escalation_next_due");
    sqlite3_reset(st);
    return result;
}

static enum result sq_handoff_claim(void *conn, const char *schedule, const char *layer,
                                    int64_t starts_at, const char *user, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, E_HANDOFF_CLAIM);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, schedule);
    sq_bind_text(c, st, 2, layer);
    sq_bind_int64(c, st, 3, starts_at);
    sq_bind_text(c, st, 4, user);
    sq_bind_int64(c, st, 5, now);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "handoff_claim");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_CONFLICT; /* already announced */
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, escalation, STORE_ESCALATION_OPS);
