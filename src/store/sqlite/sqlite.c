/*
 * store/sqlite: the embedded backend's core. One SQLite file in WAL mode with synchronous=FULL, so
 * a COMMIT returns only once the WAL is on disk. The writer connection applies the migrations
 * embedded in the binary (sqlite/NNN_name.sql, in name order, each in its own transaction,
 * recorded in schema_migrations). Readers are separate connections (query_only).
 *
 * Statements are prepared once per connection and cached by slot (sqlite.h). The operations are
 * in one file per resource (incidents.c, timeline.c, credentials.c, alerts.c, ...), each ending
 * with its table store_sqlite_<resource>_ops.
 * Threads: a connection is used by one thread at a time (the writer, or its reader's owner).
 */
#include "store/sqlite/sqlite.h"
#include "embedded.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

enum stmt_id { S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO, S_COUNT };

static struct sq_stmt stmts[S_COUNT] = {
    [S_BEGIN] = {"BEGIN IMMEDIATE"}, [S_COMMIT] = {"COMMIT"},
    [S_ROLLBACK] = {"ROLLBACK"},     [S_SAVEPOINT] = {"SAVEPOINT job"},
    [S_RELEASE] = {"RELEASE job"},   [S_ROLLBACK_TO] = {"ROLLBACK TO job"},
};

enum result sq_fail(struct sqlite_conn *c, const char *what)
{
    if (c->bind_rc != SQLITE_OK) {
        log_error("sqlite: %s: a value could not be bound: %s (%d)", what,
                  sqlite3_errstr(c->bind_rc), c->bind_rc);
        return ERR_UNAVAILABLE;
    }
    int code = sqlite3_extended_errcode(c->db);
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return ERR_CONFLICT;
    log_error("sqlite: %s: %s (%d)", what, sqlite3_errmsg(c->db), code);
    return ERR_UNAVAILABLE;
}

sqlite3_stmt *sq_prepare(struct sqlite_conn *c, struct sq_stmt *s)
{
    int slot = store_stmt_slot(&s->slot);
    if (slot >= c->nstmts) {
        int n = slot + 16;
        c->stmts = xrealloc(c->stmts, (size_t)n * sizeof *c->stmts);
        memset(c->stmts + c->nstmts, 0, (size_t)(n - c->nstmts) * sizeof *c->stmts);
        c->nstmts = n;
    }
    if (!c->stmts[slot] && sqlite3_prepare_v3(c->db, s->sql, -1, SQLITE_PREPARE_PERSISTENT,
                                              &c->stmts[slot], NULL) != SQLITE_OK) {
        log_error("sqlite: prepare \"%.40s\": %s", s->sql, sqlite3_errmsg(c->db));
        return NULL;
    }
    sqlite3_reset(c->stmts[slot]);
    sqlite3_clear_bindings(c->stmts[slot]);
    c->bind_rc = SQLITE_OK;
    return c->stmts[slot];
}

int sq_step(struct sqlite_conn *c, sqlite3_stmt *st)
{
    return c->bind_rc == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
}

static void bound(struct sqlite_conn *c, int rc)
{
    if (rc != SQLITE_OK && c->bind_rc == SQLITE_OK)
        c->bind_rc = rc;
}

void sq_bind_text(struct sqlite_conn *c, sqlite3_stmt *st, int i, const char *s)
{
    bound(c, s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i));
}

void sq_bind_time(struct sqlite_conn *c, sqlite3_stmt *st, int i, int64_t t)
{
    bound(c, t ? sqlite3_bind_int64(st, i, t) : sqlite3_bind_null(st, i));
}

void sq_bind_int64(struct sqlite_conn *c, sqlite3_stmt *st, int i, int64_t v)
{
    bound(c, sqlite3_bind_int64(st, i, v));
}

void sq_bind_double(struct sqlite_conn *c, sqlite3_stmt *st, int i, double v)
{
    bound(c, sqlite3_bind_double(st, i, v));
}

enum result sq_run(struct sqlite_conn *c, sqlite3_stmt *st, bool must_change, const char *what)
{
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, what);
    if (result == OK && must_change && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

/* Runs a statement that returns no rows. */
static enum result exec_stmt(struct sqlite_conn *c, enum stmt_id id)
{
    sqlite3_stmt *st = sq_prepare(c, &stmts[id]);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc = sqlite3_step(st);
    enum result result = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? OK : sq_fail(c, stmts[id].sql);
    sqlite3_reset(st);
    return result;
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
 * timeline tables and of their indexes, the dedup index leaf), so 1 MiB holds the working set;
 * 8 MiB made the writer's cache the largest part of the process's memory with 100k alerts stored,
 * and 2 MiB was still 1.1 MiB of the 21 MiB RSS with 100k alerts against Alertmanager's ~200 MiB
 * (issue 15, docs/BENCHMARKS.md). Pages it misses come from the OS page cache (a pread). */
enum { WRITER_CACHE_KIB = 1024 };

enum {
    WAL_AUTOCHECKPOINT = 1000,
    WAL_PAGE_SIZE = 4096,
    WAL_PREALLOC_BYTES = 32 + (WAL_AUTOCHECKPOINT + 256) * (WAL_PAGE_SIZE + 24)
};

/* Preallocation never fills a disk: it is skipped (with a warning) unless the file system keeps
 * WAL_PREALLOC_MIN_FREE bytes free beyond it (docs/security.md). */
enum { WAL_PREALLOC_MIN_FREE = 64 * 1024 * 1024 };

static bool room_for(const char *target, sqlite3_int64 need)
{
    struct statvfs vfs;
    if (statvfs(target, &vfs) != 0) {
        log_warn("sqlite: cannot read the free space for %s (%s): the WAL is not preallocated",
                 target, strerror(errno));
        return false;
    }
    unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    if (avail < (unsigned long long)need + WAL_PREALLOC_MIN_FREE) {
        log_warn("sqlite: only %llu bytes free for %s: the WAL is not preallocated (%lld bytes), "
                 "commits may be slower",
                 avail, target, (long long)need);
        return false;
    }
    return true;
}

static void wal_preallocate(struct sqlite_conn *c, const char *target)
{
    sqlite3_file *wal = NULL;
    sqlite3_int64 size = 0;
    if (sqlite3_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK ||
        !wal || !wal->pMethods || wal->pMethods->xFileSize(wal, &size) != SQLITE_OK)
        return; /* not fatal: commits are only slower */
    if (size >= WAL_PREALLOC_BYTES || !room_for(target, WAL_PREALLOC_BYTES - size))
        return;
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

/* PRAGMA quick_check / integrity_check: "ok", or up to CHECK_MAX_PROBLEMS lines of problems,
 * gathered into err. A database too damaged to run the pragma at all fails with SQLite's reason
 * (usually "database disk image is malformed"). */
enum { CHECK_MAX_PROBLEMS = 10 };

static enum result sq_check(void *conn, bool full, struct error *err)
{
    struct sqlite_conn *c = conn;
    const char *what = full ? "integrity_check" : "quick_check";
    char sql[64], problems[sizeof err->message - 128] = "";
    size_t used = 0;
    snprintf(sql, sizeof sql, "PRAGMA %s(%d)", what, CHECK_MAX_PROBLEMS);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0 && used + 3 < sizeof problems)
            used += (size_t)snprintf(problems + used, sizeof problems - used, "%s%s",
                                     used ? "; " : "", line);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_OK && !problems[0])
        snprintf(problems, sizeof problems, "%s", sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    if (problems[0])
        return error_set(err, ERR_UNAVAILABLE, "storage: %s of %s failed: %s", what,
                         sqlite3_db_filename(c->db, "main"), problems);
    return OK;
}

/* SQLite's online backup API in one step: one read transaction over the whole file (a WAL
 * reader, so the server's writer is not blocked, and the copy is the database as of one commit),
 * page by page into dest, which must not exist (created here, 0600 by the caller's umask). The
 * source connection only reads (the check connection is query_only). */
static enum result sq_backup(void *conn, const char *dest, struct error *err)
{
    struct sqlite_conn *c = conn;
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_set(err, ERR_UNPROCESSABLE, "storage: backup: cannot create %s: %s", dest,
                         strerror(errno));
    close(fd);
    sqlite3 *out = NULL;
    enum result result = OK;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(out, "main", c->db, "main") : NULL;
    if (b) {
        rc = sqlite3_backup_step(b, -1);
        int fin = sqlite3_backup_finish(b);
        if (rc == SQLITE_DONE)
            rc = fin;
    }
    if (!b || (rc != SQLITE_OK && rc != SQLITE_DONE))
        result = error_set(err, ERR_UNAVAILABLE, "storage: backup of %s into %s failed: %s",
                           sqlite3_db_filename(c->db, "main"), dest,
                           out ? sqlite3_errmsg(out) : "cannot open it");
    if (result == OK &&
        sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        result =
            error_set(err, ERR_UNAVAILABLE, "storage: backup: %s: %s", dest, sqlite3_errmsg(out));
    sqlite3_close(out);
    if (result != OK)
        unlink(dest);
    return result;
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
    /* a reader never checkpoints when it closes (the writer does): `tocsin store check` on a
     * stopped server's file must not write to it */
    if (!writer)
        sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
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
    /* the writer checks the file before it writes anything to it (docs/security.md) */
    if (writer && sq_check(c, false, err) != OK) {
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    if (writer)
        wal_preallocate(c, target);
    return c;
}

static void sq_disconnect(void *conn)
{
    struct sqlite_conn *c = conn;
    if (!c)
        return;
    for (int i = 0; i < c->nstmts; i++)
        sqlite3_finalize(c->stmts[i]);
    free(c->stmts);
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
        found = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW;
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

const struct store_backend store_backend_sqlite = {
    .name = "sqlite",
    .id = STORE_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .migrate = sq_migrate,
    .check = sq_check,
    .backup = sq_backup,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
};
