/*
 * store: durable state behind one front end and a table of backend functions (OpenSMTPD's
 * queue_backend, curl's vtls). Backends: store_sqlite.c (embedded, default); a PostgreSQL backend
 * fills the same table.
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
 * Ownership: structs filled by get/list functions own their strings; free them with the
 * matching *_free_fields function. Callbacks get borrowed structs valid during the call.
 */
#ifndef TOCSIN_STORE_H
#define TOCSIN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "incident.h"
#include "timeline.h"
#include "util/result.h"

struct store;
struct store_conn;

struct store_token {
    char id[32];
    char *name;
    char *role;
    char hash[SHA256_HEX_LEN];
    int64_t created_at;
    int64_t revoked_at; /* 0 = live */
};

struct store_incident_filter {
    int statuses; /* bit mask of (1 << enum incident_status); 0 = all */
    int limit;    /* 0 = no limit */
};

typedef int (*store_incident_cb)(const struct incident *inc, void *ctx); /* non-0 stops */
typedef int (*store_timeline_cb)(const struct timeline_entry *e, void *ctx);
typedef int (*store_token_cb)(const struct store_token *t, void *ctx);
typedef void (*store_count_cb)(const char *key, int64_t n, void *ctx);

/* The backend table. `conn` is the backend's own connection type. Every function returns OK,
 * ERR_NOT_FOUND (get-style calls), ERR_CONFLICT (a uniqueness constraint), or ERR_UNAVAILABLE
 * (the database failed; the message is logged by the backend). */
struct store_backend {
    const char *name;
    void *(*connect)(const char *target, bool writer, struct error *err);
    void (*disconnect)(void *conn);
    enum result (*migrate)(void *conn, struct error *err);
    enum result (*begin)(void *conn);
    enum result (*commit)(void *conn);
    void (*rollback)(void *conn);
    enum result (*savepoint)(void *conn);
    enum result (*release)(void *conn);
    void (*rollback_to)(void *conn);

    enum result (*counter_next)(void *conn, const char *key, int64_t *out);

    enum result (*incident_insert)(void *conn, const struct incident *inc);
    enum result (*incident_update)(void *conn, const struct incident *inc);
    enum result (*incident_get)(void *conn, const char *id, struct incident *out);
    enum result (*incident_list)(void *conn, const struct store_incident_filter *f,
                                 store_incident_cb cb, void *ctx);
    enum result (*incident_count_open)(void *conn, store_count_cb cb, void *ctx);

    enum result (*timeline_insert)(void *conn, const struct timeline_entry *e);
    enum result (*timeline_last)(void *conn, int64_t *seq, char hash[SHA256_HEX_LEN]);
    enum result (*timeline_scan)(void *conn, const char *incident_id, store_timeline_cb cb,
                                 void *ctx);

    enum result (*token_insert)(void *conn, const struct store_token *t);
    enum result (*token_get)(void *conn, const char *id, struct store_token *out);
    enum result (*token_find_hash)(void *conn, const char *hash, struct store_token *out);
    enum result (*token_list)(void *conn, store_token_cb cb, void *ctx);
    enum result (*token_revoke)(void *conn, const char *id, int64_t now);
};

extern const struct store_backend store_backend_sqlite;

/* Opens the store: picks the backend by driver name, connects the writer, applies migrations,
 * starts the writer thread. target: the SQLite file path or the PostgreSQL URL. */
struct store *store_open(const char *driver, const char *target, struct error *err);
void store_close(struct store *s);
const char *store_driver(const struct store *s);

typedef enum result (*store_job_fn)(struct store_conn *tx, void *arg, struct error *err);
/* Runs fn on the writer thread inside the group transaction; returns after the commit with fn's
 * result, or ERR_UNAVAILABLE (err filled) when the commit failed. */
enum result store_write(struct store *s, store_job_fn fn, void *arg, struct error *err);
/* This thread's read connection (NULL, err filled, if it cannot be opened). */
struct store_conn *store_reader(struct store *s, struct error *err);

/* Front-end calls: the backend's, plus tracing and timing. */
enum result store_counter_next(struct store_conn *c, const char *key, int64_t *out);
enum result store_incident_insert(struct store_conn *c, const struct incident *inc);
enum result store_incident_update(struct store_conn *c, const struct incident *inc);
enum result store_incident_get(struct store_conn *c, const char *id, struct incident *out);
enum result store_incident_list(struct store_conn *c, const struct store_incident_filter *f,
                                store_incident_cb cb, void *ctx);
enum result store_incident_count_open(struct store_conn *c, store_count_cb cb, void *ctx);
enum result store_timeline_insert(struct store_conn *c, const struct timeline_entry *e);
enum result store_timeline_last(struct store_conn *c, int64_t *seq, char hash[SHA256_HEX_LEN]);
enum result store_timeline_scan(struct store_conn *c, const char *incident_id, store_timeline_cb cb,
                                void *ctx);
enum result store_token_insert(struct store_conn *c, const struct store_token *t);
enum result store_token_get(struct store_conn *c, const char *id, struct store_token *out);
enum result store_token_find_hash(struct store_conn *c, const char *hash, struct store_token *out);
enum result store_token_list(struct store_conn *c, store_token_cb cb, void *ctx);
enum result store_token_revoke(struct store_conn *c, const char *id, int64_t now);
void store_token_free_fields(struct store_token *t);

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
