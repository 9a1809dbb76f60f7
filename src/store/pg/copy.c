/*
 * store/pg/copy: the PostgreSQL side of `tocsin store copy` (store/copy.h,
 * docs/internals/store_copy.md): imports a stream of typed rows into an empty tocsin database.
 *
 * open: connects as the server's writer does (store_backend_pg.connect: the same URL checks and
 * messages), refuses a database where any table of the current schema but schema_migrations has a
 * row, applies the server's migrations (store_backend_pg.migrate, the code `tocsin serve` runs at
 * start), then BEGINs the one transaction the whole copy runs in, takes the migrations' advisory
 * lock in it (a server starting on this database meanwhile waits for the copy to end) and checks
 * emptiness again inside it.
 *
 * Rows go in with COPY ... FROM STDIN (text format), one COPY per table, naming the columns: each
 * source value is written as text for the target column of the same name, and PostgreSQL casts it
 * to that column's type (INTEGER -> BIGINT/INTEGER, REAL -> DOUBLE PRECISION, TEXT); a value for a
 * BYTEA column (a BLOB, or text) is sent as hex. Text that is not valid UTF-8, or holds a NUL, is
 * refused here, naming the table, row and column. A failure PostgreSQL reports (a constraint, a
 * value its column cannot take) names the table and the row (COPY's line number) or the key; the
 * transaction is then aborted and close() rolls it back: nothing is written. The timeline's
 * append-only triggers fire on UPDATE, DELETE and TRUNCATE only, so COPY (an INSERT) passes.
 *
 * reset_ids: every column that owns a sequence (an identity column, a serial) gets its sequence
 * set past the largest copied value, so a new row does not collide with a copied one. Sequences
 * are not transactional: this runs last, after the checks, right before COMMIT.
 */
#include "store/copy.h"
#include "store/pg/pg.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_LOCK "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK_KEY ")"

enum { ROW_CAP = 1 << 30 };

struct pg_sink {
    struct pg_conn *c;
    bool in_tx, committed;
    /* the table being copied */
    const struct copy_table *t;
    bool *bytea; /* by source column */
    bool copying;
    char failed[512]; /* a row refused here: ends the COPY with this message */
    struct buf line;
};

/* Runs sql (params: n texts); its result, or NULL with err set from PostgreSQL's message. */
static PGresult *run(struct pg_sink *s, const char *sql, int n, const char *const *params,
                     struct error *err)
{
    PGresult *res = PQexecParams(s->c->db, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    char msg[512];
    pg_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(s->c->db), msg, sizeof msg);
    error_set(err, ERR_UNAVAILABLE, "storage: PostgreSQL: %s", msg);
    PQclear(res);
    return NULL;
}

static char *quote_ident(struct pg_sink *s, const char *name)
{
    char *q = PQescapeIdentifier(s->c->db, name, strlen(name));
    char *out = xstrdup(q ? q : "\"\"");
    PQfreemem(q);
    return out;
}

static enum result count_rows(struct pg_sink *s, const char *table, int64_t *n, struct error *err)
{
    char *q = quote_ident(s, table);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", q);
    free(q);
    PGresult *res = run(s, sql, 0, NULL, err);
    if (!res)
        return ERR_UNAVAILABLE;
    *n = pg_col_int64(res, 0, 0);
    PQclear(res);
    return OK;
}

/* ERR_CONFLICT naming the first table of the current schema (schema_migrations aside) that has a
 * row. */
static enum result refuse_unless_empty(struct pg_sink *s, struct error *err)
{
    PGresult *res = run(s,
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename <> 'schema_migrations' ORDER BY tablename",
                        0, NULL, err);
    if (!res)
        return ERR_UNAVAILABLE;
    enum result result = OK;
    for (int i = 0; i < PQntuples(res) && result == OK; i++) {
        int64_t n = 0;
        const char *table = PQgetvalue(res, i, 0);
        result = count_rows(s, table, &n, err);
        if (result == OK && n > 0)
            result = error_set(err, ERR_CONFLICT,
                               "storage: the target database is not empty: table %s has %lld "
                               "rows; copy into a new, empty database",
                               table, (long long)n);
    }
    PQclear(res);
    return result;
}

static void pgc_close(void *dst)
{
    struct pg_sink *s = dst;
    if (!s)
        return;
    if (s->copying)
        PQputCopyEnd(s->c->db, "tocsin store copy: stopped");
    while (s->copying) {
        PGresult *res = PQgetResult(s->c->db);
        s->copying = res != NULL;
        PQclear(res);
    }
    if (s->in_tx && !s->committed)
        PQclear(PQexec(s->c->db, "ROLLBACK"));
    store_backend_pg.disconnect(s->c);
    buf_free(&s->line);
    free(s->bytea);
    free(s);
}

static void *pgc_open(const char *target, struct error *err)
{
    struct pg_sink *s = xcalloc(1, sizeof *s);
    buf_init(&s->line, ROW_CAP);
    s->c = store_backend_pg.connect(target, true, err);
    if (!s->c) {
        /* the server's message names its config key; here the URL is the target */
        const char *key = "storage.url: ";
        if (err && strncmp(err->message, key, strlen(key)) == 0) {
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message + strlen(key));
            error_set(err, err->code, "the target: %s", msg);
        }
        goto fail;
    }
    /* before the migrations: a database holding anything is not touched at all */
    if (refuse_unless_empty(s, err) != OK || store_backend_pg.migrate(s->c, err) != OK)
        goto fail;
    PGresult *res = run(s, "BEGIN", 0, NULL, err);
    if (!res)
        goto fail;
    PQclear(res);
    s->in_tx = true;
    /* the server's session timeouts (pg.c) are for requests: a big table's COPY may take longer */
    static const char *const untimed[] = {"SET LOCAL lock_timeout = 0",
                                          "SET LOCAL statement_timeout = 0",
                                          "SET LOCAL idle_in_transaction_session_timeout = 0"};
    for (size_t i = 0; i < sizeof untimed / sizeof untimed[0]; i++) {
        if (!(res = run(s, untimed[i], 0, NULL, err)))
            goto fail;
        PQclear(res);
    }
    res = run(s, COPY_LOCK, 0, NULL, err);
    if (!res)
        goto fail;
    PQclear(res);
    if (refuse_unless_empty(s, err) != OK)
        goto fail;
    return s;
fail:
    pgc_close(s);
    return NULL;
}

/* Which of t's columns are BYTEA in the target; ERR_UNPROCESSABLE naming a table or column the
 * target lacks (the two schemas differ). */
static enum result map_columns(struct pg_sink *s, const struct copy_table *t, struct error *err)
{
    char *q = quote_ident(s, t->name);
    const char *params[] = {q};
    PGresult *res = run(s,
                        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
                        1, params, err);
    free(q);
    if (!res)
        return ERR_UNAVAILABLE;
    enum result result = OK;
    if (PQntuples(res) == 0)
        result = error_set(err, ERR_UNPROCESSABLE,
                           "storage: the target has no table %s: its schema differs from the "
                           "source's; nothing was written",
                           t->name);
    free(s->bytea);
    s->bytea = xcalloc(t->ncols ? t->ncols : 1, sizeof *s->bytea);
    for (size_t c = 0; c < t->ncols && result == OK; c++) {
        bool found = false;
        for (int i = 0; i < PQntuples(res) && !found; i++)
            if (strcmp(PQgetvalue(res, i, 0), t->cols[c]) == 0) {
                found = true;
                s->bytea[c] = strcmp(PQgetvalue(res, i, 1), "bytea") == 0;
            }
        if (!found)
            result = error_set(err, ERR_UNPROCESSABLE,
                               "storage: the target's table %s has no column %s: its schema "
                               "differs from the source's; nothing was written",
                               t->name, t->cols[c]);
    }
    PQclear(res);
    return result;
}

static enum result pgc_table_begin(void *dst, const struct copy_table *t, struct error *err)
{
    struct pg_sink *s = dst;
    s->t = t;
    s->failed[0] = '\0';
    enum result result = map_columns(s, t, err);
    if (result != OK || t->ncols == 0)
        return result;
    struct buf sql;
    buf_init(&sql, ROW_CAP);
    char *q = quote_ident(s, t->name);
    buf_printf(&sql, "COPY %s (", q);
    free(q);
    for (size_t c = 0; c < t->ncols; c++) {
        q = quote_ident(s, t->cols[c]);
        buf_printf(&sql, "%s%s", c ? ", " : "", q);
        free(q);
    }
    buf_puts(&sql, ") FROM STDIN");
    PGresult *res = PQexec(s->c->db, sql.data);
    if (PQresultStatus(res) == PGRES_COPY_IN) {
        s->copying = true;
    } else {
        char msg[512];
        pg_one_line(PQresultErrorMessage(res), msg, sizeof msg);
        result = error_set(err, ERR_UNAVAILABLE, "storage: table %s: %s; nothing was written",
                           t->name, msg);
    }
    PQclear(res);
    buf_free(&sql);
    return result;
}

/* COPY's text format: backslash, newline, carriage return and tab escaped. */
static void put_text(struct buf *b, const char *p, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc = p[i] == '\\'   ? "\\\\"
                          : p[i] == '\n' ? "\\n"
                          : p[i] == '\r' ? "\\r"
                          : p[i] == '\t' ? "\\t"
                                         : NULL;
        if (!esc)
            continue;
        buf_append(b, p + start, i - start);
        buf_puts(b, esc);
        start = i + 1;
    }
    buf_append(b, p + start, len - start);
}

/* A BYTEA value: \x and two hex digits per byte (the backslash escaped for COPY). */
static void put_hex(struct buf *b, const unsigned char *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    buf_puts(b, "\\\\x");
    char pair[2];
    for (size_t i = 0; i < len; i++) {
        pair[0] = digits[p[i] >> 4];
        pair[1] = digits[p[i] & 15];
        buf_append(b, pair, 2);
    }
}

/* Appends one value; false (s->failed set) when it cannot be stored as text. */
static bool put_value(struct pg_sink *s, int64_t row, size_t c, const struct copy_value *v)
{
    struct buf *b = &s->line;
    switch (v->type) {
    case COPY_NULL:
        buf_puts(b, "\\N");
        return true;
    case COPY_INT:
        buf_printf(b, "%lld", (long long)v->i);
        return true;
    case COPY_REAL:
        buf_printf(b, "%.17g", v->r);
        return true;
    case COPY_TEXT:
    case COPY_BLOB:
        if (s->bytea[c]) {
            put_hex(b, v->p, v->len);
            return true;
        }
        if (!utf8_valid(v->p, v->len) || memchr(v->p, '\0', v->len)) {
            snprintf(s->failed, sizeof s->failed,
                     "table %s, row %lld, column %s: the text is not valid UTF-8 (or holds a "
                     "NUL byte), which PostgreSQL cannot store",
                     s->t->name, (long long)row, s->t->cols[c]);
            return false;
        }
        put_text(b, v->p, v->len);
        return true;
    }
    return true;
}

static enum result pgc_row(void *dst, int64_t row, const struct copy_value *v, size_t n,
                           struct error *err)
{
    struct pg_sink *s = dst;
    buf_reset(&s->line);
    for (size_t c = 0; c < n; c++) {
        if (c)
            buf_puts(&s->line, "\t");
        if (!put_value(s, row, c, &v[c]))
            return error_set(err, ERR_UNPROCESSABLE, "storage: %s; nothing was written", s->failed);
    }
    if (buf_puts(&s->line, "\n") != BUF_OK) {
        snprintf(s->failed, sizeof s->failed, "table %s, row %lld: the row is too large",
                 s->t->name, (long long)row);
        return error_set(err, ERR_TOO_LARGE, "storage: %s; nothing was written", s->failed);
    }
    if (PQputCopyData(s->c->db, s->line.data, (int)s->line.len) != 1) {
        char msg[256];
        pg_one_line(PQerrorMessage(s->c->db), msg, sizeof msg);
        snprintf(s->failed, sizeof s->failed, "table %s, row %lld: %s", s->t->name, (long long)row,
                 msg);
        return error_set(err, ERR_UNAVAILABLE, "storage: %s; nothing was written", s->failed);
    }
    return OK;
}

/* PostgreSQL's account of a failed COPY: the message, its detail (a foreign key's missing key)
 * and where, from the context "COPY t, line N, column c: ..." (line N is the N-th row sent,
 * counting from 1). */
static enum result copy_failed(struct pg_sink *s, const PGresult *res, struct error *err)
{
    char msg[256], detail[256] = "", where[160] = "";
    pg_one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof msg);
    const char *d = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
    const char *line = ctx ? strstr(ctx, ", line ") : NULL;
    if (d) {
        pg_one_line(d, detail, sizeof detail);
        size_t n = strlen(detail);
        if (n > 0 && detail[n - 1] == '.')
            detail[n - 1] = '\0';
    }
    if (line) {
        const char *col = strstr(line, ", column ");
        const char *colon = col ? strchr(col + 9, ':') : NULL;
        int len = colon ? (int)(colon - (col + 9)) : 0;
        snprintf(where, sizeof where, ", row %lld%s%.*s", strtoll(line + 7, NULL, 10),
                 len > 0 ? ", column " : "", len > 64 ? 64 : len, col ? col + 9 : "");
    }
    return error_set(err, ERR_CONFLICT, "storage: table %s%s: %s%s%s; nothing was written",
                     s->t->name, where, msg, detail[0] ? ": " : "", detail);
}

static enum result pgc_table_end(void *dst, struct error *err)
{
    struct pg_sink *s = dst;
    if (!s->copying)
        return OK;
    enum result result = OK;
    if (PQputCopyEnd(s->c->db, s->failed[0] ? s->failed : NULL) != 1)
        result = error_set(err, ERR_UNAVAILABLE, "storage: table %s: %s", s->t->name,
                           PQerrorMessage(s->c->db));
    PGresult *res;
    while ((res = PQgetResult(s->c->db)) != NULL) {
        if (result == OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            result = copy_failed(s, res, err);
        PQclear(res);
    }
    s->copying = false;
    return result;
}

static enum result pgc_count(void *dst, const char *table, int64_t *n, struct error *err)
{
    return count_rows(dst, table, n, err);
}

static enum result pgc_head(void *dst, struct copy_head *h, struct error *err)
{
    memset(h, 0, sizeof *h);
    h->empty = true;
    PGresult *res =
        run(dst, "SELECT seq, hash FROM timeline ORDER BY seq DESC LIMIT 1", 0, NULL, err);
    if (!res)
        return ERR_UNAVAILABLE;
    if (PQntuples(res) > 0) {
        h->empty = false;
        h->seq = pg_col_int64(res, 0, 0);
        pg_copy_col(res, 0, 1, h->hash, sizeof h->hash);
    }
    PQclear(res);
    return OK;
}

static enum result pgc_reset_ids(void *dst, struct error *err)
{
    struct pg_sink *s = dst;
    PGresult *cols = run(s,
                         "SELECT c.relname, a.attname, "
                         "pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
                         "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                         "WHERE c.relnamespace = current_schema()::regnamespace "
                         "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
                         "AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
                         "IS NOT NULL ORDER BY 1, 2",
                         0, NULL, err);
    if (!cols)
        return ERR_UNAVAILABLE;
    enum result result = OK;
    for (int i = 0; i < PQntuples(cols) && result == OK; i++) {
        char *table = quote_ident(s, PQgetvalue(cols, i, 0));
        char *col = quote_ident(s, PQgetvalue(cols, i, 1));
        char sql[1024];
        /* setval(seq, max + 1, false): the next id handed out is max + 1 */
        snprintf(sql, sizeof sql,
                 "SELECT setval($1::regclass, COALESCE((SELECT max(%s) FROM %s), 0) + 1, false)",
                 col, table);
        const char *params[] = {PQgetvalue(cols, i, 2)};
        PGresult *res = run(s, sql, 1, params, err);
        result = res ? OK : ERR_UNAVAILABLE;
        PQclear(res);
        free(table);
        free(col);
    }
    PQclear(cols);
    return result;
}

static enum result pgc_commit(void *dst, struct error *err)
{
    struct pg_sink *s = dst;
    PGresult *res = run(s, "COMMIT", 0, NULL, err);
    if (!res)
        return ERR_UNAVAILABLE;
    bool committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    PQclear(res);
    if (!committed)
        return error_set(err, ERR_UNAVAILABLE,
                         "storage: PostgreSQL did not commit the copy; nothing was written");
    s->committed = true;
    return OK;
}

const struct store_copy_sink store_copy_sink_pg = {
    .name = "postgres",
    .open = pgc_open,
    .table_begin = pgc_table_begin,
    .row = pgc_row,
    .table_end = pgc_table_end,
    .count = pgc_count,
    .head = pgc_head,
    .reset_ids = pgc_reset_ids,
    .commit = pgc_commit,
    .close = pgc_close,
};
