/*
 * store_sqlite: the embedded backend. One SQLite file in WAL mode with synchronous=FULL, so a
 * COMMIT returns only once the WAL is on disk. The writer connection applies the migrations
 * embedded in the binary (sqlite/NNN_name.sql, in name order, each in its own transaction,
 * recorded in schema_migrations). Readers are separate connections (query_only).
 *
 * Statements are prepared once per connection and cached by their enum index.
 * Threads: a connection is used by one thread at a time (the writer, or its reader's owner).
 */
#include "store/sqlite/sqlite.h"
#include "embedded.h"
#include "util/log.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_COUNTER_NEXT,
    S_INC_INSERT,
    S_INC_UPDATE,
    S_INC_GET,
    S_INC_LIST,
    S_INC_COUNT_OPEN,
    S_TL_INSERT,
    S_TL_LAST,
    S_TL_SCAN_ALL,
    S_TL_SCAN_INC,
    S_TOK_INSERT,
    S_TOK_GET,
    S_TOK_FIND_HASH,
    S_TOK_LIST,
    S_TOK_REVOKE,
    S_COUNT
};

#define TL_COLS "seq, at, actor, kind, incident_id, data, prev_hash, hash"
#define TOK_COLS "id, name, role, hash, created_at, revoked_at"

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT job",
    [S_RELEASE] = "RELEASE job",
    [S_ROLLBACK_TO] = "ROLLBACK TO job",
    [S_COUNTER_NEXT] = "INSERT INTO counters(key, value) VALUES (?1, 1) "
                       "ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value",
    [S_INC_INSERT] =
        "INSERT INTO incidents(" INC_COLS ") VALUES "
        "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)",
    [S_INC_UPDATE] = "UPDATE incidents SET title=?2, summary=?3, severity=?4, service=?5, type=?6, "
                     "channel=?7, postmortem=?8, status=?9, drill=?10, created_at=?11, "
                     "acknowledged_at=?12, resolved_at=?13, closed_at=?14, updated_at=?15, "
                     "last_public_update_at=?16, commander=?17, tech_lead=?18, comms_lead=?19, "
                     "scribe=?20, group_key=?21, auto_resolve=?22 WHERE id=?1",
    [S_INC_GET] = "SELECT " INC_COLS " FROM incidents WHERE id = ?1",
    [S_INC_LIST] = "SELECT " INC_COLS " FROM incidents WHERE (?1 = 0 OR "
                   "((?1 >> (CASE status WHEN 'triggered' THEN 0 WHEN 'acknowledged' THEN 1 "
                   "WHEN 'investigating' THEN 2 WHEN 'identified' THEN 3 WHEN 'monitoring' THEN 4 "
                   "WHEN 'resolved' THEN 5 ELSE 6 END)) & 1) = 1) "
                   "ORDER BY created_at DESC, length(id) DESC, id DESC LIMIT ?2",
    [S_INC_COUNT_OPEN] = "SELECT severity, count(*) FROM incidents WHERE status IN "
                         "('triggered','acknowledged','investigating','identified','monitoring') "
                         "GROUP BY severity",
    [S_TL_INSERT] = "INSERT INTO timeline(" TL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    [S_TL_LAST] = "SELECT seq, hash FROM timeline ORDER BY seq DESC LIMIT 1",
    [S_TL_SCAN_ALL] = "SELECT " TL_COLS " FROM timeline ORDER BY seq",
    [S_TL_SCAN_INC] = "SELECT " TL_COLS " FROM timeline WHERE incident_id = ?1 ORDER BY seq",
    [S_TOK_INSERT] = "INSERT INTO tokens(" TOK_COLS ") VALUES (?1,?2,?3,?4,?5,NULL)",
    [S_TOK_GET] = "SELECT " TOK_COLS " FROM tokens WHERE id = ?1",
    [S_TOK_FIND_HASH] = "SELECT " TOK_COLS " FROM tokens WHERE hash = ?1",
    [S_TOK_LIST] = "SELECT " TOK_COLS " FROM tokens ORDER BY created_at, id",
    [S_TOK_REVOKE] = "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
};

_Static_assert((int)S_COUNT <= (int)SQ_ALERTS_BASE, "core statements overlap the alert statements");

enum result sq_fail(struct sqlite_conn *c, const char *what)
{
    int code = sqlite3_extended_errcode(c->db);
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return ERR_CONFLICT;
    log_error("sqlite: %s: %s (%d)", what, sqlite3_errmsg(c->db), code);
    return ERR_UNAVAILABLE;
}

sqlite3_stmt *sq_prepare(struct sqlite_conn *c, int slot, const char *sql)
{
    if (!c->stmts[slot] && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                              &c->stmts[slot], NULL) != SQLITE_OK) {
        log_error("sqlite: prepare %d: %s", slot, sqlite3_errmsg(c->db));
        return NULL;
    }
    sqlite3_reset(c->stmts[slot]);
    sqlite3_clear_bindings(c->stmts[slot]);
    return c->stmts[slot];
}

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum stmt_id id)
{
    return sq_prepare(c, (int)id, stmt_sql[id]);
}

/* Runs a statement that returns no rows. */
static enum result exec_stmt(struct sqlite_conn *c, enum stmt_id id)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sqlite3_step(st);
    enum result result = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? OK : sq_fail(c, stmt_sql[id]);
    sqlite3_reset(st);
    return result;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void sq_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t)
        sqlite3_bind_int64(st, i, t);
    else
        sqlite3_bind_null(st, i);
}

char *sq_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? xstrdup((const char *)s) : NULL;
}

/* Borrowed column text; "" for NULL (a tampered row may hold NULLs). */
char *sq_text_or_empty(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (char *)s : "";
}

void sq_copy_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    snprintf(out, n, "%s", s ? (const char *)s : "");
}

/* The WAL is zero-filled up to WAL_PREALLOC_BYTES at start-up, so that commits overwrite blocks
 * the file already has instead of growing it: on ext4 an fdatasync after writes that grow a file
 * must also write the new size and block map, which measured 1.5-3x slower here
 * (bench/fsync_cost.py, docs/internals/store.md). SQLite restarts the WAL from its beginning once
 * a checkpoint has copied every frame (every WAL_AUTOCHECKPOINT pages), so in steady state the
 * file stays at this size. Zeros past the last valid frame are what SQLite already tolerates
 * (stale frames after a restart): recovery stops at the first frame whose salt or checksum does
 * not match. Only the writer does this, before any other connection is open. */
/* The writer's page cache. Ingest touches few pages per alert (the right edge of the alerts and
 * timeline tables and of their indexes, the dedup index leaf), so 2 MiB holds the working set;
 * 8 MiB made the writer's cache the largest part of the process's memory with 100k alerts stored
 * (docs/BENCHMARKS.md). Pages it misses come from the OS page cache. */
enum { WRITER_CACHE_KIB = 2048 };

enum {
    WAL_AUTOCHECKPOINT = 1000,
    WAL_PAGE_SIZE = 4096,
    WAL_PREALLOC_BYTES = 32 + (WAL_AUTOCHECKPOINT + 256) * (WAL_PAGE_SIZE + 24)
};

static void wal_preallocate(struct sqlite_conn *c)
{
    sqlite3_file *wal = NULL;
    sqlite3_int64 size = 0;
    if (sqlite3_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK ||
        !wal || !wal->pMethods || wal->pMethods->xFileSize(wal, &size) != SQLITE_OK)
        return; /* not fatal: commits are only slower */
    static const char zeros[65536];
    bool ok = true;
    for (sqlite3_int64 off = size; ok && off < WAL_PREALLOC_BYTES;
         off += (sqlite3_int64)sizeof zeros)
        ok = wal->pMethods->xWrite(wal, zeros, (int)sizeof zeros, off) == SQLITE_OK;
    if (!ok || wal->pMethods->xSync(wal, SQLITE_SYNC_FULL) != SQLITE_OK)
        log_warn("sqlite: could not preallocate the WAL; commits may be slower");
}

/* Process-wide SQLite settings, before its first use. Memory statistics off: with them on, every
 * sqlite3_malloc and sqlite3_free takes one global mutex that the writer and every reader thread
 * share (nothing in tocsin reads those statistics). */
static void sq_global_setup(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        log_warn("sqlite: could not turn memory statistics off (SQLite already in use)");
}

static void *sq_connect(const char *target, bool writer, struct error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_global_setup);
    struct sqlite_conn *c = xcalloc(1, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(target, &c->db, flags, NULL) != SQLITE_OK) {
        error_set(err, ERR_UNAVAILABLE, "storage: cannot open %s: %s", target,
                  c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, 5000);
    char writer_pragmas[256];
    snprintf(writer_pragmas, sizeof writer_pragmas,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
             "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=%d; PRAGMA cache_size=-%d;",
             WAL_PAGE_SIZE, WAL_AUTOCHECKPOINT, WRITER_CACHE_KIB);
    const char *pragmas = writer ? writer_pragmas : "PRAGMA query_only=ON; PRAGMA cache_size=-512;";
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, ERR_UNAVAILABLE, "storage: %s: %s", target, msg ? msg : "pragma failed");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    if (writer)
        wal_preallocate(c);
    return c;
}

static void sq_disconnect(void *conn)
{
    struct sqlite_conn *c = conn;
    if (!c)
        return;
    for (int i = 0; i < SQ_STMT_SLOTS; i++)
        sqlite3_finalize(c->stmts[i]);
    sqlite3_close(c->db);
    free(c);
}

static enum result apply_migration(struct sqlite_conn *c, const struct embedded_file *m,
                                   struct error *err)
{
    char *sql = xmalloc(m->len + 1), *msg = NULL, record[512];
    memcpy(sql, m->data, m->len);
    sql[m->len] = '\0';
    snprintf(record, sizeof record,
             "INSERT INTO schema_migrations(name, applied_at) VALUES ('%s', "
             "CAST(strftime('%%s','now') AS INTEGER) * 1000)",
             m->name);
    int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, record, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg);
    free(sql);
    if (rc != SQLITE_OK) {
        error_set(err, ERR_UNAVAILABLE, "storage: migration %s failed: %s", m->name,
                  msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_UNAVAILABLE;
    }
    log_info("store: applied migration %s", m->name);
    return OK;
}

static bool migration_applied(struct sqlite_conn *c, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM schema_migrations WHERE name = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

static enum result sq_migrate(void *conn, struct error *err)
{
    struct sqlite_conn *c = conn;
    char *msg = NULL;
    if (sqlite3_exec(c->db,
                     "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                     "applied_at INTEGER NOT NULL)",
                     NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, ERR_UNAVAILABLE, "storage: %s", msg ? msg : "cannot create migrations");
        sqlite3_free(msg);
        return ERR_UNAVAILABLE;
    }
    for (size_t i = 0; i < embedded_migrations_count; i++) {
        const struct embedded_file *m = &embedded_migrations[i];
        if (strncmp(m->name, "sqlite/", 7) != 0 || migration_applied(c, m->name))
            continue;
        enum result result = apply_migration(c, m, err);
        if (result != OK)
            return result;
    }
    return OK;
}

static enum result sq_begin(void *c)
{
    return exec_stmt(c, S_BEGIN);
}
static enum result sq_commit(void *c)
{
    return exec_stmt(c, S_COMMIT);
}
static void sq_rollback(void *c)
{
    exec_stmt(c, S_ROLLBACK);
}
static enum result sq_savepoint(void *c)
{
    return exec_stmt(c, S_SAVEPOINT);
}
static enum result sq_release(void *c)
{
    return exec_stmt(c, S_RELEASE);
}
static void sq_rollback_to(void *c)
{
    exec_stmt(c, S_ROLLBACK_TO);
}

static enum result sq_counter_next(void *conn, const char *key, int64_t *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_COUNTER_NEXT);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        return sq_fail(c, "counter_next");
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return OK;
}

static void bind_incident(sqlite3_stmt *st, const struct incident *inc)
{
    sq_bind_text(st, 1, inc->id);
    sq_bind_text(st, 2, inc->title);
    sq_bind_text(st, 3, inc->summary);
    sq_bind_text(st, 4, inc->severity);
    sq_bind_text(st, 5, inc->service);
    sq_bind_text(st, 6, inc->type);
    sq_bind_text(st, 7, inc->channel);
    sq_bind_text(st, 8, inc->postmortem);
    sq_bind_text(st, 9, incident_status_name(inc->status));
    sqlite3_bind_int(st, 10, inc->drill ? 1 : 0);
    sqlite3_bind_int64(st, 11, inc->created_at);
    sq_bind_time(st, 12, inc->acknowledged_at);
    sq_bind_time(st, 13, inc->resolved_at);
    sq_bind_time(st, 14, inc->closed_at);
    sqlite3_bind_int64(st, 15, inc->updated_at);
    sq_bind_time(st, 16, inc->last_public_update_at);
    for (int r = 0; r < ROLE_COUNT; r++)
        sq_bind_text(st, 17 + r, inc->roles[r]);
    sq_bind_text(st, 21, inc->group_key);
    sqlite3_bind_int(st, 22, inc->auto_resolve ? 1 : 0);
}

void sq_read_incident(sqlite3_stmt *st, struct incident *inc)
{
    memset(inc, 0, sizeof *inc);
    sq_copy_col(st, 0, inc->id, sizeof inc->id);
    inc->title = sq_col_text(st, 1);
    inc->summary = sq_col_text(st, 2);
    inc->severity = sq_col_text(st, 3);
    inc->service = sq_col_text(st, 4);
    inc->type = sq_col_text(st, 5);
    inc->channel = sq_col_text(st, 6);
    inc->postmortem = sq_col_text(st, 7);
    int s = incident_status_parse((const char *)sqlite3_column_text(st, 8));
    inc->status = s < 0 ? INC_TRIGGERED : (enum incident_status)s;
    inc->drill = sqlite3_column_int(st, 9) != 0;
    inc->created_at = sqlite3_column_int64(st, 10);
    inc->acknowledged_at = sqlite3_column_int64(st, 11);
    inc->resolved_at = sqlite3_column_int64(st, 12);
    inc->closed_at = sqlite3_column_int64(st, 13);
    inc->updated_at = sqlite3_column_int64(st, 14);
    inc->last_public_update_at = sqlite3_column_int64(st, 15);
    for (int r = 0; r < ROLE_COUNT; r++)
        inc->roles[r] = sq_col_text(st, 16 + r);
    inc->group_key = sq_col_text(st, 20);
    inc->auto_resolve = sqlite3_column_int(st, 21) != 0;
}

static enum result sq_incident_write(struct sqlite_conn *c, enum stmt_id id,
                                     const struct incident *inc)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    bind_incident(st, inc);
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "incident write");
    if (result == OK && id == S_INC_UPDATE && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_insert(void *c, const struct incident *inc)
{
    return sq_incident_write(c, S_INC_INSERT, inc);
}

static enum result sq_incident_update(void *c, const struct incident *inc)
{
    return sq_incident_write(c, S_INC_UPDATE, inc);
}

static enum result sq_incident_get(void *conn, const char *id, struct incident *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        sq_read_incident(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "incident_get");
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_list(void *conn, const struct store_incident_filter *f,
                                    store_incident_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_int(st, 1, f->statuses);
    sqlite3_bind_int64(st, 2, f->limit > 0 ? f->limit : -1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct incident inc;
        sq_read_incident(st, &inc);
        int stop = cb(&inc, ctx);
        incident_free_fields(&inc);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_incident_count_open(void *conn, store_count_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_INC_COUNT_OPEN);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), ctx);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "count_open");
    sqlite3_reset(st);
    return result;
}

static enum result sq_timeline_insert(void *conn, const struct timeline_entry *e)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TL_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_int64(st, 2, e->at);
    sq_bind_text(st, 3, e->actor);
    sq_bind_text(st, 4, e->kind);
    sq_bind_text(st, 5, e->incident_id);
    sq_bind_text(st, 6, e->data);
    sq_bind_text(st, 7, e->prev_hash);
    sq_bind_text(st, 8, e->hash);
    int rc = sqlite3_step(st);
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
    int rc = sqlite3_step(st);
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

static enum result sq_timeline_scan(void *conn, const char *incident_id, store_timeline_cb cb,
                                    void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, incident_id ? S_TL_SCAN_INC : S_TL_SCAN_ALL);
    if (!st)
        return ERR_UNAVAILABLE;
    if (incident_id)
        sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
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

static enum result sq_token_insert(void *conn, const struct store_token *t)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(st, 1, t->id);
    sq_bind_text(st, 2, t->name);
    sq_bind_text(st, 3, t->role);
    sq_bind_text(st, 4, t->hash);
    sqlite3_bind_int64(st, 5, t->created_at);
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "token_insert");
    sqlite3_reset(st);
    return result;
}

static void read_token(sqlite3_stmt *st, struct store_token *t)
{
    memset(t, 0, sizeof *t);
    sq_copy_col(st, 0, t->id, sizeof t->id);
    t->name = sq_col_text(st, 1);
    t->role = sq_col_text(st, 2);
    sq_copy_col(st, 3, t->hash, sizeof t->hash);
    t->created_at = sqlite3_column_int64(st, 4);
    t->revoked_at = sqlite3_column_int64(st, 5);
}

static enum result token_one(struct sqlite_conn *c, enum stmt_id id, const char *key,
                             struct store_token *out)
{
    sqlite3_stmt *st = stmt(c, id);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_token(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, "token lookup");
    sqlite3_reset(st);
    return result;
}

static enum result sq_token_get(void *c, const char *id, struct store_token *out)
{
    return token_one(c, S_TOK_GET, id, out);
}

static enum result sq_token_find_hash(void *c, const char *hash, struct store_token *out)
{
    return token_one(c, S_TOK_FIND_HASH, hash, out);
}

static enum result sq_token_list(void *conn, store_token_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_LIST);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_token t;
        read_token(st, &t);
        int stop = cb(&t, ctx);
        store_token_free_fields(&t);
        if (stop)
            break;
    }
    enum result result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "token_list");
    sqlite3_reset(st);
    return result;
}

static enum result sq_token_revoke(void *conn, const char *id, int64_t now)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, S_TOK_REVOKE);
    if (!st)
        return ERR_UNAVAILABLE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "token_revoke");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

const struct store_backend store_backend_sqlite = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .migrate = sq_migrate,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .counter_next = sq_counter_next,
    .incident_insert = sq_incident_insert,
    .incident_update = sq_incident_update,
    .incident_get = sq_incident_get,
    .incident_list = sq_incident_list,
    .incident_count_open = sq_incident_count_open,
    .timeline_insert = sq_timeline_insert,
    .timeline_last = sq_timeline_last,
    .timeline_scan = sq_timeline_scan,
    .token_insert = sq_token_insert,
    .token_get = sq_token_get,
    .token_find_hash = sq_token_find_hash,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .integration_insert = sq_integration_insert,
    .integration_get = sq_integration_get,
    .integration_find_hash = sq_integration_find_hash,
    .integration_list = sq_integration_list,
    .integration_revoke = sq_integration_revoke,
    .incident_find_open_group = sq_incident_find_open_group,
    .alert_find_open = sq_alert_find_open,
    .alert_insert = sq_alert_insert,
    .alert_update = sq_alert_update,
    .alert_list = sq_alert_list,
    .alert_count_open = sq_alert_count_open,
    .silence_insert = sq_silence_insert,
    .silence_list = sq_silence_list,
    .silence_expire = sq_silence_expire,
    .heartbeat_touch = sq_heartbeat_touch,
    .heartbeat_list = sq_heartbeat_list,
    .probe_result_insert = sq_probe_result_insert,
    .probe_uptime = sq_probe_uptime,
    .probe_last = sq_probe_last,
    /* ---- table: oncall ---- */
    .override_insert = sq_override_insert,
    .override_get = sq_override_get,
    .override_list = sq_override_list,
    .override_find_overlap = sq_override_find_overlap,
    .override_remove = sq_override_remove,

    /* ---- table: notify ---- */
    .notification_insert = sq_notification_insert,
    .notification_get = sq_notification_get,
    .notification_update = sq_notification_update,
    .notification_due = sq_notification_due,
    .notification_next_due = sq_notification_next_due,
    .notification_list = sq_notification_list,
    .notification_members = sq_notification_members,
    .notification_last_sent = sq_notification_last_sent,
    .notification_attempt_insert = sq_notification_attempt_insert,
    .notification_attempts = sq_notification_attempts,

    /* ---- table: escalation ---- */
    .escalation_arm = sq_escalation_arm,
    .escalation_get = sq_escalation_get,
    .escalation_put = sq_escalation_put,
    .escalation_due = sq_escalation_due,
    .escalation_next_due = sq_escalation_next_due,
    .handoff_claim = sq_handoff_claim,

};
