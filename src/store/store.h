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

#include "domain/alert.h"
#include "domain/escalation_policy.h"
#include "domain/incident.h"
#include "domain/oncall.h"
#include "jobs/timeline.h"
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

struct store_integration {
    char id[32];
    char *name;
    char *service;
    char *type; /* alertmanager, events_v2, generic, heartbeat */
    char hash[SHA256_HEX_LEN];
    int64_t created_at;
    int64_t revoked_at; /* 0 = live */
};

struct store_alert_filter {
    int statuses;            /* bit mask of (1 << enum alert_status); 0 = all */
    const char *service;     /* NULL = any */
    const char *incident_id; /* NULL = any */
    int limit;               /* 0 = no limit */
};

struct store_probe_result {
    int64_t at;
    bool ok;
    int status; /* HTTP status, 0 when none */
    double latency_ms;
    char *error; /* NULL when ok */
};

/* A notification (outbox row, migration 004). Strings are owned (store_notification_free_fields);
 * incident_id is "" when the row is about no incident; times are 0 when not set. */
struct store_notification {
    int64_t id;
    char *incident_id, *kind, *dkey, *user_id, *method, *address, *subject, *body;
    char *status; /* pending, sent, failed, bundled, cancelled */
    char *last_error, *reason;
    int attempts;
    int64_t due_at, next_attempt_at, created_at, sent_at;
    int64_t bundled_into; /* 0: none */
    int bundle_count;
    int64_t fallback_of; /* 0: none */
};

struct store_notification_attempt {
    int64_t notification_id;
    int64_t at;
    bool ok;
    int code;    /* HTTP status or SMTP reply code; 0 when none */
    char *error; /* NULL when ok */
    int64_t duration_ms;
};

typedef int (*store_notification_cb)(const struct store_notification *n, void *ctx);
typedef int (*store_attempt_cb)(const struct store_notification_attempt *a, void *ctx);

struct store_incident_filter {
    int statuses; /* bit mask of (1 << enum incident_status); 0 = all */
    int limit;    /* 0 = no limit */
};

typedef int (*store_incident_cb)(const struct incident *inc, void *ctx); /* non-0 stops */
typedef int (*store_timeline_cb)(const struct timeline_entry *e, void *ctx);
typedef int (*store_token_cb)(const struct store_token *t, void *ctx);
typedef void (*store_count_cb)(const char *key, int64_t n, void *ctx);
typedef int (*store_integration_cb)(const struct store_integration *i, void *ctx);
typedef int (*store_alert_cb)(const struct alert *a, void *ctx);
typedef int (*store_silence_cb)(const struct silence *s, void *ctx);
typedef int (*store_id_cb)(const char *id, void *ctx); /* non-0 stops */
typedef int (*store_heartbeat_cb)(const char *name, int64_t last_seen, void *ctx);
typedef int (*store_override_cb)(const struct oncall_override *o, void *ctx);

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

    enum result (*integration_insert)(void *conn, const struct store_integration *i);
    enum result (*integration_get)(void *conn, const char *id, struct store_integration *out);
    enum result (*integration_find_hash)(void *conn, const char *hash,
                                         struct store_integration *out);
    enum result (*integration_list)(void *conn, store_integration_cb cb, void *ctx);
    enum result (*integration_revoke)(void *conn, const char *id, int64_t now);

    enum result (*incident_find_open_group)(void *conn, const char *group_key,
                                            struct incident *out);
    enum result (*alert_find_open)(void *conn, const char *scope, const char *dedup_key,
                                   struct alert *out);
    enum result (*alert_insert)(void *conn, const struct alert *a, int64_t *id);
    enum result (*alert_update)(void *conn, const struct alert *a);
    enum result (*alert_list)(void *conn, const struct store_alert_filter *f, store_alert_cb cb,
                              void *ctx);
    enum result (*alert_count_open)(void *conn, const char *incident_id, int64_t *n);

    enum result (*silence_insert)(void *conn, const struct silence *s);
    enum result (*silence_list)(void *conn, bool include_expired, int64_t now, store_silence_cb cb,
                                void *ctx);
    enum result (*silence_expire)(void *conn, const char *id, int64_t now);

    enum result (*heartbeat_touch)(void *conn, const char *name, int64_t at);
    enum result (*heartbeat_list)(void *conn, store_heartbeat_cb cb, void *ctx);

    enum result (*probe_result_insert)(void *conn, const char *service,
                                       const struct store_probe_result *r);
    enum result (*probe_uptime)(void *conn, const char *service, int64_t since, int64_t *ok,
                                int64_t *total);
    enum result (*probe_last)(void *conn, const char *service, struct store_probe_result *out);

    /* ---- backend: oncall (overrides) ---- */
    enum result (*override_insert)(void *conn, const struct oncall_override *o);
    enum result (*override_get)(void *conn, const char *id, struct oncall_override *out);
    enum result (*override_list)(void *conn, const char *schedule, int64_t from, int64_t to,
                                 store_override_cb cb, void *ctx);
    enum result (*override_find_overlap)(void *conn, const char *schedule, const char *layer,
                                         int64_t from, int64_t to, struct oncall_override *out);
    enum result (*override_remove)(void *conn, const char *id, int64_t now);

    /* ---- backend: notify (outbox, attempts) ---- */
    /* inserts n (id ignored); ERR_CONFLICT when (incident, dkey, user, method) exists */
    enum result (*notification_insert)(void *conn, const struct store_notification *n, int64_t *id);
    enum result (*notification_get)(void *conn, int64_t id, struct store_notification *out);
    /* writes status, attempts, next_attempt_at, sent_at, last_error, bundled_into, bundle_count */
    enum result (*notification_update)(void *conn, const struct store_notification *n);
    /* pending rows with next_attempt_at <= now, oldest first, at most limit */
    enum result (*notification_due)(void *conn, int64_t now, int limit, store_notification_cb cb,
                                    void *ctx);
    /* the earliest next_attempt_at of a pending row; ERR_NOT_FOUND when none */
    enum result (*notification_next_due)(void *conn, int64_t *at);
    /* incident_id's rows ("" for rows about no incident), by id */
    enum result (*notification_list)(void *conn, const char *incident_id, store_notification_cb cb,
                                     void *ctx);
    /* the rows whose message went with lead's (bundled_into = lead), by id */
    enum result (*notification_members)(void *conn, int64_t lead, store_notification_cb cb,
                                        void *ctx);
    /* the latest sent_at of user's rows by method; 0 when none */
    enum result (*notification_last_sent)(void *conn, const char *user, const char *method,
                                          int64_t *at);
    enum result (*notification_attempt_insert)(void *conn,
                                               const struct store_notification_attempt *a);
    enum result (*notification_attempts)(void *conn, int64_t notification_id, store_attempt_cb cb,
                                         void *ctx);

    /* ---- backend: escalation (deadlines, reminders, hand-offs) ---- */
    enum result (*escalation_arm)(void *conn, const char *incident_id, int64_t round_start,
                                  int64_t now);
    enum result (*escalation_get)(void *conn, const char *incident_id,
                                  struct escalation_state *out);
    enum result (*escalation_put)(void *conn, const char *incident_id,
                                  const struct escalation_state *st, int64_t now);
    enum result (*escalation_due)(void *conn, int64_t now, int limit, store_id_cb cb, void *ctx);
    enum result (*escalation_next_due)(void *conn, int64_t *at);
    enum result (*handoff_claim)(void *conn, const char *schedule, const char *layer,
                                 int64_t starts_at, const char *user, int64_t now);
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
/* Writer connection only (inside a job): a number that changes whenever a silence is inserted or
 * expired through it, or a job or batch on it is rolled back. A cache of the silences read
 * through tx is current while this number is unchanged (ingest.c keeps one). */
uint64_t store_silences_version(const struct store_conn *tx);
/* store_write without waiting: queues fn and returns at once. done(done_arg, result) is called
 * once, on the writer thread after the batch's commit (or at once on this thread when the store is
 * shutting down), with what store_write would have returned; err is filled the same way. arg and
 * err must stay valid until then. done must be quick: the rest of the batch waits for it. */
typedef void (*store_done_fn)(void *done_arg, enum result result);
void store_submit(struct store *s, store_job_fn fn, void *arg, struct error *err,
                  store_done_fn done, void *done_arg);
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

enum result store_integration_insert(struct store_conn *c, const struct store_integration *i);
enum result store_integration_get(struct store_conn *c, const char *id,
                                  struct store_integration *out);
enum result store_integration_find_hash(struct store_conn *c, const char *hash,
                                        struct store_integration *out);
enum result store_integration_list(struct store_conn *c, store_integration_cb cb, void *ctx);
enum result store_integration_revoke(struct store_conn *c, const char *id, int64_t now);
void store_integration_free_fields(struct store_integration *i);

enum result store_incident_find_open_group(struct store_conn *c, const char *group_key,
                                           struct incident *out);
enum result store_alert_find_open(struct store_conn *c, const char *scope, const char *dedup_key,
                                  struct alert *out);
enum result store_alert_insert(struct store_conn *c, const struct alert *a, int64_t *id);
enum result store_alert_update(struct store_conn *c, const struct alert *a);
enum result store_alert_list(struct store_conn *c, const struct store_alert_filter *f,
                             store_alert_cb cb, void *ctx);
enum result store_alert_count_open(struct store_conn *c, const char *incident_id, int64_t *n);

enum result store_silence_insert(struct store_conn *c, const struct silence *s);
enum result store_silence_list(struct store_conn *c, bool include_expired, int64_t now,
                               store_silence_cb cb, void *ctx);
enum result store_silence_expire(struct store_conn *c, const char *id, int64_t now);

enum result store_heartbeat_touch(struct store_conn *c, const char *name, int64_t at);
enum result store_heartbeat_list(struct store_conn *c, store_heartbeat_cb cb, void *ctx);

enum result store_probe_result_insert(struct store_conn *c, const char *service,
                                      const struct store_probe_result *r);
enum result store_probe_uptime(struct store_conn *c, const char *service, int64_t since,
                               int64_t *ok, int64_t *total);
enum result store_probe_last(struct store_conn *c, const char *service,
                             struct store_probe_result *out);

/* ---- front end: oncall (overrides) ---- */
/* Overrides (store_sqlite_oncall.c). list: the live ones (not removed) of one schedule, or of
 * every schedule when schedule is NULL, that overlap [from, to), by starts_at. find_overlap: a
 * live one of that schedule and layer (NULL layer = the schedule as a whole, its own layer) that
 * overlaps [from, to), or ERR_NOT_FOUND. get finds removed ones too (removed_at set). remove:
 * ERR_NOT_FOUND when unknown or already removed. Structs filled here: oncall_override_free_fields.
 */
enum result store_override_insert(struct store_conn *c, const struct oncall_override *o);
enum result store_override_get(struct store_conn *c, const char *id, struct oncall_override *out);
enum result store_override_list(struct store_conn *c, const char *schedule, int64_t from,
                                int64_t to, store_override_cb cb, void *ctx);
enum result store_override_find_overlap(struct store_conn *c, const char *schedule,
                                        const char *layer, int64_t from, int64_t to,
                                        struct oncall_override *out);
enum result store_override_remove(struct store_conn *c, const char *id, int64_t now);

/* ---- front end: notify (outbox, attempts) ---- */
enum result store_notification_insert(struct store_conn *c, const struct store_notification *n,
                                      int64_t *id);
enum result store_notification_get(struct store_conn *c, int64_t id,
                                   struct store_notification *out);
enum result store_notification_update(struct store_conn *c, const struct store_notification *n);
enum result store_notification_due(struct store_conn *c, int64_t now, int limit,
                                   store_notification_cb cb, void *ctx);
enum result store_notification_next_due(struct store_conn *c, int64_t *at);
enum result store_notification_list(struct store_conn *c, const char *incident_id,
                                    store_notification_cb cb, void *ctx);
enum result store_notification_members(struct store_conn *c, int64_t lead, store_notification_cb cb,
                                       void *ctx);
enum result store_notification_last_sent(struct store_conn *c, const char *user, const char *method,
                                         int64_t *at);
enum result store_notification_attempt_insert(struct store_conn *c,
                                              const struct store_notification_attempt *a);
enum result store_notification_attempts(struct store_conn *c, int64_t notification_id,
                                        store_attempt_cb cb, void *ctx);
void store_notification_free_fields(struct store_notification *n);
/* A deep copy of n (free with store_notification_free_fields). */
void store_notification_copy(struct store_notification *dst, const struct store_notification *src);

/* ---- front end: escalation (deadlines, reminders, hand-offs) ---- */
/* Makes the incident's escalation due at `now` (creating its state, round 0 from round_start,
 * when it has none): called in the same transaction as the change that needs a new look
 * (declared, severity changed, reopened, manual escalation). */
enum result store_escalation_arm(struct store_conn *c, const char *incident_id, int64_t round_start,
                                 int64_t now);
enum result store_escalation_get(struct store_conn *c, const char *incident_id,
                                 struct escalation_state *out);
enum result store_escalation_put(struct store_conn *c, const char *incident_id,
                                 const struct escalation_state *st, int64_t now);
/* Incident ids whose escalation is due at `now`, earliest deadline first, at most limit. */
enum result store_escalation_due(struct store_conn *c, int64_t now, int limit, store_id_cb cb,
                                 void *ctx);
/* The earliest pending deadline, or -1 when none. */
enum result store_escalation_next_due(struct store_conn *c, int64_t *at);
/* Records that the shift starting at starts_at was announced: OK the first time, ERR_CONFLICT
 * when it already was. */
enum result store_handoff_claim(struct store_conn *c, const char *schedule, const char *layer,
                                int64_t starts_at, const char *user, int64_t now);

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
