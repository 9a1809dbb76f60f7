/*
 * store/sqlite (internal): what the SQLite backend's files share: the connection, the
 * prepared-statement cache, the checked bind helpers and the column helpers. Only
 * src/store/sqlite/ files (and the store's unit tests) include this.
 *
 * Statement cache: each file declares its statements as static `struct sq_stmt` descriptors.
 * A descriptor gets its cache slot once, at its first use in the process, from one atomic
 * counter, so two statements never share a slot whichever files they live in; each connection
 * keeps an array indexed by slot (grown on demand), so the hot path is a relaxed load and an
 * array index.
 *
 * Binds: sq_prepare starts a statement's binding; the sq_bind_* helpers record the first failed
 * bind on the connection, sq_step then does not run the statement and returns SQLITE_ERROR, and
 * sq_fail reports it (logged, ERR_UNAVAILABLE). So a statement never runs with a missing value.
 * Threads: a connection is used by one thread at a time.
 */
#ifndef TOCSIN_STORE_SQLITE_H
#define TOCSIN_STORE_SQLITE_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "domain/incident.h"
#include "store/store.h"

/* The backend's functions for an operation are named sq_<op> (store_ops.h, STORE_OPS_TABLE). */
#define STORE_BACKEND_FN(name) sq_##name

struct sq_stmt {
    const char *sql;
    _Atomic int slot; /* 0 until first used, then 1 + its cache index */
};

struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt **stmts; /* by slot; NULL until prepared on this connection */
    int nstmts;
    int bind_rc; /* the first failed bind since the last sq_prepare, SQLITE_OK when none */
};

/* The connection's cached statement for s, reset and unbound; NULL (logged) if it cannot be
 * prepared. */
sqlite3_stmt *sq_prepare(struct sqlite_conn *c, struct sq_stmt *s);
/* sqlite3_step, unless a bind failed since sq_prepare: then SQLITE_ERROR without running it. */
int sq_step(struct sqlite_conn *c, sqlite3_stmt *st);
/* Maps the connection's last error: a failed bind is logged and ERR_UNAVAILABLE, a constraint is
 * ERR_CONFLICT, anything else is logged and ERR_UNAVAILABLE. */
enum result sq_fail(struct sqlite_conn *c, const char *what);
void sq_bind_text(struct sqlite_conn *c, sqlite3_stmt *st, int i, const char *s); /* NULL: NULL */
void sq_bind_time(struct sqlite_conn *c, sqlite3_stmt *st, int i, int64_t t);     /* 0: NULL */
void sq_bind_int64(struct sqlite_conn *c, sqlite3_stmt *st, int i, int64_t v);
void sq_bind_double(struct sqlite_conn *c, sqlite3_stmt *st, int i, double v);
/* Steps a statement that returns no rows and resets it; ERR_NOT_FOUND when `must_change` and
 * nothing changed. */
enum result sq_run(struct sqlite_conn *c, sqlite3_stmt *st, bool must_change, const char *what);
char *sq_col_text(sqlite3_stmt *st, int i);      /* owned copy, NULL for NULL */
char *sq_text_or_empty(sqlite3_stmt *st, int i); /* borrowed, "" for NULL */
void sq_copy_col(sqlite3_stmt *st, int i, char *out, size_t n);

#define INC_COLS                                                                                   \
    "id, title, summary, severity, service, type, channel, postmortem, status, drill, "            \
    "created_at, acknowledged_at, resolved_at, closed_at, updated_at, last_public_update_at, "     \
    "commander, tech_lead, comms_lead, scribe, group_key, auto_resolve, fields, "                  \
    "failed_resolutions, rules_fired"

#endif
