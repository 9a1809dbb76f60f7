/*
 * store: durable state behind one front end and, per resource, a table of backend functions
 * (OpenSMTPD's queue_backend, curl's vtls). Backends: sqlite (src/store/sqlite/, embedded,
 * default).
 *
 * Layout. This header is the core: open/close, the writer (store_write, store_submit,
 * store_expect), readers, statistics, revocations, the silences version, failpoints. Each
 * resource has its own header src/store/<resource>.h (incidents, timeline, credentials, alerts,
 * silences, heartbeats, probes, overrides, notifications, escalations) holding its structs, its
 * callback types and ONE X-macro list of its operations; store_ops.h turns that list into the
 * store_<op>() prototypes, the backend's function group struct store_<resource>_ops, the
 * front end's wrappers (src/store/<resource>.c) and each backend's table
 * (src/store/<backend>/<resource>.c). Callers include the resource headers they use.
 *
 * Adding a backend (PostgreSQL, src/store/pg/): a `struct store_backend store_backend_pg` (the
 * core below: connect, migrate, transactions) in src/store/pg/pg.c, one file per resource
 * defining `const struct store_<resource>_ops store_pg_<resource>_ops` with
 * STORE_OPS_TABLE(pg, <resource>, STORE_<RESOURCE>_OPS), migrations under
 * src/store/migrations/pg/, one line in STORE_BACKENDS (store_ops.h) and one in store.c's list of
 * drivers. The front end and the callers do not change.
 *
 * Writes: every write is a job run by the single writer thread (store.c). The writer takes every
 * job waiting, runs them in ONE transaction (group commit), each inside its own savepoint so a
 * failing job is undone alone, commits, and only then wakes each caller with its result. So a
 * caller of store_write() that sees OK knows its change is on disk (synchronous=FULL), and one
 * request is one transaction: it lands whole or not at all.
 *
 * Reads: store_reader() hands each thread its own read connection (created on first use, closed
 * by store_close). Readers see only committed data (WAL snapshot per statement).
 *
 * Ownership:
 *  - Structs filled by get/list functions own their strings; free them with the matching
 *    *_free_fields function. Callbacks get borrowed structs valid during the call.
 *  - A job's arg struct belongs to the caller of store_write (or store_submit): it lives on the
 *    caller's side, the job only fills it.
 *  - A job's outputs are zeroed when the job starts and freed by their owner on every path,
 *    including a COMMIT that fails after the job succeeded. The owner is the caller: after
 *    store_write returns, WHATEVER the result (OK, the job's own error, or ERR_UNAVAILABLE from a
 *    failed COMMIT or a failpoint), the caller frees every output the job may have filled. So a
 *    job starts by zeroing its outputs (memset, or designated initialisers in the caller) and
 *    never frees them itself on failure unless it zeroes them again; the caller's free functions
 *    accept zeroed structs. A job may run and succeed and still be reported ERR_UNAVAILABLE
 *    (COMMIT failed): its outputs are then filled but nothing they describe was stored.
 */
#ifndef TOCSIN_STORE_H
#define TOCSIN_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"
#include "util/result.h"

struct store;
struct store_conn;

/* A backend's core: connections, migrations, transactions. Its operations are in one table per
 * resource (store_<backend>_<resource>_ops). `conn` is the backend's own connection type. Every
 * operation returns OK, ERR_NOT_FOUND (get-style calls), ERR_CONFLICT (a uniqueness constraint),
 * or ERR_UNAVAILABLE (the database failed; the message is logged by the backend). */
struct store_backend {
    const char *name;
    enum store_backend_id id; /* its index in every resource's table of backends */
    void *(*connect)(const char *target, bool writer, struct error *err);
    void (*disconnect)(void *conn);
    enum result (*migrate)(void *conn, struct error *err);
    enum result (*begin)(void *conn);
    enum result (*commit)(void *conn);
    void (*rollback)(void *conn);
    enum result (*savepoint)(void *conn);
    enum result (*release)(void *conn);
    void (*rollback_to)(void *conn);
    /* The database's own integrity check (docs/internals/store.md "Integrity"). full: SQLite's
     * integrity_check, else its quick_check (the writer runs that at every start, before it
     * writes anything); PostgreSQL: see store_pg.md. OK, or ERR_UNAVAILABLE with what is
     * broken in err. */
    enum result (*check)(void *conn, bool full, struct error *err);
    /* A consistent copy of the whole database into a new file at dest (`tocsin store backup`:
     * SQLite's online backup API in one step: one read transaction, safe beside a running
     * server). NULL when the
     * backend has none (PostgreSQL: pg_dump, docs/security.md "Backups"). */
    enum result (*backup)(void *conn, const char *dest, struct error *err);
};

extern const struct store_backend store_backend_sqlite;
/* Weak: NULL in a build without the PostgreSQL backend's core (src/store/pg/). */
extern const struct store_backend store_backend_pg __attribute__((weak));

/* For backends: a statement descriptor's cache slot, given out once at its first use from one
 * process-wide counter (*slot is 0 until then, 1 + the slot after), so two statements never share
 * a slot whichever files they live in, and a connection's cache can be an array indexed by it. */
int store_stmt_slot(_Atomic int *slot);

/* Opens the store: picks the backend by driver name, connects the writer, applies migrations,
 * starts the writer thread. target: the SQLite file path or the PostgreSQL URL. */
struct store *store_open(const char *driver, const char *target, struct error *err);
void store_close(struct store *s);
const char *store_driver(const struct store *s);
/* May other tocsin nodes share this store? PostgreSQL: yes; a SQLite file has one process. */
bool store_shared(const struct store *s);

/* `tocsin store check`: a connection of its own to the store at target (a reader: no writer
 * thread, no migrations, nothing written, so it is safe beside a running server; a missing SQLite
 * file is an error, not created). store_check runs the backend's check on it; the connection also
 * serves the read operations (store_timeline_scan for the chain). NULL with err set. */
struct store_conn *store_check_open(const char *driver, const char *target, struct error *err);
enum result store_check(struct store_conn *c, bool full, struct error *err);
/* The backend's backup into the new file dest, on a store_check_open connection; ERR_UNPROCESSABLE
 * when the backend has none. */
enum result store_backup(struct store_conn *c, const char *dest, struct error *err);
void store_check_close(struct store_conn *c);

typedef enum result (*store_job_fn)(struct store_conn *tx, void *arg, struct error *err);
/* Runs fn on the writer thread inside the group transaction; returns after the commit with fn's
 * result, or ERR_UNAVAILABLE (err filled) when the commit failed. */
enum result store_write(struct store *s, store_job_fn fn, void *arg, struct error *err);
/* Group commit hint. store_expect: this thread is preparing a request that will probably call
 * store_write soon. While such requests are being prepared, the writer, with jobs queued, waits a
 * little for them before it starts the next batch, so that they share its commit. The
 * expectation ends at this thread's next store_write, or at store_expect_end (which does nothing
 * if store_write already ended it); every store_expect must be followed by store_expect_end. */
void store_expect(struct store *s);
void store_expect_end(struct store *s);
/* How many write batches have revoked an integration key or a user token so far, counted after
 * each such batch committed (or failed) and before its callers were woken. A cache of credentials
 * read from the store is valid only while this has not moved since before the read began. */
uint64_t store_revocations(struct store *s);
/* How many write batches so far may have changed what the public status page shows (an incident
 * inserted or updated, a probe result: the operations flagged STORE_OP_PUBLIC; a public timeline
 * entry: store_tx_public_change),
 * counted the same way as store_revocations: after the batch's end, before its callers are woken.
 * A page rendered from reads that began while this number was N is current while it is still N.
 * Counts this process's writes only (another tocsin node on the same PostgreSQL database does not
 * move it; docs/internals/status_page.md). */
uint64_t store_public_changes(struct store *s);
/* Another node changed what the status page shows (runtime/cluster.c saw CLUSTER_KEY_PUBLIC
 * move): moves store_public_changes. Any thread. */
void store_note_public_change(struct store *s);
/* Writer connection only (inside a job): this transaction changed what the status page shows
 * without an operation flagged STORE_OP_PUBLIC (a public timeline entry: jobs/timeline.c). */
void store_tx_public_change(struct store_conn *tx);
/* Writer connection only (inside a job): adds n to *counter (a metric) once the job's batch has
 * committed; nothing when the job or its batch is rolled back, so a job that is run again counts
 * once. */
void store_tx_count_after_commit(struct store_conn *tx, _Atomic unsigned long long *counter,
                                 unsigned long long n);
/* Writer connection only (inside a job): a number that changes whenever a silence is inserted or
 * expired through it, or a job or batch on it is rolled back. A cache of the silences read
 * through tx is current while this number is unchanged (ingest.c keeps one). */
uint64_t store_silences_version(const struct store_conn *tx);
/* Another node revoked a credential or changed a silence (runtime/cluster.c saw the counter
 * CLUSTER_KEY_CACHES move): every cache keyed by store_revocations or store_silences_version is
 * stale from now on. Any thread. */
void store_invalidate_caches(struct store *s);
/* The cluster_state counters (store/nodes.h) the nodes watch. */
#define CLUSTER_KEY_CACHES "caches"
#define CLUSTER_KEY_CONFIG "config"
#define CLUSTER_KEY_DEV_CLOCK "dev_clock_offset"
#define CLUSTER_KEY_ACK_KEY "ack_key_fingerprint"
#define CLUSTER_KEY_PUBLIC "public"

/* store_write without waiting: queues fn and returns at once. done(done_arg, result) is called
 * once, on the writer thread after the batch's commit (or at once on this thread when the store is
 * shutting down), with what store_write would have returned; err is filled the same way. arg and
 * err must stay valid until then. done must be quick: the rest of the batch waits for it. */
typedef void (*store_done_fn)(void *done_arg, enum result result);
void store_submit(struct store *s, store_job_fn fn, void *arg, struct error *err,
                  store_done_fn done, void *done_arg);
/* This thread's read connection (NULL, err filled, if it cannot be opened). */
struct store_conn *store_reader(struct store *s, struct error *err);

/* Failpoints, for tests. point: a store operation's name ("counter_next", "incident_update",
 * "timeline_insert", ...) or "commit". For the next `count` calls of that operation (on any of the
 * store's connections) the front end returns ERR_UNAVAILABLE without calling the backend
 * (logging "store: failpoint <name>"); "commit" makes the next `count` batch COMMITs fail: the
 * batch is rolled back and every job of it gets ERR_UNAVAILABLE, as when a real COMMIT fails.
 * count 0 disarms. ERR_BAD_REQUEST for an unknown point. Cost when none is armed: one relaxed
 * atomic load per call. */
enum result store_failpoint_arm(struct store *s, const char *point, int count, struct error *err);
/* Is any failpoint armed? (Periodic background writes wait meanwhile, so that a test's armed
 * failure hits the write it aims at.) */
bool store_failpoint_armed(struct store *s);

/* Commit statistics for /metrics: a callback receives each histogram as bucket counts. */
struct store_stats {
    uint64_t commits, jobs, failed_commits;
    double commit_ms_sum;
    uint64_t commit_ms_buckets[12]; /* le 0.5,1,2,5,10,25,50,100,250,500,1000,+Inf ms */
    uint64_t batch_buckets[8];      /* le 1,2,4,8,16,64,256,+Inf jobs */
};
extern const double store_commit_bucket_ms[12];
extern const double store_batch_bucket[8];
void store_get_stats(struct store *s, struct store_stats *out);

#endif
