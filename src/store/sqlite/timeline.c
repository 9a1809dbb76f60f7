/*
 * store/sqlite/timeline: the SQLite backend's timeline rows (migration 001). Same threading as
 * sqlite.c.
 */
#include "store/sqlite/sqlite.h"
#include "store/timeline.h"
#include "util/log.h"

#include <string.h>

enum stmt_id {
    S_TL_INSERT,
    S_TL_LAST,
    S_TL_SCAN_ALL,
    S_TL_SCAN_INC,
    S_TL_SCAN_FROM,
    S_CP_GET,
    S_CP_SET,
    S_CP_DELETE,
    S_COUNT
};

#define TL_COLS "seq, at, actor, kind, incident_id, data, prev_hash, hash"

static struct sq_stmt stmts[] = {
    [S_TL_INSERT] = {"INSERT INTO timeline(" TL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"},
    [S_TL_LAST] = {"SELECT seq, hash FROM timeline ORDER BY seq DESC LIMIT 1"},
    [S_TL_SCAN_ALL] = {"SELECT " TL_COLS " FROM timeline ORDER BY seq"},
    [S_TL_SCAN_INC] = {"SELECT " TL_COLS " FROM timeline WHERE incident_id = ?1 ORDER BY seq"},
    [S_TL_SCAN_FROM] = {"SELECT " TL_COLS " FROM timeline WHERE seq >= ?1 ORDER BY seq"},
    [S_CP_GET] = {"SELECT seq, hash, taken_at, full_at FROM audit_checkpoint WHERE id = 1"},
    [S_CP_SET] = {"INSERT INTO audit_checkpoint(id, seq, hash, taken_at, full_at) "
                  "VALUES (1, ?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, "
                  "hash = excluded.hash, taken_at = excluded.taken_at, full_at = excluded.full_at"},
    [S_CP_DELETE] = {"DELETE FROM audit_checkpoint"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, &stmts[id]);
}

static enum result sq_timeline_insert(void *conn, const struct timeline_entry *e)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TL_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, e->seq);
    sq_bind_int64(c, st, 2, e->at);
    sq_bind_text(c, st, 3, e->actor);
    sq_bind_text(c, st, 4, e->kind);
    sq_bind_text(c, st, 5, e->incident_id);
    sq_bind_text(c, st, 6, e->data);
    sq_bind_text(c, st, 7, e->prev_hash);
    sq_bind_text(c, st, 8, e->hash);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "timeline_insert");
    sqlite3_reset(st);
    return result;
}

static enum result sq_timeline_last(void *conn, int64_t *seq, char hash[SHA256_HEX_LEN])
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TL_LAST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        sq_copy_col(st, 1, hash, SHA256_HEX_LEN);
    } else if (rc == SQLITE_DONE) {
        *seq = 0;
        memcpy(hash, timeline_genesis, SHA256_HEX_LEN);
    } else {
        result = sq_fail(c, "timeline_last");
    }
    sqlite3_reset(st);
    return result;
}

/* Runs st (bound) and hands each row to cb as a borrowed entry. */
static enum result scan_rows(struct sqlite_conn *c, sqlite3_stmt *st, store_timeline_cb cb,
                             void *ctx)
{
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct timeline_entry e = {
            .seq = sqlite3_column_int64(st, 0),
            .at = sqlite3_column_int64(st, 1),
            .actor = sq_text_or_empty(st, 2),
            .kind = sq_text_or_empty(st, 3),
            .incident_id = (char *)sqlite3_column_text(st, 4),
            .data = sq_text_or_empty(st, 5),
        };
        sq_copy_col(st, 6, e.prev_hash, sizeof e.prev_hash);
        sq_copy_col(st, 7, e.hash, sizeof e.hash);
        if (cb(&e, ctx))
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "scan");
    sqlite3_reset(st);
    return result;
}

static enum result sq_timeline_scan(void *conn, const char *incident_id, store_timeline_cb cb,
                                    void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, incident_id ? S_TL_SCAN_INC : S_TL_SCAN_ALL);
    if (!st)
        return ERR_UNAVAILABLE;
    if (incident_id)
        sq_bind_text(c, st, 1, incident_id);
    return scan_rows(c, st, cb, ctx);
}

static enum result sq_timeline_scan_from(void *conn, int64_t from_seq, store_timeline_cb cb,
                                         void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TL_SCAN_FROM);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_int64(c, st, 1, from_seq);
    return scan_rows(c, st, cb, ctx);
}

static enum result sq_audit_checkpoint_get(void *conn, struct audit_checkpoint *cp)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_CP_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    memset(cp, 0, sizeof *cp);
    int rc = sq_step(c, st);
    enum result result = ERR_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        cp->seq = sqlite3_column_int64(st, 0);
        sq_copy_col(st, 1, cp->hash, sizeof cp->hash);
        cp->taken_at = sqlite3_column_int64(st, 2);
        cp->full_at = sqlite3_column_int64(st, 3);
        result = OK;
    } else if (rc != SQLITE_DONE) {
        result = sq_fail(c, "audit_checkpoint_get");
    }
    sqlite3_reset(st);
    return result;
}

static enum result sq_audit_checkpoint_set(void *conn, const struct audit_checkpoint *cp)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, cp ? S_CP_SET : S_CP_DELETE);
    if (!st)
        return ERR_UNAVAILABLE;
    if (cp) {
        sq_bind_int64(c, st, 1, cp->seq);
        sq_bind_text(c, st, 2, cp->hash);
        sq_bind_int64(c, st, 3, cp->taken_at);
        sq_bind_int64(c, st, 4, cp->full_at);
    }
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "audit_checkpoint_set");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, timeline, STORE_TIMELINE_OPS);
