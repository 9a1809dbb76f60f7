/*
 * store/pg: the PostgreSQL backend's core (docs/internals/store_pg.md). The target is a libpq
 * connection string or URL. The writer connection applies the migrations embedded in the binary
 * (pg/NNN_name.sql, in name order, each in its own transaction, recorded in schema_migrations);
 * every such transaction first takes one transaction-scoped advisory lock, so servers starting at
 * once against one database apply each migration once. A database that records a migration this
 * binary does not know (a newer tocsin's) is refused.
 *
 * Transactions are READ COMMITTED ("BEGIN"): one node has one writer connection, and its jobs are
 * serialised by the store's writer thread, so no two of our transactions write concurrently.
 * synchronous_commit is set on for the writer: a COMMIT returns after the WAL flush. Readers are
 * separate connections with default_transaction_read_only on.
 *
 * Invariants: a statement never runs with a missing parameter (pg.h); a COMMIT that PostgreSQL
 * answers with ROLLBACK (the transaction had failed) is ERR_UNAVAILABLE, never OK. A statement
 * that fails inside a transaction aborts the whole PostgreSQL transaction (SQLite undoes only the
 * statement): the store's writer then rolls the job back (savepoint) or the batch.
 * Threads: a connection is used by one thread at a time (the writer, or its reader's owner).
 */
#include "store/pg/pg.h"
#include "embedded.h"
#include "util/log.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The advisory lock that serialises migrations ("tocsin" in ASCII). */
#define MIGRATE_LOCK                                                                               \
    "SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0; "                                \
    "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK_KEY ")"
/* The chain-head lock: every write transaction of every node takes it first (pgs_begin), so the
 * nodes' writers run one after another, as one node's jobs do: the timeline stays one chain,
 * due work read inside a write transaction is claimed by it, and no two writers can deadlock
 * (docs/internals/multinode.md). "tocsin" + 1. */
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(127978830768495)"
/* How long a statement may wait for a lock, and run, before it fails (ERR_UNAVAILABLE, a 503):
 * a session elsewhere holding a table lock must not hang the server's writer for ever. */
#define SESSION_TIMEOUTS                                                                           \
    "SET lock_timeout = '5s'; SET statement_timeout = '30s'; "                                     \
    "SET idle_in_transaction_session_timeout = '30s'; "
/* Seconds a connection attempt (at start, or a reset) may take unless the URL says otherwise
 * (connect_timeout): an unreachable server must not hold the writer for ever. */
#define CONNECT_TIMEOUT_S "5"
#define MIGR_PREFIX "pg/"

static enum result exec_simple(struct pg_conn *c, const char *sql, struct error *err);
static const char *session_sql(bool writer);

/* PostgreSQL's messages end with a newline; logs and errors want one line. */
void pg_one_line(const char *msg, char *out, size_t n)
{
    snprintf(out, n, "%s", msg ? msg : "");
    size_t len = strlen(out);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
}

/* Maps a failed result: an integrity constraint (SQLSTATE class 23: unique, check, not null,
 * foreign key, the timeline's append-only trigger) is ERR_CONFLICT, as SQLite's
 * SQLITE_CONSTRAINT is; anything else is logged and ERR_UNAVAILABLE. */
static enum result pg_fail(struct pg_conn *c, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strncmp(state, "23", 2) == 0)
        return ERR_CONFLICT;
    char msg[512];
    pg_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(c->db), msg, sizeof msg);
    log_error("pg: %s: %s (%s)", what, msg[0] ? msg : PQerrorMessage(c->db), state ? state : "-");
    return ERR_UNAVAILABLE;
}

/* Prepares s on c as "s<slot>" unless it already is. */
static bool ensure_prepared(struct pg_conn *c, struct pg_stmt *s, char *name, size_t n)
{
    int slot = store_stmt_slot(&s->slot);
    snprintf(name, n, "s%d", slot);
    if (slot >= c->nprepared) {
        int grown = slot + 16;
        c->prepared = xrealloc(c->prepared, (size_t)grown * sizeof *c->prepared);
        memset(c->prepared + c->nprepared, 0, (size_t)(grown - c->nprepared) * sizeof(bool));
        c->nprepared = grown;
    }
    if (c->prepared[slot])
        return true;
    PGresult *res = PQprepare(c->db, name, s->sql, 0, NULL);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        char msg[512];
        pg_one_line(PQresultErrorMessage(res), msg, sizeof msg);
        log_error("pg: prepare \"%.60s\": %s", s->sql, msg);
    }
    PQclear(res);
    c->prepared[slot] = ok;
    return ok;
}

void pg_query_init(struct pg_query *q, struct pg_conn *c, struct pg_stmt *s)
{
    q->c = c;
    q->s = s;
    q->n = 0;
    q->overflow = false;
    q->bad_text = false;
}

/* The next parameter's slot, or -1 (the query is marked not to run) past PG_MAX_PARAMS. */
static int next_param(struct pg_query *q)
{
    if (q->n >= PG_MAX_PARAMS) {
        q->overflow = true;
        return -1;
    }
    return q->n++;
}

void pg_param_text(struct pg_query *q, const char *s)
{
    int i = next_param(q);
    if (i < 0)
        return;
    q->values[i] = s;
    if (s && !utf8_valid(s, strlen(s)))
        q->bad_text = true;
}

void pg_param_int64(struct pg_query *q, int64_t v)
{
    int i = next_param(q);
    if (i < 0)
        return;
    snprintf(q->nums[i], sizeof q->nums[i], "%lld", (long long)v);
    q->values[i] = q->nums[i];
}

void pg_param_time(struct pg_query *q, int64_t t)
{
    if (t)
        pg_param_int64(q, t);
    else
        pg_param_text(q, NULL);
}

void pg_param_bool(struct pg_query *q, bool b)
{
    pg_param_int64(q, b ? 1 : 0);
}

void pg_param_double(struct pg_query *q, double v)
{
    int i = next_param(q);
    if (i < 0)
        return;
    snprintf(q->nums[i], sizeof q->nums[i], "%.17g", v);
    q->values[i] = q->nums[i];
}

/* A query with a text parameter that is not valid UTF-8: an empty result (no rows, no row
 * changed) without asking the server, or a failure for an INSERT. */
static PGresult *unmatchable(struct pg_query *q, enum result *result, const char *what)
{
    const char *sql = q->s->sql;
    while (*sql == ' ' || *sql == '\n')
        sql++;
    if (strncasecmp(sql, "INSERT", 6) == 0) {
        log_error("pg: %s: a text value is not valid UTF-8; nothing was stored", what);
        *result = ERR_UNAVAILABLE;
        return NULL;
    }
    PGresult *res = PQmakeEmptyPGresult(q->c->db, PGRES_TUPLES_OK);
    *result = res ? OK : ERR_UNAVAILABLE;
    return res;
}

/* Is c connected? A lost connection (the server restarted, the network dropped it) is reset here,
 * outside a transaction only: inside one, the transaction died with the connection and its
 * statements must not go on in a new session as if nothing happened. After a reset the
 * connection's prepared statements are gone (prepared again at first use) and its session
 * settings are set again. A reset takes at most CONNECT_TIMEOUT_S (a refused connection fails at
 * once), so it is simply tried at each use while the server is away. */
bool pg_usable(struct pg_conn *c)
{
    if (c->session_ok && PQstatus(c->db) == CONNECTION_OK)
        return true;
    if (c->in_tx)
        return false;
    c->session_ok = false;
    if (PQstatus(c->db) != CONNECTION_OK) {
        PQreset(c->db);
        if (PQstatus(c->db) != CONNECTION_OK) {
            char msg[512];
            pg_one_line(PQerrorMessage(c->db), msg, sizeof msg);
            log_error("pg: the connection to PostgreSQL is lost: %s", msg);
            return false;
        }
        memset(c->prepared, 0, (size_t)c->nprepared * sizeof *c->prepared);
    }
    struct error err = {0};
    if (PQsetClientEncoding(c->db, "UTF8") != 0 ||
        exec_simple(c, session_sql(c->writer), &err) != OK) {
        log_error("pg: reconnected, but the session cannot be set up: %s", err.message);
        return false;
    }
    c->session_ok = true;
    log_info("pg: reconnected to PostgreSQL");
    return true;
}

/* After a failed statement outside a transaction: was the connection lost, and is it back now
 * (reset at once)? Then the statement may run again: nothing of it ran. */
static bool lost(struct pg_conn *c)
{
    if (c->in_tx || PQstatus(c->db) == CONNECTION_OK)
        return false;
    return pg_usable(c);
}

PGresult *pg_query_exec(struct pg_query *q, enum result *result, const char *what)
{
    char name[24];
    if (!pg_usable(q->c)) {
        *result = ERR_UNAVAILABLE;
        return NULL;
    }
    if (q->overflow) {
        log_error("pg: %s: a value could not be bound: more than %d parameters", what,
                  PG_MAX_PARAMS);
        *result = ERR_UNAVAILABLE;
        return NULL;
    }
    if (q->bad_text) /* matches nothing, or cannot be stored (pg.h) */
        return unmatchable(q, result, what);
    if (!ensure_prepared(q->c, q->s, name, sizeof name) &&
        !(lost(q->c) && ensure_prepared(q->c, q->s, name, sizeof name))) {
        *result = ERR_UNAVAILABLE;
        return NULL;
    }
    PGresult *res = PQexecPrepared(q->c->db, name, q->n, q->values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && lost(q->c) &&
        ensure_prepared(q->c, q->s, name, sizeof name)) { /* a reader, reconnected: once more */
        PQclear(res);
        res = PQexecPrepared(q->c->db, name, q->n, q->values, NULL, NULL, 0);
        st = PQresultStatus(res);
    }
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *result = OK;
        return res;
    }
    *result = pg_fail(q->c, res, what);
    PQclear(res);
    return NULL;
}

enum result pg_query_run(struct pg_query *q, bool must_change, const char *what)
{
    enum result result = OK;
    PGresult *res = pg_query_exec(q, &result, what);
    if (!res)
        return result;
    const char *changed = PQcmdTuples(res);
    if (must_change && (!changed[0] || strcmp(changed, "0") == 0))
        result = ERR_NOT_FOUND;
    PQclear(res);
    return result;
}

char *pg_col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

const char *pg_text_or_empty(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

int64_t pg_col_int64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_col_double(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtod(PQgetvalue(r, row, col), NULL);
}

/* A 0/1 INTEGER as stored, or a PostgreSQL boolean ("t"/"f") from an expression. */
bool pg_col_bool(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return false;
    const char *v = PQgetvalue(r, row, col);
    return v[0] == 't' || strtoll(v, NULL, 10) != 0;
}

bool pg_col_is_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

void pg_copy_col(const PGresult *r, int row, int col, char *out, size_t n)
{
    snprintf(out, n, "%s", pg_text_or_empty(r, row, col));
}

/* Runs one SQL text (simple protocol; it may hold several statements). */
static enum result exec_simple(struct pg_conn *c, const char *sql, struct error *err)
{
    PGresult *res = PQexec(c->db, sql);
    ExecStatusType st = PQresultStatus(res);
    enum result result = OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        pg_one_line(PQresultErrorMessage(res), msg, sizeof msg);
        result = error_set(err, ERR_UNAVAILABLE, "storage: %s", msg);
    }
    PQclear(res);
    return result;
}

/* The session's settings: the writer's commits wait for the WAL flush; readers cannot write. */
static const char *session_sql(bool writer)
{
    return writer ? SESSION_TIMEOUTS
               "SET synchronous_commit = on; SET client_min_messages = warning"
                  : SESSION_TIMEOUTS
               "SET default_transaction_read_only = on; SET client_min_messages = warning";
}

static void *pgs_connect(const char *target, bool writer, struct error *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(target ? target : "", &perr);
    if (!opts) {
        char msg[512];
        pg_one_line(perr ? perr : "out of memory", msg, sizeof msg);
        error_set(err, ERR_UNAVAILABLE, "storage.url: not a PostgreSQL connection URL: %s", msg);
        PQfreemem(perr);
        return NULL;
    }
    PQconninfoFree(opts);
    struct pg_conn *c = xcalloc(1, sizeof *c);
    /* connect_timeout first: a value in the URL (expanded from dbname) overrides it */
    /* A host that dies or is cut off with the write lock held must not keep it for the kernel's
     * two-hour keepalive: TCP keepalives every few seconds and tcp_user_timeout end that session
     * within half a minute on PostgreSQL's side too (idle_in_transaction_session_timeout). */
    static const char *const keys[] = {
        "connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "dbname",          NULL};
    const char *vals[] = {CONNECT_TIMEOUT_S, "1", "10", "5", "3", "30000", target, NULL};
    c->db = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c->db) != CONNECTION_OK) {
        char msg[512];
        pg_one_line(c->db ? PQerrorMessage(c->db) : "out of memory", msg, sizeof msg);
        error_set(err, ERR_UNAVAILABLE, "storage: cannot connect to PostgreSQL: %s", msg);
        goto fail;
    }
    if (PQsetClientEncoding(c->db, "UTF8") != 0) {
        error_set(err, ERR_UNAVAILABLE, "storage: PostgreSQL: cannot use UTF8");
        goto fail;
    }
    c->writer = writer;
    if (exec_simple(c, session_sql(writer), err) != OK)
        goto fail;
    c->session_ok = true;
    return c;
fail:
    PQfinish(c->db);
    free(c);
    return NULL;
}

static void pgs_disconnect(void *conn)
{
    struct pg_conn *c = conn;
    if (!c)
        return;
    PQfinish(c->db);
    free(c->prepared);
    free(c);
}

/* Is a name among this binary's migrations? */
static bool known_migration(const char *name)
{
    for (size_t i = 0; i < embedded_migrations_count; i++)
        if (strcmp(embedded_migrations[i].name, name) == 0)
            return true;
    return false;
}

/* Runs sql with one text parameter; the result (PQclear it) or NULL with err set. */
static PGresult *exec_param(struct pg_conn *c, const char *sql, const char *param,
                            struct error *err)
{
    PGresult *res = PQexecParams(c->db, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    char msg[512];
    pg_one_line(PQresultErrorMessage(res), msg, sizeof msg);
    error_set(err, ERR_UNAVAILABLE, "storage: %s", msg);
    PQclear(res);
    return NULL;
}

/* Creates schema_migrations (under the lock) and refuses a database that a newer tocsin has
 * migrated: a migration recorded there that this binary does not carry. */
static enum result prepare_migrations(struct pg_conn *c, struct error *err)
{
    enum result result = exec_simple(c,
                                     "BEGIN; " MIGRATE_LOCK "; "
                                     "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT "
                                     "PRIMARY KEY, applied_at BIGINT NOT NULL)",
                                     err);
    if (result != OK)
        goto out;
    PGresult *res = exec_param(c, "SELECT name FROM schema_migrations ORDER BY name", NULL, err);
    if (!res) {
        result = ERR_UNAVAILABLE;
        goto out;
    }
    for (int i = 0; i < PQntuples(res) && result == OK; i++) {
        const char *name = PQgetvalue(res, i, 0);
        if (!known_migration(name))
            result = error_set(err, ERR_UNAVAILABLE,
                               "storage: the database's schema is newer than this tocsin: it has "
                               "migration %s, which this binary does not know; run a newer tocsin",
                               name);
    }
    PQclear(res);
    if (result == OK)
        result = exec_simple(c, "COMMIT", err);
out:
    if (result != OK)
        exec_simple(c, "ROLLBACK", NULL);
    return result;
}

/* Applies one migration in its own transaction, under the lock, unless it is recorded already
 * (another server may have applied it while we waited for the lock). */
static enum result apply_migration(struct pg_conn *c, const struct embedded_file *m,
                                   struct error *err)
{
    char *sql = xmalloc(m->len + 1);
    memcpy(sql, m->data, m->len);
    sql[m->len] = '\0';
    bool applied = false;
    enum result result = exec_simple(c, "BEGIN; " MIGRATE_LOCK, err);
    if (result != OK)
        goto out;
    PGresult *res = exec_param(c, "SELECT 1 FROM schema_migrations WHERE name = $1", m->name, err);
    if (!res) {
        result = ERR_UNAVAILABLE;
        goto out;
    }
    bool done = PQntuples(res) > 0;
    PQclear(res);
    if (!done) {
        result = exec_simple(c, sql, err);
        if (result == OK)
            res = exec_param(c,
                             "INSERT INTO schema_migrations(name, applied_at) VALUES ($1, "
                             "(extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                             m->name, err);
        if (result == OK && !res)
            result = ERR_UNAVAILABLE;
        PQclear(res);
        applied = result == OK;
    }
    if (result == OK)
        result = exec_simple(c, "COMMIT", err);
out:
    free(sql);
    if (result != OK) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "");
        exec_simple(c, "ROLLBACK", NULL);
        return error_set(err, ERR_UNAVAILABLE, "storage: migration %s failed: %s", m->name,
                         msg[0] ? msg : "(no message)");
    }
    if (applied)
        log_info("store: applied migration %s", m->name);
    return OK;
}

static enum result pgs_migrate(void *conn, struct error *err)
{
    struct pg_conn *c = conn;
    enum result result = prepare_migrations(c, err);
    /* embedded_migrations is in name order (the Makefile sorts them) */
    for (size_t i = 0; result == OK && i < embedded_migrations_count; i++) {
        const struct embedded_file *m = &embedded_migrations[i];
        if (strncmp(m->name, MIGR_PREFIX, strlen(MIGR_PREFIX)) == 0)
            result = apply_migration(c, m, err);
    }
    return result;
}

/* Runs a transaction-control statement; `tag` is the command tag PostgreSQL must answer (a COMMIT
 * of a failed transaction answers ROLLBACK). */
static enum result exec_control(struct pg_conn *c, const char *sql, const char *tag)
{
    PGresult *res = PQexec(c->db, sql);
    enum result result = OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        result = pg_fail(c, res, sql);
        if (result == ERR_CONFLICT) /* a deferred constraint at COMMIT: nothing was stored */
            result = ERR_UNAVAILABLE;
    } else if (strcmp(PQcmdStatus(res), tag) != 0) {
        log_error("pg: %s: PostgreSQL answered %s (the transaction had failed)", sql,
                  PQcmdStatus(res));
        result = ERR_UNAVAILABLE;
    }
    PQclear(res);
    return result;
}

/* BEGIN and the write lock in one round trip: a simple query may carry several statements, and
 * its answer is the last one's (or the first failure's). A transaction left open by a failed lock
 * is rolled back. */
static enum result begin_locked(struct pg_conn *c)
{
    PGresult *res = PQexec(c->db, "BEGIN; " WRITE_LOCK);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        return OK;
    }
    pg_fail(c, res, "BEGIN and the write lock");
    PQclear(res);
    PGTransactionStatusType st = PQtransactionStatus(c->db);
    if (st == PQTRANS_INERROR || st == PQTRANS_INTRANS)
        exec_control(c, "ROLLBACK", "ROLLBACK");
    return ERR_UNAVAILABLE;
}

static enum result pgs_begin(void *conn)
{
    struct pg_conn *c = conn;
    if (!pg_usable(c))
        return ERR_UNAVAILABLE;
    enum result result = begin_locked(c);
    if (result != OK && lost(c)) /* the server went away and came back since the last batch */
        result = begin_locked(c);
    if (result != OK)
        return result;
    c->in_tx = true;
    c->locked_tx = true;
    c->head_known = false;
    return OK;
}
static enum result pgs_commit(void *conn)
{
    struct pg_conn *c = conn;
    c->in_tx = false;
    c->locked_tx = c->head_known = false;
    return exec_control(c, "COMMIT", "COMMIT");
}
static void pgs_rollback(void *conn)
{
    struct pg_conn *c = conn;
    c->in_tx = false;
    c->locked_tx = c->head_known = false;
    exec_control(c, "ROLLBACK", "ROLLBACK");
}
static enum result pgs_savepoint(void *c)
{
    return exec_control(c, "SAVEPOINT job", "SAVEPOINT");
}
static enum result pgs_release(void *c)
{
    return exec_control(c, "RELEASE SAVEPOINT job", "RELEASE");
}
static void pgs_rollback_to(void *conn)
{
    struct pg_conn *c = conn;
    c->head_known = false; /* the job's entries are undone */
    exec_control(c, "ROLLBACK TO SAVEPOINT job", "ROLLBACK");
}

/* The check PostgreSQL leaves to us (store_pg.md "Integrity"): page checksums and index
 * structure are the server's own job (initdb --data-checksums, amcheck); here, the connection
 * answers, and (full) no constraint of our schema is left NOT VALID and no index is invalid (a
 * CREATE INDEX CONCURRENTLY that failed), either of which would let rows the schema forbids in.
 * The timeline's hash chain is verified by `tocsin store check` itself, on every backend. */
static const char check_sql[] =
    "SELECT 'constraint ' || c.conrelid::regclass || '.' || c.conname || ' is not validated' "
    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE n.nspname = current_schema() AND NOT c.convalidated "
    "UNION ALL SELECT 'index ' || i.indexrelid::regclass || ' is invalid' "
    "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE n.nspname = current_schema() AND NOT i.indisvalid";

static enum result pgs_check(void *conn, bool full, struct error *err)
{
    struct pg_conn *c = conn;
    PGresult *res = PQexec(c->db, full ? check_sql : "SELECT 1");
    enum result result = OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char msg[512];
        pg_one_line(PQresultErrorMessage(res), msg, sizeof msg);
        result = error_set(err, ERR_UNAVAILABLE, "storage: PostgreSQL check failed: %s", msg);
    } else if (full && PQntuples(res) > 0) {
        char problems[400] = "";
        size_t used = 0;
        for (int i = 0; i < PQntuples(res) && used + 3 < sizeof problems; i++)
            used += (size_t)snprintf(problems + used, sizeof problems - used, "%s%s",
                                     used ? "; " : "", PQgetvalue(res, i, 0));
        result = error_set(err, ERR_UNAVAILABLE, "storage: PostgreSQL schema check: %s", problems);
    }
    PQclear(res);
    return result;
}

const struct store_backend store_backend_pg = {
    .name = "postgres",
    .id = STORE_PG,
    .connect = pgs_connect,
    .disconnect = pgs_disconnect,
    .migrate = pgs_migrate,
    .check = pgs_check,
    .begin = pgs_begin,
    .commit = pgs_commit,
    .rollback = pgs_rollback,
    .savepoint = pgs_savepoint,
    .release = pgs_release,
    .rollback_to = pgs_rollback_to,
};
