/*
 * store: the front end. Picks a backend, owns the writer thread (group commit) and the per-thread
 * reader connections, and wraps each backend call with timing (slow calls are logged).
 *
 * Writer thread: loop { wait for jobs; take them all (up to STORE_MAX_BATCH); BEGIN; for each job
 * SAVEPOINT, run, RELEASE or ROLLBACK TO; COMMIT; record each job's result; wake the callers }.
 * A batch of one job runs without a savepoint: a failure rolls the whole transaction back.
 * A caller's job struct lives on its stack until it is woken, so nothing is allocated per write.
 * If COMMIT fails every job of the batch gets ERR_UNAVAILABLE: none of them is reported done.
 */
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* STORE_GATHER_US: how long the writer waits, at most, for requests still being prepared before
 * it starts a batch without them (group commit; docs/internals/store.md). */
enum { STORE_MAX_BATCH = 1024, STORE_SLOW_MS = 250, STORE_GATHER_US = 300 };

struct store_conn {
    const struct store_backend *be;
    void *conn;
    struct store_conn *next_reader;
    bool revoked; /* writer only: this batch revoked a key or token (see store_revocations) */
    uint64_t silences_version; /* see store_silences_version */
};

struct store_job {
    store_job_fn fn;
    void *arg;
    struct error *err;
    enum result result;
    bool done;
    pthread_cond_t done_cv; /* store_write: its caller sleeps on it (a batch wakes only its own) */
    store_done_fn on_done;  /* store_submit: called instead, and the job (heap) freed */
    void *done_arg;
    struct store_job *next;
};

struct store {
    const struct store_backend *be;
    char *driver;
    char *target;
    struct store_conn writer;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work_cv; /* jobs queued, or stopping */
    struct store_job *head, *tail;
    bool stopping;
    bool writer_idle;      /* waiting on work_cv: only then does a new job need to signal it */
    bool writer_gathering; /* waiting, with jobs queued, for expected ones to join the batch */
    _Atomic int expected;  /* requests being prepared that will probably write (store_expect) */

    pthread_key_t reader_key;
    pthread_mutex_t readers_lock;
    struct store_conn *readers;

    pthread_mutex_t stats_lock;
    struct store_stats stats;

    _Atomic uint64_t revocations; /* batches that revoked something, counted after their end */
};

const double store_commit_bucket_ms[12] = {0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, -1};
const double store_batch_bucket[8] = {1, 2, 4, 8, 16, 64, 256, -1};

static const struct {
    const char *driver;
    const struct store_backend *be;
} backends[] = {{"sqlite", &store_backend_sqlite}};

static void record_commit(struct store *s, double ms, size_t jobs, bool ok)
{
    pthread_mutex_lock(&s->stats_lock);
    s->stats.commits++;
    s->stats.jobs += jobs;
    if (!ok)
        s->stats.failed_commits++;
    s->stats.commit_ms_sum += ms;
    for (int i = 0; i < 12; i++)
        if (store_commit_bucket_ms[i] < 0 || ms <= store_commit_bucket_ms[i]) {
            s->stats.commit_ms_buckets[i]++;
            break;
        }
    for (int i = 0; i < 8; i++)
        if (store_batch_bucket[i] < 0 || (double)jobs <= store_batch_bucket[i]) {
            s->stats.batch_buckets[i]++;
            break;
        }
    pthread_mutex_unlock(&s->stats_lock);
}

void store_get_stats(struct store *s, struct store_stats *out)
{
    pthread_mutex_lock(&s->stats_lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->stats_lock);
}

/* Runs one batch in one transaction. Returns the number of jobs it finished. */
static void run_batch(struct store *s, struct store_job *batch, size_t n)
{
    const struct store_backend *be = s->be;
    void *c = s->writer.conn;
    double t0 = clock_mono_ms();
    bool ok = be->begin(c) == OK;
    /* A batch of one job is that job's transaction: no savepoint (SQLite would journal every page
     * the job touches, to be able to roll back to it); if the job fails, the transaction is rolled
     * back instead, and the job's own error stands. */
    bool alone = n == 1, failed_alone = false;
    for (struct store_job *j = batch; ok && j; j = j->next) {
        if (!alone && be->savepoint(c) != OK) {
            ok = false;
            break;
        }
        j->result = j->fn(&s->writer, j->arg, j->err);
        if (j->result != OK)
            s->writer.silences_version++; /* whatever the job read may be undone */
        if (alone) {
            failed_alone = j->result != OK;
        } else if (j->result == OK) {
            if (be->release(c) != OK)
                ok = false;
        } else {
            be->rollback_to(c);
            if (be->release(c) != OK)
                ok = false;
        }
    }
    if (ok && !failed_alone)
        ok = be->commit(c) == OK;
    else
        be->rollback(c);
    if (!ok)
        s->writer.silences_version++;
    double ms = clock_mono_ms() - t0;
    record_commit(s, ms, n, ok);
    if (ms > STORE_SLOW_MS)
        log_warn("store: slow commit of %zu jobs: %.1f ms", n, ms);
    if (!ok) {
        for (struct store_job *j = batch; j; j = j->next)
            j->result = error_set(j->err, ERR_UNAVAILABLE,
                                  "store: the write could not be committed; nothing was changed");
    }
    /* Counted after the commit and before any caller is woken: a credential cache entry made
     * from a read that began before this point is stale from now on (store_revocations). */
    if (s->writer.revoked) {
        s->writer.revoked = false;
        atomic_fetch_add(&s->revocations, 1);
    }
}

uint64_t store_revocations(struct store *s)
{
    return atomic_load(&s->revocations);
}

uint64_t store_silences_version(const struct store_conn *tx)
{
    return tx->silences_version;
}

static _Thread_local struct store *expecting; /* the store this thread announced a write to */

void store_expect(struct store *s)
{
    if (expecting)
        store_expect_end(expecting);
    expecting = s;
    atomic_fetch_add(&s->expected, 1);
}

/* Caller holds s->lock. */
static void expect_done_locked(struct store *s)
{
    expecting = NULL;
    if (atomic_fetch_sub(&s->expected, 1) == 1 && s->writer_gathering)
        pthread_cond_signal(&s->work_cv);
}

void store_expect_end(struct store *s)
{
    if (expecting != s)
        return; /* store_write already counted it */
    pthread_mutex_lock(&s->lock);
    expect_done_locked(s);
    pthread_mutex_unlock(&s->lock);
}

/* With jobs queued: while requests that announced a write are still being prepared on other
 * threads, wait for them to queue theirs (at most STORE_GATHER_US), so that they share this
 * commit instead of each paying for the next one. Caller holds s->lock. */
static void gather(struct store *s)
{
    if (atomic_load(&s->expected) <= 0)
        return;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += STORE_GATHER_US * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    s->writer_gathering = true;
    while (atomic_load(&s->expected) > 0 && !s->stopping)
        if (pthread_cond_timedwait(&s->work_cv, &s->lock, &until) != 0)
            break;
    s->writer_gathering = false;
}

static void *writer_main(void *arg)
{
    struct store *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stopping) {
            s->writer_idle = true;
            pthread_cond_wait(&s->work_cv, &s->lock);
            s->writer_idle = false;
        }
        if (!s->head && s->stopping)
            break;
        gather(s);
        struct store_job *batch = s->head, *last = s->head;
        size_t n = 1;
        while (last->next && n < STORE_MAX_BATCH) {
            last = last->next;
            n++;
        }
        s->head = last->next;
        if (!s->head)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->lock);

        run_batch(s, batch, n);

        /* store_submit's jobs first, outside the lock: their callbacks hand the result on */
        struct store_job *waiting = NULL, **tail = &waiting;
        for (struct store_job *j = batch; j;) {
            struct store_job *next = j->next;
            if (j->on_done) {
                j->on_done(j->done_arg, j->result);
                free(j);
            } else {
                *tail = j;
                tail = &j->next;
            }
            j = next;
        }
        *tail = NULL;
        pthread_mutex_lock(&s->lock);
        for (struct store_job *j = waiting; j;) {
            struct store_job *next = j->next; /* j may vanish once done is seen */
            j->done = true;
            pthread_cond_signal(&j->done_cv);
            j = next;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Queues a job (caller holds s->lock and has checked s->stopping). */
static void enqueue_locked(struct store *s, struct store_job *job)
{
    if (s->tail)
        s->tail->next = job;
    else
        s->head = job;
    s->tail = job;
    if (expecting == s)
        expect_done_locked(s); /* signals a gathering writer when this was the last one */
    if (s->writer_idle)
        pthread_cond_signal(&s->work_cv);
}

void store_submit(struct store *s, store_job_fn fn, void *arg, struct error *err,
                  store_done_fn done, void *done_arg)
{
    struct store_job *job = xcalloc(1, sizeof *job);
    *job =
        (struct store_job){.fn = fn, .arg = arg, .err = err, .on_done = done, .done_arg = done_arg};
    pthread_mutex_lock(&s->lock);
    bool stopping = s->stopping;
    if (!stopping)
        enqueue_locked(s, job);
    pthread_mutex_unlock(&s->lock);
    if (stopping) {
        free(job);
        done(done_arg, error_set(err, ERR_UNAVAILABLE, "store: shutting down"));
    }
}

enum result store_write(struct store *s, store_job_fn fn, void *arg, struct error *err)
{
    struct store_job job = {.fn = fn, .arg = arg, .err = err};
    pthread_cond_init(&job.done_cv, NULL);
    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        pthread_cond_destroy(&job.done_cv);
        return error_set(err, ERR_UNAVAILABLE, "store: shutting down");
    }
    /* The job lives on this stack until the writer marks it done; we wait for that below. */
    enqueue_locked(s, &job); // cppcheck-suppress autoVariables
    while (!job.done)
        pthread_cond_wait(&job.done_cv, &s->lock);
    pthread_mutex_unlock(&s->lock);
    pthread_cond_destroy(&job.done_cv);
    return job.result;
}

struct store *store_open(const char *driver, const char *target, struct error *err)
{
    const struct store_backend *be = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i].driver, driver) == 0)
            be = backends[i].be;
    if (!be) {
        error_set(err, ERR_UNPROCESSABLE, "storage.driver: \"%s\" is not available", driver);
        return NULL;
    }
    void *wc = be->connect(target, true, err);
    if (!wc)
        return NULL;
    if (be->migrate(wc, err) != OK) {
        be->disconnect(wc);
        return NULL;
    }
    struct store *s = xcalloc(1, sizeof *s);
    /* Each store counts revocations from its own base, so a cache keyed by store pointer cannot
     * mistake a later store at the same address for an earlier one. */
    static _Atomic uint64_t instances;
    uint64_t base = atomic_fetch_add(&instances, 1) << 40;
    atomic_store(&s->revocations, base);
    s->writer.silences_version = base;
    s->be = be;
    s->driver = xstrdup(driver);
    s->target = xstrdup(target);
    s->writer.be = be;
    s->writer.conn = wc;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->readers_lock, NULL);
    pthread_mutex_init(&s->stats_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->work_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_key_create(&s->reader_key, NULL);
    if (pthread_create(&s->thread, NULL, writer_main, s) != 0)
        fatal("store: cannot start the writer thread");
    return s;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->work_cv);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    for (struct store_conn *r = s->readers; r;) {
        struct store_conn *next = r->next_reader;
        s->be->disconnect(r->conn);
        free(r);
        r = next;
    }
    s->be->disconnect(s->writer.conn);
    pthread_key_delete(s->reader_key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->readers_lock);
    pthread_mutex_destroy(&s->stats_lock);
    pthread_cond_destroy(&s->work_cv);
    free(s->driver);
    free(s->target);
    free(s);
}

const char *store_driver(const struct store *s)
{
    return s->driver;
}

struct store_conn *store_reader(struct store *s, struct error *err)
{
    struct store_conn *r = pthread_getspecific(s->reader_key);
    if (r)
        return r;
    void *c = s->be->connect(s->target, false, err);
    if (!c)
        return NULL;
    r = xcalloc(1, sizeof *r);
    r->be = s->be;
    r->conn = c;
    pthread_mutex_lock(&s->readers_lock);
    r->next_reader = s->readers;
    s->readers = r;
    pthread_mutex_unlock(&s->readers_lock);
    pthread_setspecific(s->reader_key, r);
    return r;
}

/* Front-end wrappers: time each backend call and log the slow ones. */
#define TIMED(name, call)                                                                          \
    do {                                                                                           \
        double t0_ = clock_mono_ms();                                                              \
        enum result r_ = (call);                                                                   \
        double ms_ = clock_mono_ms() - t0_;                                                        \
        if (ms_ > STORE_SLOW_MS)                                                                   \
            log_warn("store: slow %s: %.1f ms", name, ms_);                                        \
        return r_;                                                                                 \
    } while (0)

enum result store_counter_next(struct store_conn *c, const char *key, int64_t *out)
{
    TIMED("counter_next", c->be->counter_next(c->conn, key, out));
}

enum result store_incident_insert(struct store_conn *c, const struct incident *inc)
{
    TIMED("incident_insert", c->be->incident_insert(c->conn, inc));
}

enum result store_incident_update(struct store_conn *c, const struct incident *inc)
{
    TIMED("incident_update", c->be->incident_update(c->conn, inc));
}

enum result store_incident_get(struct store_conn *c, const char *id, struct incident *out)
{
    TIMED("incident_get", c->be->incident_get(c->conn, id, out));
}

enum result store_incident_list(struct store_conn *c, const struct store_incident_filter *f,
                                store_incident_cb cb, void *ctx)
{
    TIMED("incident_list", c->be->incident_list(c->conn, f, cb, ctx));
}

enum result store_incident_count_open(struct store_conn *c, store_count_cb cb, void *ctx)
{
    TIMED("incident_count_open", c->be->incident_count_open(c->conn, cb, ctx));
}

enum result store_timeline_insert(struct store_conn *c, const struct timeline_entry *e)
{
    TIMED("timeline_insert", c->be->timeline_insert(c->conn, e));
}

enum result store_timeline_last(struct store_conn *c, int64_t *seq, char hash[SHA256_HEX_LEN])
{
    TIMED("timeline_last", c->be->timeline_last(c->conn, seq, hash));
}

enum result store_timeline_scan(struct store_conn *c, const char *incident_id, store_timeline_cb cb,
                                void *ctx)
{
    TIMED("timeline_scan", c->be->timeline_scan(c->conn, incident_id, cb, ctx));
}

enum result store_token_insert(struct store_conn *c, const struct store_token *t)
{
    TIMED("token_insert", c->be->token_insert(c->conn, t));
}

enum result store_token_get(struct store_conn *c, const char *id, struct store_token *out)
{
    TIMED("token_get", c->be->token_get(c->conn, id, out));
}

enum result store_token_find_hash(struct store_conn *c, const char *hash, struct store_token *out)
{
    TIMED("token_find_hash", c->be->token_find_hash(c->conn, hash, out));
}

enum result store_token_list(struct store_conn *c, store_token_cb cb, void *ctx)
{
    TIMED("token_list", c->be->token_list(c->conn, cb, ctx));
}

enum result store_token_revoke(struct store_conn *c, const char *id, int64_t now)
{
    c->revoked = true;
    TIMED("token_revoke", c->be->token_revoke(c->conn, id, now));
}

void store_token_free_fields(struct store_token *t)
{
    free(t->name);
    free(t->role);
    t->name = t->role = NULL;
}

enum result store_integration_insert(struct store_conn *c, const struct store_integration *i)
{
    TIMED("integration_insert", c->be->integration_insert(c->conn, i));
}

enum result store_integration_get(struct store_conn *c, const char *id,
                                  struct store_integration *out)
{
    TIMED("integration_get", c->be->integration_get(c->conn, id, out));
}

enum result store_integration_find_hash(struct store_conn *c, const char *hash,
                                        struct store_integration *out)
{
    TIMED("integration_find_hash", c->be->integration_find_hash(c->conn, hash, out));
}

enum result store_integration_list(struct store_conn *c, store_integration_cb cb, void *ctx)
{
    TIMED("integration_list", c->be->integration_list(c->conn, cb, ctx));
}

enum result store_integration_revoke(struct store_conn *c, const char *id, int64_t now)
{
    c->revoked = true;
    TIMED("integration_revoke", c->be->integration_revoke(c->conn, id, now));
}

void store_integration_free_fields(struct store_integration *i)
{
    free(i->name);
    free(i->service);
    free(i->type);
    i->name = i->service = i->type = NULL;
}

enum result store_incident_find_open_group(struct store_conn *c, const char *group_key,
                                           struct incident *out)
{
    TIMED("incident_find_open_group", c->be->incident_find_open_group(c->conn, group_key, out));
}

enum result store_alert_find_open(struct store_conn *c, const char *scope, const char *dedup_key,
                                  struct alert *out)
{
    TIMED("alert_find_open", c->be->alert_find_open(c->conn, scope, dedup_key, out));
}

enum result store_alert_insert(struct store_conn *c, const struct alert *a, int64_t *id)
{
    TIMED("alert_insert", c->be->alert_insert(c->conn, a, id));
}

enum result store_alert_update(struct store_conn *c, const struct alert *a)
{
    TIMED("alert_update", c->be->alert_update(c->conn, a));
}

enum result store_alert_list(struct store_conn *c, const struct store_alert_filter *f,
                             store_alert_cb cb, void *ctx)
{
    TIMED("alert_list", c->be->alert_list(c->conn, f, cb, ctx));
}

enum result store_alert_count_open(struct store_conn *c, const char *incident_id, int64_t *n)
{
    TIMED("alert_count_open", c->be->alert_count_open(c->conn, incident_id, n));
}

enum result store_silence_insert(struct store_conn *c, const struct silence *s)
{
    c->silences_version++;
    TIMED("silence_insert", c->be->silence_insert(c->conn, s));
}

enum result store_silence_list(struct store_conn *c, bool include_expired, int64_t now,
                               store_silence_cb cb, void *ctx)
{
    TIMED("silence_list", c->be->silence_list(c->conn, include_expired, now, cb, ctx));
}

enum result store_silence_expire(struct store_conn *c, const char *id, int64_t now)
{
    c->silences_version++;
    TIMED("silence_expire", c->be->silence_expire(c->conn, id, now));
}

enum result store_heartbeat_touch(struct store_conn *c, const char *name, int64_t at)
{
    TIMED("heartbeat_touch", c->be->heartbeat_touch(c->conn, name, at));
}

enum result store_heartbeat_list(struct store_conn *c, store_heartbeat_cb cb, void *ctx)
{
    TIMED("heartbeat_list", c->be->heartbeat_list(c->conn, cb, ctx));
}

enum result store_probe_result_insert(struct store_conn *c, const char *service,
                                      const struct store_probe_result *r)
{
    TIMED("probe_result_insert", c->be->probe_result_insert(c->conn, service, r));
}

enum result store_probe_uptime(struct store_conn *c, const char *service, int64_t since,
                               int64_t *ok, int64_t *total)
{
    TIMED("probe_uptime", c->be->probe_uptime(c->conn, service, since, ok, total));
}

enum result store_probe_last(struct store_conn *c, const char *service,
                             struct store_probe_result *out)
{
    TIMED("probe_last", c->be->probe_last(c->conn, service, out));
}

/* ---- wrappers: oncall ---- */

enum result store_override_insert(struct store_conn *c, const struct oncall_override *o)
{
    TIMED("override_insert", c->be->override_insert(c->conn, o));
}

enum result store_override_get(struct store_conn *c, const char *id, struct oncall_override *out)
{
    TIMED("override_get", c->be->override_get(c->conn, id, out));
}

enum result store_override_list(struct store_conn *c, const char *schedule, int64_t from,
                                int64_t to, store_override_cb cb, void *ctx)
{
    TIMED("override_list", c->be->override_list(c->conn, schedule, from, to, cb, ctx));
}

enum result store_override_find_overlap(struct store_conn *c, const char *schedule,
                                        const char *layer, int64_t from, int64_t to,
                                        struct oncall_override *out)
{
    TIMED("override_find_overlap",
          c->be->override_find_overlap(c->conn, schedule, layer, from, to, out));
}

enum result store_override_remove(struct store_conn *c, const char *id, int64_t now)
{
    TIMED("override_remove", c->be->override_remove(c->conn, id, now));
}

/* ---- wrappers: notify ---- */

enum result store_notification_insert(struct store_conn *c, const struct store_notification *n,
                                      int64_t *id)
{
    TIMED("notification_insert", c->be->notification_insert(c->conn, n, id));
}

enum result store_notification_get(struct store_conn *c, int64_t id, struct store_notification *out)
{
    TIMED("notification_get", c->be->notification_get(c->conn, id, out));
}

enum result store_notification_update(struct store_conn *c, const struct store_notification *n)
{
    TIMED("notification_update", c->be->notification_update(c->conn, n));
}

enum result store_notification_due(struct store_conn *c, int64_t now, int limit,
                                   store_notification_cb cb, void *ctx)
{
    TIMED("notification_due", c->be->notification_due(c->conn, now, limit, cb, ctx));
}

enum result store_notification_next_due(struct store_conn *c, int64_t *at)
{
    TIMED("notification_next_due", c->be->notification_next_due(c->conn, at));
}

enum result store_notification_list(struct store_conn *c, const char *incident_id,
                                    store_notification_cb cb, void *ctx)
{
    TIMED("notification_list", c->be->notification_list(c->conn, incident_id, cb, ctx));
}

enum result store_notification_members(struct store_conn *c, int64_t lead, store_notification_cb cb,
                                       void *ctx)
{
    TIMED("notification_members", c->be->notification_members(c->conn, lead, cb, ctx));
}

enum result store_notification_last_sent(struct store_conn *c, const char *user, const char *method,
                                         int64_t *at)
{
    TIMED("notification_last_sent", c->be->notification_last_sent(c->conn, user, method, at));
}

enum result store_notification_attempt_insert(struct store_conn *c,
                                              const struct store_notification_attempt *a)
{
    TIMED("notification_attempt_insert", c->be->notification_attempt_insert(c->conn, a));
}

enum result store_notification_attempts(struct store_conn *c, int64_t notification_id,
                                        store_attempt_cb cb, void *ctx)
{
    TIMED("notification_attempts", c->be->notification_attempts(c->conn, notification_id, cb, ctx));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void store_notification_copy(struct store_notification *dst, const struct store_notification *src)
{
    *dst = *src;
    dst->incident_id = dup_or_null(src->incident_id);
    dst->kind = dup_or_null(src->kind);
    dst->dkey = dup_or_null(src->dkey);
    dst->user_id = dup_or_null(src->user_id);
    dst->method = dup_or_null(src->method);
    dst->address = dup_or_null(src->address);
    dst->subject = dup_or_null(src->subject);
    dst->body = dup_or_null(src->body);
    dst->status = dup_or_null(src->status);
    dst->last_error = dup_or_null(src->last_error);
    dst->reason = dup_or_null(src->reason);
}

void store_notification_free_fields(struct store_notification *n)
{
    char **fields[] = {&n->incident_id, &n->kind,       &n->dkey,    &n->user_id,
                       &n->method,      &n->address,    &n->subject, &n->body,
                       &n->status,      &n->last_error, &n->reason};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* ---- wrappers: escalation ---- */

enum result store_escalation_arm(struct store_conn *c, const char *incident_id, int64_t round_start,
                                 int64_t now)
{
    TIMED("escalation_arm", c->be->escalation_arm(c->conn, incident_id, round_start, now));
}

enum result store_escalation_get(struct store_conn *c, const char *incident_id,
                                 struct escalation_state *out)
{
    TIMED("escalation_get", c->be->escalation_get(c->conn, incident_id, out));
}

enum result store_escalation_put(struct store_conn *c, const char *incident_id,
                                 const struct escalation_state *st, int64_t now)
{
    TIMED("escalation_put", c->be->escalation_put(c->conn, incident_id, st, now));
}

enum result store_escalation_due(struct store_conn *c, int64_t now, int limit, store_id_cb cb,
                                 void *ctx)
{
    TIMED("escalation_due", c->be->escalation_due(c->conn, now, limit, cb, ctx));
}

enum result store_escalation_next_due(struct store_conn *c, int64_t *at)
{
    TIMED("escalation_next_due", c->be->escalation_next_due(c->conn, at));
}

enum result store_handoff_claim(struct store_conn *c, const char *schedule, const char *layer,
                                int64_t starts_at, const char *user, int64_t now)
{
    TIMED("handoff_claim", c->be->handoff_claim(c->conn, schedule, layer, starts_at, user, now));
}
