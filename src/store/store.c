/*
 * store: the front end's core. Picks a backend, owns the writer thread (group commit), the
 * per-thread reader connections and the failpoints. The per-resource wrappers (timing, flags,
 * failpoints) are generated in src/store/<resource>.c from each resource's list (store_ops.h).
 *
 * Writer thread: loop { wait for jobs; take them all (up to STORE_MAX_BATCH); BEGIN; for each job
 * SAVEPOINT, run, RELEASE or ROLLBACK TO; COMMIT; record each job's result; wake the callers }.
 * A batch of one job runs without a savepoint: a failure rolls the whole transaction back.
 * A caller's job struct lives on its stack until it is woken, so nothing is allocated per write.
 * If COMMIT fails every job of the batch gets ERR_UNAVAILABLE: none of them is reported done.
 *
 * Failpoints: a small table under fp_lock; `armed` counts the armed entries, so the wrappers'
 * fast path is one relaxed load of it. Names are checked against the registered resources' ops.
 */
#include "store/store.h"
#include "store/nodes.h"
#include "util/clock.h"
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* STORE_GATHER_US: how long the writer waits, at most, for requests still being prepared before
 * it starts a batch without them (group commit; docs/internals/store.md). The wait for the
 * callers of the last batch to come back is at most a STORE_RETURN_SHARE-th of that batch's
 * duration and at most STORE_RETURN_MAX_US, so it costs a queued job at most a quarter of the
 * commit it waits for anyway. */
enum {
    STORE_MAX_BATCH = 1024,
    STORE_SLOW_MS = 250,
    STORE_GATHER_US = 300,
    STORE_RETURN_SHARE = 4,
    STORE_RETURN_MAX_US = 2000
};

enum { STORE_FAILPOINTS = 8, STORE_FAILPOINT_NAME = 48 };

/* The resources whose operation names failpoints accept: each src/store/<r>.c registers its own
 * before main() (store_ops.h); read only after that. */
static struct store_resource *resources;

void store_resource_register(struct store_resource *r)
{
    r->next = resources;
    resources = r;
}

/* head first: the generated wrappers see it (store_ops.h); revoked: writer only, this batch
 * revoked a credential (store_revocations); silences_version: store_silences_version. */
struct store_conn {
    struct store_conn_head h;
    struct store_conn *next_reader;
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
    bool announced; /* its caller had announced it (store_expect): it may write again soon */
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
    /* Callers of the last batch that announced their write and have not announced another since
     * (store_expect counts them down); queued_while_busy: a job now queued found the writer
     * busy, i.e. it waits for a commit anyway; last_batch_us: how long the last batch took. */
    _Atomic int returning;
    bool queued_while_busy;
    long last_batch_us;

    pthread_key_t reader_key;
    pthread_mutex_t readers_lock;
    struct store_conn *readers;

    pthread_mutex_t stats_lock;
    struct store_stats stats;

    _Atomic uint64_t revocations;    /* batches that revoked something, counted after their end */
    _Atomic uint64_t invalidations;  /* store_invalidate_caches calls (another node's changes) */
    _Atomic uint64_t public_changes; /* batches that may have changed the status page, likewise */

    pthread_mutex_t fp_lock;
    _Atomic int armed; /* entries of fp[] with count > 0 */
    struct {
        char name[STORE_FAILPOINT_NAME];
        int count;
    } fp[STORE_FAILPOINTS];
};

const double store_commit_bucket_ms[12] = {0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, -1};
const double store_batch_bucket[8] = {1, 2, 4, 8, 16, 64, 256, -1};

static const struct {
    const char *driver;
    const struct store_backend *be;
} backends[] = {{"sqlite", &store_backend_sqlite}, {"postgres", &store_backend_pg}};

/* Does every registered resource have a table for backend id? err names the first that does
 * not (a backend still being written is refused at start, never half used). */
static bool backend_complete(const char *driver, enum store_backend_id id, struct error *err)
{
    for (const struct store_resource *r = resources; r; r = r->next)
        if (!r->backends[id]) {
            error_set(err, ERR_UNPROCESSABLE,
                      "storage.driver: the %s backend does not implement the %s operations yet",
                      driver, r->name);
            return false;
        }
    return true;
}

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

/* Adds n to the counter's entry in counts (a new one when there is room: false otherwise). */
static bool count_add(struct store_tx_count *counts, size_t *ncounts,
                      _Atomic unsigned long long *counter, unsigned long long n)
{
    for (size_t i = 0; i < *ncounts; i++)
        if (counts[i].counter == counter) {
            counts[i].n += n;
            return true;
        }
    if (*ncounts == STORE_TX_COUNTS_MAX)
        return false;
    counts[(*ncounts)++] = (struct store_tx_count){.counter = counter, .n = n};
    return true;
}

/* The running job succeeded: its deferred counts join the batch's. */
static void keep_job_counts(struct store_conn_head *h)
{
    for (size_t i = 0; i < h->job_ncounts; i++)
        if (!count_add(h->batch_counts, &h->batch_ncounts, h->job_counts[i].counter,
                       h->job_counts[i].n))
            atomic_fetch_add(h->job_counts[i].counter, h->job_counts[i].n); /* no room: now */
    h->job_ncounts = 0;
}

void store_tx_count_after_commit(struct store_conn *tx, _Atomic unsigned long long *counter,
                                 unsigned long long n)
{
    struct store_conn_head *h = &tx->h;
    if (!count_add(h->job_counts, &h->job_ncounts, counter, n))
        atomic_fetch_add(counter, n); /* more distinct counters than room: counted now */
}

/* Runs one batch in one transaction. Returns the number of jobs it finished. */
static void run_batch(struct store *s, struct store_job *batch, size_t n)
{
    const struct store_backend *be = s->be;
    void *c = s->writer.h.conn;
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
        s->writer.h.job_ncounts = 0;
        j->result = j->fn(&s->writer, j->arg, j->err);
        if (j->result != OK)
            s->writer.h.silences_version++; /* whatever the job read may be undone */
        else
            keep_job_counts(&s->writer.h);
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
    /* Another node's caches learn of a revocation or a silence change through this counter
     * (runtime/cluster.c watches it), bumped in the same transaction as the change. */
    if (ok && !failed_alone && s->writer.h.shared_changed &&
        store_cluster_bump(&s->writer, CLUSTER_KEY_CACHES) != OK)
        ok = false;
    s->writer.h.shared_changed = false;
    /* Several nodes (PostgreSQL): the others' status page caches learn of a public change
     * through this counter (runtime/cluster.c); one SQLite file has one node, nothing to tell. */
    if (ok && !failed_alone && s->writer.h.public_changed && store_shared(s) &&
        store_cluster_bump(&s->writer, CLUSTER_KEY_PUBLIC) != OK)
        ok = false;
    if (ok && !failed_alone && store_failpoint_take(s, "commit")) {
        ok = false;
        be->rollback(c);
    } else if (ok && !failed_alone) {
        ok = be->commit(c) == OK;
    } else {
        be->rollback(c);
    }
    if (!ok)
        s->writer.h.silences_version++;
    double ms = clock_mono_ms() - t0;
    record_commit(s, ms, n, ok);
    if (ms > STORE_SLOW_MS)
        log_warn("store: slow commit of %zu jobs: %.1f ms", n, ms);
    if (!ok) {
        for (struct store_job *j = batch; j; j = j->next)
            j->result = error_set(j->err, ERR_UNAVAILABLE,
                                  "store: the write could not be committed; nothing was changed");
    }
    for (size_t i = 0; ok && i < s->writer.h.batch_ncounts; i++) /* the jobs' metrics */
        atomic_fetch_add(s->writer.h.batch_counts[i].counter, s->writer.h.batch_counts[i].n);
    s->writer.h.batch_ncounts = 0;
    /* Counted after the commit and before any caller is woken: a credential cache entry made
     * from a read that began before this point is stale from now on (store_revocations). */
    if (s->writer.h.revoked) {
        s->writer.h.revoked = false;
        atomic_fetch_add(&s->revocations, 1);
    }
    /* Likewise: a status page rendered from a read that began before this point is stale. */
    if (s->writer.h.public_changed) {
        s->writer.h.public_changed = false;
        atomic_fetch_add(&s->public_changes, 1);
    }
}

bool store_failpoint_armed(struct store *s)
{
    return atomic_load(&s->armed) > 0;
}

uint64_t store_revocations(struct store *s)
{
    return atomic_load(&s->revocations);
}

void store_note_public_change(struct store *s)
{
    atomic_fetch_add(&s->public_changes, 1);
}

void store_tx_public_change(struct store_conn *tx)
{
    tx->h.public_changed = true;
}

uint64_t store_public_changes(struct store *s)
{
    return atomic_load(&s->public_changes);
}

uint64_t store_silences_version(const struct store_conn *tx)
{
    return tx->h.silences_version + atomic_load(&tx->h.store->invalidations);
}

void store_invalidate_caches(struct store *s)
{
    atomic_fetch_add(&s->invalidations, 1);
    atomic_fetch_add(&s->revocations, 1);
}

static _Thread_local struct store *expecting; /* the store this thread announced a write to */

void store_expect(struct store *s)
{
    if (expecting)
        store_expect_end(expecting);
    expecting = s;
    atomic_fetch_add(&s->expected, 1);
    if (atomic_load(&s->returning) > 0)
        atomic_fetch_sub(&s->returning, 1); /* a racing undercount only ends a wait sooner */
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
 * commit instead of each paying for the next one. And when the queued jobs found the writer busy
 * (they waited for the last commit anyway) while callers of that commit have not come back yet,
 * wait for those too, at most a STORE_RETURN_SHARE-th of that commit's duration (and
 * STORE_RETURN_MAX_US): with N clients
 * that each wait for their answer, batches otherwise settle into two halves taking turns, each
 * commit carrying N/2 of them. A job that found the writer idle and nothing else in flight is
 * never held: it starts its commit at once. Caller holds s->lock. */
static void gather(struct store *s)
{
    long wait_us = 0;
    if (atomic_load(&s->expected) > 0)
        wait_us = STORE_GATHER_US;
    bool company = s->queued_while_busy && atomic_load(&s->returning) > 0;
    if (company) {
        long share = s->last_batch_us / STORE_RETURN_SHARE;
        if (share > wait_us)
            wait_us = share < STORE_RETURN_MAX_US ? share : STORE_RETURN_MAX_US;
    }
    if (wait_us <= 0)
        return;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += wait_us * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    s->writer_gathering = true;
    while (!s->stopping &&
           (atomic_load(&s->expected) > 0 || (company && atomic_load(&s->returning) > 0)))
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
        s->queued_while_busy = s->head != NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->lock);

        double t0 = clock_mono_ms();
        run_batch(s, batch, n);
        int announced = 0;
        for (const struct store_job *j = batch; j; j = j->next)
            announced += j->announced;
        /* before any caller is woken: each counts itself off when it announces its next write */
        atomic_store(&s->returning, announced);
        s->last_batch_us = (long)((clock_mono_ms() - t0) * 1000.0);

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
    if (!s->writer_idle)
        s->queued_while_busy = true;
    if (expecting == s) {
        job->announced = true;
        expect_done_locked(s); /* signals a gathering writer when this was the last one */
    }
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

static _Atomic int next_slot; /* statement slots handed out so far, process-wide */

int store_stmt_slot(_Atomic int *slot)
{
    int have = atomic_load_explicit(slot, memory_order_relaxed);
    if (have)
        return have - 1;
    int mine = atomic_fetch_add(&next_slot, 1) + 1, seen = 0;
    if (!atomic_compare_exchange_strong(slot, &seen, mine))
        mine = seen; /* another thread gave it one first; ours stays unused */
    return mine - 1;
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
    if (!backend_complete(driver, be->id, err))
        return NULL;
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
    s->be = be;
    s->driver = xstrdup(driver);
    s->target = xstrdup(target);
    s->writer.h = (struct store_conn_head){
        .conn = wc, .backend = be->id, .store = s, .armed = &s->armed, .silences_version = base};
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->fp_lock, NULL);
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
        s->be->disconnect(r->h.conn);
        free(r);
        r = next;
    }
    s->be->disconnect(s->writer.h.conn);
    pthread_key_delete(s->reader_key);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->readers_lock);
    pthread_mutex_destroy(&s->stats_lock);
    pthread_mutex_destroy(&s->fp_lock);
    pthread_cond_destroy(&s->work_cv);
    free(s->driver);
    free(s->target);
    free(s);
}

static const struct store_backend *backend_named(const char *driver, struct error *err)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i].driver, driver) == 0 && backends[i].be)
            return backends[i].be;
    error_set(err, ERR_UNPROCESSABLE, "storage.driver: \"%s\" is not available", driver);
    return NULL;
}

/* A check connection belongs to no store: no failpoint can be armed on it. */
static const _Atomic int never_armed;

struct store_conn *store_check_open(const char *driver, const char *target, struct error *err)
{
    const struct store_backend *be = backend_named(driver, err);
    if (!be || !backend_complete(driver, be->id, err))
        return NULL;
    void *c = be->connect(target, false, err);
    if (!c)
        return NULL;
    struct store_conn *r = xcalloc(1, sizeof *r);
    r->h = (struct store_conn_head){.conn = c, .backend = be->id, .armed = &never_armed};
    return r;
}

static const struct store_backend *backend_of(const struct store_conn *c)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i].be && backends[i].be->id == c->h.backend)
            return backends[i].be;
    return NULL; /* not reached: store_check_open made c with one of them */
}

enum result store_check(struct store_conn *c, bool full, struct error *err)
{
    const struct store_backend *be = backend_of(c);
    return be ? be->check(c->h.conn, full, err)
              : error_set(err, ERR_INTERNAL, "store: a connection of no backend");
}

enum result store_backup(struct store_conn *c, const char *dest, struct error *err)
{
    const struct store_backend *be = backend_of(c);
    if (!be)
        return error_set(err, ERR_INTERNAL, "store: a connection of no backend");
    if (!be->backup)
        return error_set(err, ERR_UNPROCESSABLE,
                         "store: the %s backend has no backup of its own: use its tools "
                         "(PostgreSQL: pg_dump; docs/security.md \"Backups\")",
                         be->name);
    return be->backup(c->h.conn, dest, err);
}

void store_check_close(struct store_conn *c)
{
    if (!c)
        return;
    const struct store_backend *be = backend_of(c);
    if (be)
        be->disconnect(c->h.conn);
    free(c);
}

bool store_shared(const struct store *s)
{
    return s->be->id == STORE_PG;
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
    r->h =
        (struct store_conn_head){.conn = c, .backend = s->be->id, .store = s, .armed = &s->armed};
    pthread_mutex_lock(&s->readers_lock);
    r->next_reader = s->readers;
    s->readers = r;
    pthread_mutex_unlock(&s->readers_lock);
    pthread_setspecific(s->reader_key, r);
    return r;
}

void store_op_timed(const char *op, double started_ms)
{
    double ms = clock_mono_ms() - started_ms;
    if (ms > STORE_SLOW_MS)
        log_warn("store: slow %s: %.1f ms", op, ms);
}

static bool failpoint_known(const char *point)
{
    if (strcmp(point, "commit") == 0)
        return true;
    for (const struct store_resource *r = resources; r; r = r->next)
        for (size_t k = 0; k < r->count; k++)
            if (strcmp(r->ops[k], point) == 0)
                return true;
    return false;
}

enum result store_failpoint_arm(struct store *s, const char *point, int count, struct error *err)
{
    enum result result = OK;
    if (!failpoint_known(point) || count < 0)
        return error_set(err, ERR_BAD_REQUEST, "store: no failpoint named \"%s\"", point);
    pthread_mutex_lock(&s->fp_lock);
    int slot = -1, armed = 0;
    for (int i = 0; i < STORE_FAILPOINTS && slot < 0; i++) /* the point's own entry */
        if (s->fp[i].count > 0 && strcmp(s->fp[i].name, point) == 0)
            slot = i;
    for (int i = 0; i < STORE_FAILPOINTS && slot < 0 && count > 0; i++) /* else a free one */
        if (s->fp[i].count == 0)
            slot = i;
    if (slot < 0 && count > 0) {
        result = error_set(err, ERR_BAD_REQUEST, "store: too many failpoints armed");
        goto out;
    }
    if (slot >= 0) {
        snprintf(s->fp[slot].name, sizeof s->fp[slot].name, "%s", point);
        s->fp[slot].count = count;
    }
    for (int i = 0; i < STORE_FAILPOINTS; i++)
        armed += s->fp[i].count > 0;
    atomic_store(&s->armed, armed);
    log_info("store: failpoint %s armed for %d calls", point, count);
out:
    pthread_mutex_unlock(&s->fp_lock);
    return result;
}

bool store_failpoint_take(struct store *s, const char *op)
{
    if (atomic_load_explicit(&s->armed, memory_order_relaxed) == 0)
        return false;
    bool hit = false;
    pthread_mutex_lock(&s->fp_lock);
    for (int i = 0; i < STORE_FAILPOINTS && !hit; i++) {
        if (s->fp[i].count > 0 && strcmp(s->fp[i].name, op) == 0) {
            hit = true;
            if (--s->fp[i].count == 0)
                atomic_fetch_sub(&s->armed, 1);
        }
    }
    pthread_mutex_unlock(&s->fp_lock);
    if (hit)
        log_warn("store: failpoint %s", op);
    return hit;
}
