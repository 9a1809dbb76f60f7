/*
 * store_sqlite_notify: the SQLite backend's notification outbox (migration 004): the
 * `notifications` rows and their `notification_attempts`. Same threading as store_sqlite.c: one
 * connection, one thread at a time.
 *
 * Invariant kept by the schema, relied on by notify: (incident_id, dkey, user_id, method) is
 * unique, with '' for "no incident" (SQLite treats NULLs as distinct in UNIQUE), so queuing the
 * same message twice inserts nothing the second time (ERR_CONFLICT).
 */
#include "store/sqlite/sqlite.h"
#include "store/notifications.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum notify_stmt {
    N_INSERT,
    N_GET,
    N_UPDATE,
    N_DUE,
    N_NEXT_DUE,
    N_LIST,
    N_MEMBERS,
    N_LAST_SENT,
    N_ATT_INSERT,
    N_ATT_LIST,
    N_CLAIM,
    N_PRUNE_ATTEMPTS,
    N_PRUNE,
    N_END
};

#define N_COLS                                                                                     \
    "id, incident_id, kind, dkey, user_id, method, address, subject, body, status, attempts, "     \
    "due_at, next_attempt_at, created_at, sent_at, last_error, bundled_into, bundle_count, "       \
    "fallback_of, reason"

/* The rows retention removes (notification_prune): delivered, before ?1, at most ?2, oldest
 * first; the same set for both statements inside the one transaction. */
#define N_PRUNE_SET                                                                                \
    "SELECT id FROM notifications WHERE status IN ('sent', 'bundled') "                            \
    "AND COALESCE(sent_at, created_at) < ?1 ORDER BY id LIMIT ?2"

static struct sq_stmt stmts[] = {
    [N_INSERT] =
        {"INSERT INTO notifications(incident_id, kind, dkey, user_id, method, address, subject, "
         "body, status, attempts, due_at, next_attempt_at, created_at, bundle_count, fallback_of, "
         "reason) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'pending',0,?9,?10,?11,1,?12,?13) "
         "ON CONFLICT(incident_id, dkey, user_id, method) DO NOTHING RETURNING id"},
    [N_GET] = {"SELECT " N_COLS " FROM notifications WHERE id = ?1"},
    [N_UPDATE] =
        {"UPDATE notifications SET status=?2, attempts=?3, next_attempt_at=?4, sent_at=?5, "
         "last_error=?6, bundled_into=?7, bundle_count=?8, claimed_by=NULL, claim_until=NULL "
         "WHERE id=?1"},
    [N_DUE] = {"SELECT " N_COLS " FROM notifications WHERE status = 'pending' "
               "AND next_attempt_at <= ?1 AND (claim_until IS NULL OR claim_until <= ?3) "
               "ORDER BY next_attempt_at, id LIMIT ?2"},
    [N_NEXT_DUE] = {"SELECT min(next_attempt_at) FROM notifications WHERE status = 'pending'"},
    [N_CLAIM] = {"UPDATE notifications SET claimed_by = ?2, claim_until = ?3 WHERE id = ?1 "
                 "AND status = 'pending' AND (claim_until IS NULL OR claim_until <= ?4 "
                 "OR claimed_by = ?2)"},
    [N_LIST] = {"SELECT " N_COLS " FROM notifications WHERE incident_id = ?1 ORDER BY id"},
    [N_MEMBERS] = {"SELECT " N_COLS " FROM notifications WHERE bundled_into = ?1 ORDER BY id"},
    [N_LAST_SENT] = {"SELECT max(sent_at) FROM notifications WHERE user_id = ?1 "
                     "AND method = ?2 AND sent_at IS NOT NULL"},
    [N_ATT_INSERT] =
        {"INSERT INTO notification_attempts(notification_id, at, ok, code, error, duration_ms) "
         "VALUES (?1,?2,?3,?4,?5,?6)"},
    [N_ATT_LIST] = {"SELECT notification_id, at, ok, code, error, duration_ms "
                    "FROM notification_attempts WHERE notification_id = ?1 "
                    "ORDER BY id"},
    [N_PRUNE_ATTEMPTS] = {"DELETE FROM notification_attempts WHERE notification_id IN "
                          "(" N_PRUNE_SET ")"},
    [N_PRUNE] = {"DELETE FROM notifications WHERE id IN (" N_PRUNE_SET ")"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum notify_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_row(sqlite3_stmt *st, struct store_notification *n)
{
    memset(n, 0, sizeof *n);
    n->id = sqlite3_column_int64(st, 0);
    n->incident_id = xstrdup(sq_text_or_empty(st, 1));
    n->kind = xstrdup(sq_text_or_empty(st, 2));
    n->dkey = xstrdup(sq_text_or_empty(st, 3));
    n->user_id = xstrdup(sq_text_or_empty(st, 4));
    n->method = xstrdup(sq_text_or_empty(st, 5));
    n->address = xstrdup(sq_text_or_empty(st, 6));
    n->subject = xstrdup(sq_text_or_empty(st, 7));
    n->body = xstrdup(sq_text_or_empty(st, 8));
    n->status = xstrdup(sq_text_or_empty(st, 9));
    n->attempts = sqlite3_column_int(st, 10);
    n->due_at = sqlite3_column_int64(st, 11);
    n->next_attempt_at = sqlite3_column_int64(st, 12);
    n->created_at = sqlite3_column_int64(st, 13);
    n->sent_at = sqlite3_column_int64(st, 14);
    n->last_error = sq_col_text(st, 15);
    n->bundled_into = sqlite3_column_int64(st, 16);
    n->bundle_count = sqlite3_column_int(st, 17);
    n->fallback_of = sqlite3_column_int64(st, 18);
    n->reason = sq_col_text(st, 19);
}

/* Steps st, handing each row to cb (until it returns non-0). */
static enum result each_row(struct sqlite_conn *c, sqlite3_stmt *st, store_notification_cb cb,
                            void *ctx, const char *what)
{
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_notification n;
        read_row(st, &n);
        int stop = cb(&n, ctx);
        store_notification_free_fields(&n);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_insert(void *conn, const struct store_notification *n,
                                          int64_t *id)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, n->incident_id ? n->incident_id : "");
    sq_bind_text(c, st, 2, n->kind);
    sq_bind_text(c, st, 3, n->dkey);
    sq_bind_text(c, st, 4, n->user_id);
    sq_bind_text(c, st, 5, n->method);
    sq_bind_text(c, st, 6, n->address);
    sq_bind_text(c, st, 7, n->subject);
    sq_bind_text(c, st, 8, n->body);
    sq_bind_int64(c, st, 9, n->due_at);
    sq_bind_int64(c, st, 10, n->next_attempt_at);
    sq_bind_int64(c, st, 11, n->created_at);
    if (n->fallback_of)
        sq_bind_int64(c, st, 12, n->fallback_of);
    else
        sq_bind_text(c, st, 12, NULL);
    sq_bind_text(c, st, 13, n->reason);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        rc = sq_step(c, st); /* finish the statement so the insert is complete */
        if (rc != SQLITE_DONE)
            result = sq_fail(c, "notification_insert");
    } else {
        result = rc == SQLITE_DONE ? ERR_CONFLICT : sq_fail(c, "notification_insert");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_get(void *conn, int64_t id, struct store_notification *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, id);
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "notification_get");
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_update(void *conn, const struct store_notification *n)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, n->id);
    sq_bind_text(c, st, 2, n->status);
    sq_bind_int64(c, st, 3, n->attempts);
    sq_bind_int64(c, st, 4, n->next_attempt_at);
    sq_bind_time(c, st, 5, n->sent_at);
    sq_bind_text(c, st, 6, n->last_error);
    if (n->bundled_into)
        sq_bind_int64(c, st, 7, n->bundled_into);
    else
        sq_bind_text(c, st, 7, NULL);
    sq_bind_int64(c, st, 8, n->bundle_count > 0 ? n->bundle_count : 1);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "notification_update");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_due(void *conn, int64_t now, int64_t wall, int limit,
                                       store_notification_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, now);
    sq_bind_int64(c, st, 2, limit > 0 ? limit : -1);
    sq_bind_int64(c, st, 3, wall);
    return each_row(c, st, cb, ctx, "notification_due");
}

/* One integer (or NULL) from a single-row aggregate. */
static enum result one_int(struct sqlite_conn *c, sqlite3_stmt *st, int64_t *out, bool *null,
                           const char *what)
{
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        *null = sqlite3_column_type(st, 0) == SQLITE_NULL;
        *out = sqlite3_column_int64(st, 0);
    } else {
        result = sq_fail(c, what);
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_next_due(void *conn, int64_t *at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_NEXT_DUE);
    if (!st)
        return ERR_UNAVAILABLE;
    bool null = true;
    enum result result = one_int(c, st, at, &null, "notification_next_due");
    return result == OK && null ? ERR_NOT_FOUND : result;
}

static enum result sq_notification_list(void *conn, const char *incident_id,
                                        store_notification_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id ? incident_id : "");
    return each_row(c, st, cb, ctx, "notification_list");
}

static enum result sq_notification_members(void *conn, int64_t lead, store_notification_cb cb,
                                           void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_MEMBERS);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, lead);
    return each_row(c, st, cb, ctx, "notification_members");
}

static enum result sq_notification_last_sent(void *conn, const char *user, const char *method,
                                             int64_t *at)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_LAST_SENT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, user);
    sq_bind_text(c, st, 2, method);
    bool null = true;
    enum result result = one_int(c, st, at, &null, "notification_last_sent");
    if (result == OK && null)
        *at = 0;
    return result;
}

static enum result sq_notification_attempt_insert(void *conn,
                                                  const struct store_notification_attempt *a)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_ATT_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, a->notification_id);
    sq_bind_int64(c, st, 2, a->at);
    sq_bind_int64(c, st, 3, a->ok ? 1 : 0);
    if (a->code)
        sq_bind_int64(c, st, 4, a->code);
    else
        sq_bind_text(c, st, 4, NULL);
    sq_bind_text(c, st, 5, a->error);
    sq_bind_int64(c, st, 6, a->duration_ms);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "notification_attempt_insert");
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_attempts(void *conn, int64_t notification_id,
                                            store_attempt_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_ATT_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, notification_id);
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct store_notification_attempt a = {
            .notification_id = sqlite3_column_int64(st, 0),
            .at = sqlite3_column_int64(st, 1),
            .ok = sqlite3_column_int(st, 2) != 0,
            .code = sqlite3_column_int(st, 3),
            .error = (char *)sqlite3_column_text(st, 4),
            .duration_ms = sqlite3_column_int64(st, 5),
        };
        if (cb(&a, ctx))
            break;
    }
    enum result result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "notification_attempts");
    sqlite3_reset(st);
    return result;
}

static enum result sq_notification_claim(void *conn, int64_t id, const char *node, int64_t until,
                                         int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, N_CLAIM);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, id);
    sq_bind_text(c, st, 2, node);
    sq_bind_int64(c, st, 3, until);
    sq_bind_int64(c, st, 4, now);
    return sq_run(c, st, true, "notification_claim");
}

static enum result prune_step(struct sqlite_conn *c, enum notify_stmt id, int64_t before, int limit)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, before);
    sq_bind_int64(c, st, 2, limit);
    return sq_run(c, st, false, "notification_prune");
}

static enum result sq_notification_prune(void *conn, int64_t before, int limit, int64_t *n)
{
    struct sqlite_conn *c = conn;
    *n = 0;
    enum result result = prune_step(c, N_PRUNE_ATTEMPTS, before, limit);
    if (result == OK)
        result = prune_step(c, N_PRUNE, before, limit);
    if (result == OK)
        *n = sqlite3_changes(c->db);
    return result;
}

STORE_OPS_TABLE(sqlite, notification, STORE_NOTIFICATION_OPS);
