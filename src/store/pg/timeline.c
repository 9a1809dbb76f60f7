/*
 * store/pg/timeline: the PostgreSQL backend's timeline rows (migration 001). Mirrors
 * store/sqlite/timeline.c. The chain stays linear because only the writer thread appends (it reads
 * the head with timeline_last and inserts the next seq in the same transaction); a second writer
 * would collide on the seq primary key (ERR_CONFLICT), never fork the chain; several nodes take
 * the write lock first (pg.c), so their appends never interleave.
 * An incident id that is not valid UTF-8 (from a URL) has no entries: OK, no rows, no query.
 * The head is read once per write transaction: between pgs_begin (the write lock, which every
 * node's writer takes before it writes) and the transaction's end nobody else appends, so after
 * the first read or insert this connection knows it (pg.h head_*); the transaction's end and a
 * rollback to a savepoint (a failed job's entries undone) forget it. A batch of 100 alerts reads
 * it once instead of 100 times.
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
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

static struct pg_stmt stmts[] = {
    [S_TL_INSERT] = {"INSERT INTO timeline(" TL_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"},
    [S_TL_LAST] = {"SELECT seq, hash FROM timeline ORDER BY seq DESC LIMIT 1"},
    [S_TL_SCAN_ALL] = {"SELECT " TL_COLS " FROM timeline ORDER BY seq"},
    [S_TL_SCAN_INC] = {"SELECT " TL_COLS " FROM timeline WHERE incident_id = $1 ORDER BY seq"},
    [S_TL_SCAN_FROM] = {"SELECT " TL_COLS " FROM timeline WHERE seq >= $1::bigint ORDER BY seq"},
    [S_CP_GET] = {"SELECT seq, hash, taken_at, full_at FROM audit_checkpoint WHERE id = 1"},
    [S_CP_SET] = {"INSERT INTO audit_checkpoint(id, seq, hash, taken_at, full_at) "
                  "VALUES (1, $1::bigint, $2, $3::bigint, $4::bigint) ON CONFLICT (id) DO UPDATE "
                  "SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, taken_at = EXCLUDED.taken_at, "
                  "full_at = EXCLUDED.full_at"},
    [S_CP_DELETE] = {"DELETE FROM audit_checkpoint"},
};

static enum result pgs_timeline_insert(void *conn, const struct timeline_entry *e)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[S_TL_INSERT]);
    pg_param_int64(&q, e->seq);
    pg_param_int64(&q, e->at);
    pg_param_text(&q, e->actor);
    pg_param_text(&q, e->kind);
    pg_param_text(&q, e->incident_id);
    pg_param_text(&q, e->data);
    pg_param_text(&q, e->prev_hash);
    pg_param_text(&q, e->hash);
    struct pg_conn *c = conn;
    c->head_known = false;
    enum result result = pg_query_run(&q, false, "timeline_insert");
    if (result == OK && c->locked_tx) {
        c->head_known = true;
        c->head_seq = e->seq;
        memcpy(c->head_hash, e->hash, SHA256_HEX_LEN);
    }
    return result;
}

static enum result pgs_timeline_last(void *conn, int64_t *seq, char hash[SHA256_HEX_LEN])
{
    struct pg_conn *c = conn;
    if (c->locked_tx && c->head_known) {
        *seq = c->head_seq;
        memcpy(hash, c->head_hash, SHA256_HEX_LEN);
        return OK;
    }
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[S_TL_LAST]);
    PGresult *r = pg_query_exec(&q, &result, "timeline_last");
    if (!r)
        goto out;
    if (PQntuples(r) > 0) {
        *seq = pg_col_int64(r, 0, 0);
        pg_copy_col(r, 0, 1, hash, SHA256_HEX_LEN);
    } else {
        *seq = 0;
        memcpy(hash, timeline_genesis, SHA256_HEX_LEN);
    }
    if (c->locked_tx) {
        c->head_known = true;
        c->head_seq = *seq;
        memcpy(c->head_hash, hash, SHA256_HEX_LEN);
    }
out:
    PQclear(r);
    return result;
}

/* Runs q (bound) and hands each row to cb as a borrowed entry. */
static enum result scan_rows(struct pg_query *q, store_timeline_cb cb, void *ctx)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, "scan");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        /* borrowed from r, which outlives the callback */
        struct timeline_entry e = {
            .seq = pg_col_int64(r, i, 0),
            .at = pg_col_int64(r, i, 1),
            .actor = (char *)pg_text_or_empty(r, i, 2),
            .kind = (char *)pg_text_or_empty(r, i, 3),
            .incident_id = pg_col_is_null(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
            .data = (char *)pg_text_or_empty(r, i, 5),
        };
        pg_copy_col(r, i, 6, e.prev_hash, sizeof e.prev_hash);
        pg_copy_col(r, i, 7, e.hash, sizeof e.hash);
        if (cb(&e, ctx))
            break;
    }
out:
    PQclear(r);
    return result;
}

static enum result pgs_timeline_scan(void *conn, const char *incident_id, store_timeline_cb cb,
                                     void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[incident_id ? S_TL_SCAN_INC : S_TL_SCAN_ALL]);
    if (incident_id)
        pg_param_text(&q, incident_id);
    return scan_rows(&q, cb, ctx);
}

static enum result pgs_timeline_scan_from(void *conn, int64_t from_seq, store_timeline_cb cb,
                                          void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[S_TL_SCAN_FROM]);
    pg_param_int64(&q, from_seq);
    return scan_rows(&q, cb, ctx);
}

static enum result pgs_audit_checkpoint_get(void *conn, struct audit_checkpoint *cp)
{
    memset(cp, 0, sizeof *cp);
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &stmts[S_CP_GET]);
    PGresult *r = pg_query_exec(&q, &result, "audit_checkpoint_get");
    if (!r)
        goto out;
    if (PQntuples(r) == 0) {
        result = ERR_NOT_FOUND;
        goto out;
    }
    cp->seq = pg_col_int64(r, 0, 0);
    pg_copy_col(r, 0, 1, cp->hash, sizeof cp->hash);
    cp->taken_at = pg_col_int64(r, 0, 2);
    cp->full_at = pg_col_int64(r, 0, 3);
out:
    PQclear(r);
    return result;
}

static enum result pgs_audit_checkpoint_set(void *conn, const struct audit_checkpoint *cp)
{
    struct pg_query q;
    pg_query_init(&q, conn, &stmts[cp ? S_CP_SET : S_CP_DELETE]);
    if (cp) {
        pg_param_int64(&q, cp->seq);
        pg_param_text(&q, cp->hash);
        pg_param_int64(&q, cp->taken_at);
        pg_param_int64(&q, cp->full_at);
    }
    return pg_query_run(&q, false, "audit_checkpoint_set");
}

STORE_OPS_TABLE(pg, timeline, STORE_TIMELINE_OPS);
