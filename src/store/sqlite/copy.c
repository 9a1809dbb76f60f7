/*
 * store/sqlite/copy: the SQLite side of `tocsin store copy` (store/copy.h): exports a SQLite store,
 * offline and read-only, as a stream of typed rows.
 *
 * Offline: a tocsin server keeps its database open for as long as it runs, and SQLite in WAL mode
 * holds a POSIX read lock on the database file's "shared" lock bytes for as long as a connection
 * is open (the lock-byte range starting at 0x40000000: PENDING, RESERVED, then 510 SHARED bytes).
 * Before SQLite opens the file here, F_GETLK asks whether another process holds any of those bytes
 * (it takes no lock itself); if one does, the copy is refused, naming its pid. The probe's own
 * descriptor is closed before SQLite opens the file (closing a descriptor drops every POSIX lock
 * the process holds on the file, which would otherwise break SQLite's).
 *
 * Read-only: the file is opened SQLITE_OPEN_READONLY, and every read runs in one read transaction
 * opened in open(), so the rows, the counts and the chain head all come from one snapshot.
 *
 * Current: the file's schema_migrations must name exactly the SQLite migrations this binary
 * carries: fewer (an older tocsin wrote it) asks the user to start the server on it once to
 * migrate it; one this binary does not know (a newer tocsin) is refused.
 */
#include "store/copy.h"
#include "embedded.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGR_PREFIX "sqlite/"

/* SQLite's lock bytes (its file format: the "lock-byte page"). */
enum { LOCK_PENDING_BYTE = 0x40000000, LOCK_RANGE = 512 };

struct sq_source {
    sqlite3 *db;
    char *path;
};

/* OK when no other process holds a lock on the file's lock bytes. */
static enum result refuse_if_in_use(const char *path, struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, ERR_NOT_FOUND, "storage: cannot open the SQLite database %s: %s",
                         path, strerror(errno));
    struct flock fl = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = LOCK_PENDING_BYTE, .l_len = LOCK_RANGE};
    enum result result = OK;
    if (fcntl(fd, F_GETLK, &fl) != 0)
        result = error_set(err, ERR_UNAVAILABLE, "storage: cannot check the locks on %s: %s", path,
                           strerror(errno));
    else if (fl.l_type != F_UNLCK)
        result = error_set(err, ERR_CONFLICT,
                           "storage: %s is in use by process %ld (a running tocsin server?): stop "
                           "the server before copying its database",
                           path, (long)fl.l_pid);
    close(fd);
    return result;
}

static enum result sq_error(struct sq_source *s, const char *what, struct error *err)
{
    return error_set(err, ERR_UNAVAILABLE, "storage: %s: %s: %s", s->path, what,
                     sqlite3_errmsg(s->db));
}

/* The file's migrations against this binary's (see the top of this file). */
static enum result check_migrations(struct sq_source *s, struct error *err)
{
    sqlite3_stmt *st = NULL;
    enum result result = OK;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM schema_migrations ORDER BY name", -1, &st,
                           NULL) != SQLITE_OK) {
        result =
            error_set(err, ERR_UNPROCESSABLE, "storage: %s is not a tocsin SQLite database: %s",
                      s->path, sqlite3_errmsg(s->db));
        goto out;
    }
    int rc = SQLITE_DONE;
    while (result == OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        bool known = false;
        for (size_t i = 0; name && i < embedded_migrations_count && !known; i++)
            known = strncmp(name, MIGR_PREFIX, strlen(MIGR_PREFIX)) == 0 &&
                    strcmp(embedded_migrations[i].name, name) == 0;
        if (!known)
            result = error_set(err, ERR_CONFLICT,
                               "storage: the SQLite database's schema is newer than this tocsin: "
                               "it has migration %s, which this binary does not know; copy it "
                               "with the tocsin that wrote it",
                               name ? name : "(null)");
    }
    if (result == OK && rc != SQLITE_DONE)
        result = sq_error(s, "reading schema_migrations", err);
    for (size_t i = 0; result == OK && i < embedded_migrations_count; i++) {
        const char *name = embedded_migrations[i].name;
        if (strncmp(name, MIGR_PREFIX, strlen(MIGR_PREFIX)) != 0)
            continue;
        bool found = false;
        sqlite3_reset(st);
        while (!found && sqlite3_step(st) == SQLITE_ROW) {
            const char *have = (const char *)sqlite3_column_text(st, 0);
            found = have && strcmp(have, name) == 0;
        }
        if (!found)
            result = error_set(err, ERR_CONFLICT,
                               "storage: the SQLite database's schema is older than this tocsin "
                               "(migration %s is not applied): start `tocsin serve` on it once so "
                               "that it migrates, stop it, then copy again",
                               name);
    }
out:
    sqlite3_finalize(st);
    return result;
}

static void sqc_close(void *src)
{
    struct sq_source *s = src;
    if (!s)
        return;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static void *sqc_open(const char *path, struct error *err)
{
    if (refuse_if_in_use(path, err) != OK)
        return NULL;
    struct sq_source *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        error_set(err, ERR_UNAVAILABLE, "storage: cannot open the SQLite database %s: %s", path,
                  s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* one read transaction for everything: its snapshot starts at the first read below */
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        sq_error(s, "cannot start a read transaction", err);
        goto fail;
    }
    if (check_migrations(s, err) != OK)
        goto fail;
    return s;
fail:
    sqc_close(s);
    return NULL;
}

/* Appends the text of column 0 of each row of `sql` (its ?1 bound to `param`) to *out. */
static enum result collect_names(struct sq_source *s, const char *sql, const char *param,
                                 char ***out, size_t *n, struct error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_error(s, "reading the schema", err);
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = xstrdup(name ? name : "");
    }
    enum result result = rc == SQLITE_DONE ? OK : sq_error(s, "reading the schema", err);
    sqlite3_finalize(st);
    return result;
}

static enum result sqc_schema(void *src, struct copy_schema *out, struct error *err)
{
    struct sq_source *s = src;
    char **names = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    enum result result = collect_names(s,
                                       "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                       "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
                                       "name <> 'schema_migrations' ORDER BY name",
                                       NULL, &names, &n, err);
    out->tables = xcalloc(n ? n : 1, sizeof *out->tables);
    for (size_t i = 0; i < n; i++) {
        struct copy_table *t = &out->tables[out->n++];
        t->name = names[i];
        if (result == OK)
            result = collect_names(s, "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
                                   t->name, &t->cols, &t->ncols, err);
        if (result == OK)
            result = collect_names(s, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)",
                                   t->name, &t->refs, &t->nrefs, err);
    }
    free(names);
    if (result != OK)
        copy_schema_free(out);
    return result;
}

static void column_value(sqlite3_stmt *st, int i, struct copy_value *v)
{
    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        v->type = COPY_INT;
        v->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        v->type = COPY_REAL;
        v->r = sqlite3_column_double(st, i);
        break;
    case SQLITE_TEXT:
        v->type = COPY_TEXT;
        v->p = sqlite3_column_text(st, i);
        v->len = (size_t)sqlite3_column_bytes(st, i);
        break;
    case SQLITE_BLOB:
        v->type = COPY_BLOB;
        v->p = sqlite3_column_blob(st, i);
        v->len = (size_t)sqlite3_column_bytes(st, i);
        break;
    default:
        v->type = COPY_NULL;
    }
}

/* SELECT "c1", "c2", ... FROM "t" (identifiers quoted, their quotes doubled). */
static char *select_sql(const struct copy_table *t)
{
    size_t cap = strlen(t->name) * 2 + 32;
    for (size_t c = 0; c < t->ncols; c++)
        cap += strlen(t->cols[c]) * 2 + 4;
    char *sql = xmalloc(cap), *p = sql;
    p += snprintf(p, cap, "SELECT ");
    for (size_t c = 0; c < t->ncols; c++) {
        char *q = sqlite3_mprintf("%s\"%w\"", c ? ", " : "", t->cols[c]);
        p += snprintf(p, cap - (size_t)(p - sql), "%s", q ? q : "");
        sqlite3_free(q);
    }
    char *q = sqlite3_mprintf(" FROM \"%w\"", t->name);
    snprintf(p, cap - (size_t)(p - sql), "%s", q ? q : "");
    sqlite3_free(q);
    return sql;
}

static enum result sqc_rows(void *src, const struct copy_table *t, copy_row_fn fn, void *arg,
                            struct error *err)
{
    struct sq_source *s = src;
    if (t->ncols == 0)
        return OK;
    char *sql = select_sql(t);
    sqlite3_stmt *st = NULL;
    struct copy_value *vals = xcalloc(t->ncols, sizeof *vals);
    enum result result = OK;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        result = sq_error(s, t->name, err);
        goto out;
    }
    int rc = SQLITE_DONE;
    int64_t row = 0;
    while (result == OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (size_t c = 0; c < t->ncols; c++)
            column_value(st, (int)c, &vals[c]);
        result = fn(arg, ++row, vals, t->ncols, err);
    }
    if (result == OK && rc != SQLITE_DONE)
        result = sq_error(s, t->name, err);
out:
    sqlite3_finalize(st);
    free(vals);
    free(sql);
    return result;
}

static enum result sqc_count(void *src, const char *table, int64_t *n, struct error *err)
{
    struct sq_source *s = src;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
    sqlite3_stmt *st = NULL;
    enum result result = OK;
    if (!sql || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        result = sq_error(s, table, err);
    else
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return result;
}

static enum result sqc_head(void *src, struct copy_head *h, struct error *err)
{
    struct sq_source *s = src;
    sqlite3_stmt *st = NULL;
    memset(h, 0, sizeof *h);
    h->empty = true;
    enum result result = OK;
    if (sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM timeline ORDER BY seq DESC LIMIT 1", -1,
                           &st, NULL) != SQLITE_OK)
        return sq_error(s, "the timeline's chain head", err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *hash = sqlite3_column_text(st, 1);
        h->empty = false;
        h->seq = sqlite3_column_int64(st, 0);
        snprintf(h->hash, sizeof h->hash, "%s", hash ? (const char *)hash : "");
    } else if (rc != SQLITE_DONE) {
        result = sq_error(s, "the timeline's chain head", err);
    }
    sqlite3_finalize(st);
    return result;
}

const struct store_copy_source store_copy_source_sqlite = {
    .name = "sqlite",
    .open = sqc_open,
    .schema = sqc_schema,
    .rows = sqc_rows,
    .count = sqc_count,
    .head = sqc_head,
    .close = sqc_close,
};
