/*
 * store/pg (internal): what the PostgreSQL backend's files share: the connection, the
 * prepared-statement cache, the parameter builder and the column helpers. Only src/store/pg/
 * files (and the store's unit tests) include this. The PostgreSQL counterpart of
 * store/sqlite/sqlite.h; each src/store/pg/<resource>.c mirrors src/store/sqlite/<resource>.c
 * and ends with STORE_OPS_TABLE(pg, <res>, STORE_<RES>_OPS).
 *
 * Statements: each file declares its statements as static `struct pg_stmt` descriptors with
 * PostgreSQL SQL ($1, $2 ... placeholders). A descriptor gets a process-wide slot at its first
 * use (one atomic counter, as in sqlite.h); each connection prepares it once, under the name
 * "s<slot>", the first time it runs it there.
 *
 * Parameters go as text (libpq's text format; the server infers their types from the statement),
 * built with a pg_query: pg_query_init, then one pg_param_* per placeholder in order, then
 * pg_query_exec (rows) or pg_query_run (no rows). Times are BIGINT milliseconds since the epoch
 * as in SQLite; booleans are stored as 0/1 INTEGERs as in SQLite, so the SQL of the two backends
 * stays close.
 *
 * Text that is not valid UTF-8 (an id taken from a URL, "%ff%fe") can neither be stored in a
 * UTF-8 database nor equal any stored text, and PostgreSQL would reject the parameter and abort the
 * writer's whole transaction. So such a query is not sent: a SELECT, UPDATE or DELETE matches
 * nothing (an empty result; pg_query_run's must_change gives ERR_NOT_FOUND), as SQLite answers;
 * an INSERT fails (logged, ERR_UNAVAILABLE: the API validates what it stores).
 *
 * Errors: an integrity-constraint violation (SQLSTATE class 23: a unique violation, 23505, but
 * also check, not-null, foreign-key and the timeline's append-only trigger, as SQLite's
 * SQLITE_CONSTRAINT) is ERR_CONFLICT; anything else is logged and ERR_UNAVAILABLE. Unlike SQLite,
 * a failed statement aborts the whole PostgreSQL transaction: a job that goes on after an
 * ERR_CONFLICT must not have caused it (use INSERT ... ON CONFLICT DO NOTHING and test the rows).
 * Command tags: pg_query_run's must_change reads PQcmdTuples (rows inserted/updated/deleted).
 * A parameter that cannot be encoded (too many) makes the query fail without running (logged,
 * ERR_UNAVAILABLE), never run with a missing value.
 *
 * Rows: a whole result is fetched (PGresult) before any callback runs, so a callback may use the
 * same connection. Threads: a connection is used by one thread at a time.
 */
#ifndef TOCSIN_STORE_PG_H
#define TOCSIN_STORE_PG_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/crypto.h"

/* The backend's functions for an operation are named pgs_<op> (store_ops.h, STORE_OPS_TABLE). */
#define STORE_BACKEND_FN(name) pgs_##name

enum { PG_MAX_PARAMS = 32 };

struct pg_stmt {
    const char *sql;
    _Atomic int slot; /* 0 until first used, then 1 + its index */
};

struct pg_conn {
    PGconn *db;
    bool *prepared; /* by slot: prepared on this connection */
    int nprepared;
    bool writer;     /* the writer's session settings (pg.c session_sql) */
    bool in_tx;      /* between BEGIN and COMMIT/ROLLBACK: never reset then */
    bool session_ok; /* its session settings are in place */
    /* The timeline's head (last seq and hash) as this transaction last read or wrote it, kept
     * only between pgs_begin (which takes the write lock every node's writer takes: nobody else
     * appends meanwhile) and the transaction's end or a rollback to a savepoint (timeline.c) */
    bool locked_tx;
    bool head_known;
    int64_t head_seq;
    char head_hash[SHA256_HEX_LEN];
};
/* The advisory lock key that serialises migrations ("tocsin" in ASCII); `tocsin store copy`
 * takes it too, so a server cannot migrate the target while it is being filled. */
#define PG_MIGRATE_LOCK_KEY "127978830768494"

/* msg on one line (PostgreSQL's messages end with a newline), cut to n bytes. */
void pg_one_line(const char *msg, char *out, size_t n);
/* Is c connected (resetting a lost connection outside a transaction)? */
bool pg_usable(struct pg_conn *c);

struct pg_query {
    struct pg_conn *c;
    struct pg_stmt *s;
    int n;
    bool overflow;                     /* more than PG_MAX_PARAMS: the query will not run */
    bool bad_text;                     /* a text parameter is not valid UTF-8 (see above) */
    const char *values[PG_MAX_PARAMS]; /* NULL: SQL NULL */
    char nums[PG_MAX_PARAMS][32];      /* text of numeric parameters */
};

void pg_query_init(struct pg_query *q, struct pg_conn *c, struct pg_stmt *s);
void pg_param_text(struct pg_query *q, const char *s); /* NULL: NULL; borrowed until run */
void pg_param_int64(struct pg_query *q, int64_t v);
void pg_param_time(struct pg_query *q, int64_t t); /* 0: NULL */
void pg_param_bool(struct pg_query *q, bool b);    /* 1 / 0 */
void pg_param_double(struct pg_query *q, double v);
/* Runs the statement and returns its rows (PQclear it), or NULL with *result set (ERR_CONFLICT,
 * ERR_UNAVAILABLE); *result is OK when rows are returned. `what` names the operation in logs. */
PGresult *pg_query_exec(struct pg_query *q, enum result *result, const char *what);
/* Runs a statement that returns no rows; ERR_NOT_FOUND when `must_change` and no row changed. */
enum result pg_query_run(struct pg_query *q, bool must_change, const char *what);

char *pg_col_text(const PGresult *r, int row, int col);            /* owned, NULL for NULL */
const char *pg_text_or_empty(const PGresult *r, int row, int col); /* borrowed, "" for NULL */
int64_t pg_col_int64(const PGresult *r, int row, int col);         /* 0 for NULL */
double pg_col_double(const PGresult *r, int row, int col);         /* 0 for NULL */
bool pg_col_bool(const PGresult *r, int row, int col);             /* non-0 integer */
bool pg_col_is_null(const PGresult *r, int row, int col);
void pg_copy_col(const PGresult *r, int row, int col, char *out, size_t n); /* "" for NULL */

#endif
