/*
 * Unit tests for store.c + store_sqlite.c on a real SQLite file in a temp directory: open and
 * reopen, incident round trips, concurrent writers (group commit), a failing job undone alone
 * inside a shared batch, readers that see only committed data, counters and tokens. Times come
 * from a fake clock; nothing sleeps: threads meet on condition variables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/incident.h"
#include "store/store.h"
#include "store/incidents.h"
#include "store/credentials.h"
#include "jobs/timeline.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"

#include "store/store_fixture.h"

/* ---- jobs ---- */

/* Inserts one incident (and optionally bumps a counter and appends to the timeline); fails
 * after writing when asked to. */
struct insert_job {
    char id[INCIDENT_ID_MAX];
    const char *title, *severity;
    int64_t now;
    bool with_timeline;
    const char *counter;    /* bumped before the insert when not NULL */
    enum result fail_after; /* OK: do not fail */
    bool insert_twice;      /* the second insert hits the primary key */
    /* results */
    int64_t counter_value;
};

static enum result insert_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct insert_job *j = arg;
    struct incident inc;
    enum result result = OK;
    if (j->counter) {
        result = store_counter_next(tx, j->counter, &j->counter_value);
        if (result != OK)
            return error_set(err, result, "counter failed");
    }
    incident_init(&inc, j->id, j->title ? j->title : "Database is down",
                  j->severity ? j->severity : "SEV2", "db", NULL, NULL, false, j->now);
    result = store_incident_insert(tx, &inc);
    if (result != OK) {
        error_set(err, result, "insert %s failed", j->id);
        goto out;
    }
    if (j->with_timeline) {
        result = timeline_append(tx, j->now, "tester", "incident.created", j->id, NULL, NULL, err);
        if (result != OK)
            goto out;
    }
    if (j->insert_twice) {
        result = store_incident_insert(tx, &inc);
        if (result != OK) {
            error_set(err, result, "id: %s already exists", j->id);
            goto out;
        }
    }
    if (j->fail_after != OK)
        result = error_set(err, j->fail_after, "test: %s refused after writing", j->id);
out:
    incident_free_fields(&inc);
    return result;
}

static enum result write_incident(struct fixture *f, const char *id, const char *severity,
                                  int64_t now)
{
    struct insert_job j = {.severity = severity, .now = now};
    snprintf(j.id, sizeof j.id, "%s", id);
    struct error err = {0};
    return store_write(f->store, insert_fn, &j, &err);
}

static bool incident_exists(struct store *s, const char *id)
{
    struct incident inc;
    enum result result = store_incident_get(reader(s), id, &inc);
    if (result == OK) {
        incident_free_fields(&inc);
        return true;
    }
    assert_int_equal(result, ERR_NOT_FOUND);
    return false;
}

/* ---- open ---- */

static void test_open_errors(void **state)
{
    struct error err = {0};
    assert_null(store_open("oracle", "/tmp/x.db", &err));
    assert_int_equal(err.code, ERR_UNPROCESSABLE);
    assert_non_null(strstr(err.message, "oracle"));

    memset(&err, 0, sizeof err);
    assert_null(store_open("sqlite", "/nonexistent-dir-for-tocsin/sub/x.db", &err));
    assert_int_equal(err.code, ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "storage"));
}

static void test_open_driver_and_reopen(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(store_driver(f->store), "sqlite");
    assert_int_equal(write_incident(f, "INC-2026-11-23-001", "SEV1", clock_now(f->clock)), OK);
    store_close(f->store);

    /* a second open of the same file keeps the data and does not reapply migrations */
    struct error err = {0};
    f->store = store_open("sqlite", f->path, &err);
    if (!f->store)
        fail_msg("reopen: %s", err.message);
    assert_true(incident_exists(f->store, "INC-2026-11-23-001"));
    assert_int_equal(write_incident(f, "INC-2026-11-23-002", "SEV1", clock_now(f->clock)), OK);
    assert_true(incident_exists(f->store, "INC-2026-11-23-002"));
}

/* ---- incidents ---- */

struct full_job {
    struct incident *inc;
    bool update;
};

static enum result full_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct full_job *j = arg;
    enum result result =
        j->update ? store_incident_update(tx, j->inc) : store_incident_insert(tx, j->inc);
    if (result != OK)
        return error_set(err, result, "write failed");
    return OK;
}

static void assert_same_incident(const struct incident *a, const struct incident *b)
{
#define SAME_STR(f)                                                                                \
    do {                                                                                           \
        if (a->f == NULL || b->f == NULL)                                                          \
            assert_ptr_equal(a->f, b->f);                                                          \
        else                                                                                       \
            assert_string_equal(a->f, b->f);                                                       \
    } while (0)
    assert_string_equal(a->id, b->id);
    SAME_STR(title);
    SAME_STR(summary);
    SAME_STR(severity);
    SAME_STR(service);
    SAME_STR(type);
    SAME_STR(channel);
    SAME_STR(postmortem);
    for (int r = 0; r < ROLE_COUNT; r++)
        SAME_STR(roles[r]);
#undef SAME_STR
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->drill, b->drill);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->acknowledged_at, b->acknowledged_at);
    assert_int_equal(a->resolved_at, b->resolved_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->last_public_update_at, b->last_public_update_at);
}

static void test_incident_round_trip(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    int64_t now = clock_now(f->clock);
    struct incident inc, got;
    incident_init(&inc, "INC-2026-11-23-001", "Checkout \"500\" errors", "SEV1", "checkout",
                  "outage", "caf\xc3\xa9 summary", true, now);
    struct full_job j = {.inc = &inc};
    assert_int_equal(store_write(f->store, full_fn, &j, &err), OK);
    assert_int_equal(store_incident_get(reader(f->store), inc.id, &got), OK);
    assert_same_incident(&inc, &got);
    assert_true(incident_check(&got));
    incident_free_fields(&got);

    /* a duplicate id is a conflict, and nothing changes */
    assert_int_equal(store_write(f->store, full_fn, &j, &err), ERR_CONFLICT);

    /* update every field the lifecycle touches */
    char *prev = NULL;
    clock_advance(f->clock, 2 * MS_PER_MIN);
    assert_int_equal(incident_ack(&inc, clock_now(f->clock), &err), OK);
    assert_int_equal(
        incident_assign(&inc, ROLE_COMMANDER, "alice", &prev, clock_now(f->clock), &err), OK);
    assert_int_equal(incident_assign(&inc, ROLE_SCRIBE, "bob", &prev, clock_now(f->clock), &err),
                     OK);
    inc.last_public_update_at = clock_now(f->clock);
    clock_advance(f->clock, MS_PER_HOUR);
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, clock_now(f->clock), &err), OK);
    clock_advance(f->clock, MS_PER_HOUR);
    assert_int_equal(
        incident_close(&inc, NULL, NULL, "https://wiki/pm/1", clock_now(f->clock), &err), OK);
    j.update = true;
    assert_int_equal(store_write(f->store, full_fn, &j, &err), OK);
    assert_int_equal(store_incident_get(reader(f->store), inc.id, &got), OK);
    assert_same_incident(&inc, &got);
    assert_true(incident_check(&got));
    incident_free_fields(&got);

    /* unknown ids */
    assert_int_equal(store_incident_get(reader(f->store), "INC-nope", &got), ERR_NOT_FOUND);
    struct incident other;
    incident_init(&other, "INC-nope", "x", "SEV1", NULL, NULL, NULL, false, now);
    j.inc = &other;
    assert_int_equal(store_write(f->store, full_fn, &j, &err), ERR_NOT_FOUND);
    incident_free_fields(&other);
    incident_free_fields(&inc);
}

struct list_ctx {
    char ids[32][INCIDENT_ID_MAX];
    int n, stop_after;
};

static int list_cb(const struct incident *inc, void *ctx)
{
    struct list_ctx *l = ctx;
    snprintf(l->ids[l->n++], INCIDENT_ID_MAX, "%s", inc->id);
    return l->stop_after && l->n >= l->stop_after;
}

struct count_ctx {
    int64_t sev1, sev2, other;
};

static void count_cb(const char *key, int64_t n, void *ctx)
{
    struct count_ctx *c = ctx;
    if (strcmp(key, "SEV1") == 0)
        c->sev1 = n;
    else if (strcmp(key, "SEV2") == 0)
        c->sev2 = n;
    else
        c->other += n;
}

struct status_job {
    const char *id;
    enum incident_status to;
    int64_t now;
};

static enum result status_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct status_job *j = arg;
    struct incident inc;
    enum result result = store_incident_get(tx, j->id, &inc);
    if (result != OK)
        return error_set(err, result, "%s: not found", j->id);
    if (j->to == INC_CLOSED)
        result = incident_close(&inc, NULL, NULL, NULL, j->now, err);
    else
        result = incident_set_status(&inc, j->to, j->now, err);
    if (result == OK)
        result = store_incident_update(tx, &inc);
    incident_free_fields(&inc);
    return result;
}

static void test_incident_list_and_count(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    /* 5 incidents, one minute apart: 001..003 SEV1, 004..005 SEV2 */
    for (int i = 1; i <= 5; i++) {
        char id[INCIDENT_ID_MAX];
        incident_make_id(clock_now(f->clock), i, id);
        assert_int_equal(write_incident(f, id, i <= 3 ? "SEV1" : "SEV2", clock_now(f->clock)), OK);
        clock_advance(f->clock, MS_PER_MIN);
    }
    struct status_job s2 = {"INC-2026-11-23-002", INC_RESOLVED, clock_now(f->clock)};
    assert_int_equal(store_write(f->store, status_fn, &s2, &err), OK);
    struct status_job s4 = {"INC-2026-11-23-004", INC_RESOLVED, clock_now(f->clock)};
    assert_int_equal(store_write(f->store, status_fn, &s4, &err), OK);
    s4.to = INC_CLOSED;
    assert_int_equal(store_write(f->store, status_fn, &s4, &err), OK);
    struct status_job s5 = {"INC-2026-11-23-005", INC_INVESTIGATING, clock_now(f->clock)};
    assert_int_equal(store_write(f->store, status_fn, &s5, &err), OK);

    /* all, newest first */
    struct list_ctx l = {0};
    struct store_incident_filter all = {0};
    assert_int_equal(store_incident_list(reader(f->store), &all, list_cb, &l), OK);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.ids[0], "INC-2026-11-23-005");
    assert_string_equal(l.ids[4], "INC-2026-11-23-001");

    /* by status */
    memset(&l, 0, sizeof l);
    struct store_incident_filter open = {.statuses =
                                             (1 << INC_TRIGGERED) | (1 << INC_INVESTIGATING)};
    assert_int_equal(store_incident_list(reader(f->store), &open, list_cb, &l), OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.ids[0], "INC-2026-11-23-005");
    assert_string_equal(l.ids[1], "INC-2026-11-23-003");
    assert_string_equal(l.ids[2], "INC-2026-11-23-001");

    memset(&l, 0, sizeof l);
    struct store_incident_filter closed = {.statuses = 1 << INC_CLOSED};
    assert_int_equal(store_incident_list(reader(f->store), &closed, list_cb, &l), OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.ids[0], "INC-2026-11-23-004");

    /* limit, and a callback that stops early */
    memset(&l, 0, sizeof l);
    struct store_incident_filter lim = {.limit = 2};
    assert_int_equal(store_incident_list(reader(f->store), &lim, list_cb, &l), OK);
    assert_int_equal(l.n, 2);
    memset(&l, 0, sizeof l);
    l.stop_after = 3;
    assert_int_equal(store_incident_list(reader(f->store), &all, list_cb, &l), OK);
    assert_int_equal(l.n, 3);

    /* open counts by severity: SEV1 001, 003; SEV2 005 */
    struct count_ctx c = {0};
    assert_int_equal(store_incident_count_open(reader(f->store), count_cb, &c), OK);
    assert_int_equal(c.sev1, 2);
    assert_int_equal(c.sev2, 1);
    assert_int_equal(c.other, 0);
}

/* ---- group commit: many writers at once ---- */

struct writer_arg {
    struct store *store;
    int thread, n;
    int64_t now;
    enum result results[64];
};

static void *writer_thread(void *p)
{
    struct writer_arg *w = p;
    for (int i = 0; i < w->n; i++) {
        struct insert_job j = {.now = w->now + i, .with_timeline = true, .counter = "incidents"};
        snprintf(j.id, sizeof j.id, "INC-T%02d-%03d", w->thread, i);
        struct error err = {0};
        w->results[i] = store_write(w->store, insert_fn, &j, &err);
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    struct fixture *f = *state;
    enum { THREADS = 8, EACH = 25 };
    pthread_t th[THREADS];
    struct writer_arg args[THREADS];
    struct store_stats before, after;
    store_get_stats(f->store, &before);
    for (int t = 0; t < THREADS; t++) {
        memset(&args[t], 0, sizeof args[t]);
        args[t].store = f->store;
        args[t].thread = t;
        args[t].n = EACH;
        args[t].now = clock_now(f->clock);
        assert_int_equal(pthread_create(&th[t], NULL, writer_thread, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < EACH; i++)
            if (args[t].results[i] != OK)
                fail_msg("thread %d write %d: result %d", t, i, (int)args[t].results[i]);

    /* every write is readable */
    for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < EACH; i++) {
            char id[INCIDENT_ID_MAX];
            snprintf(id, sizeof id, "INC-T%02d-%03d", t, i);
            if (!incident_exists(f->store, id))
                fail_msg("%s missing", id);
        }
    }
    struct count_ctx c = {0};
    assert_int_equal(store_incident_count_open(reader(f->store), count_cb, &c), OK);
    assert_int_equal(c.sev2, THREADS * EACH);

    /* one timeline entry per write, in one linear chain; the counter saw every write */
    struct timeline_verify v;
    struct error err = {0};
    assert_int_equal(timeline_verify(reader(f->store), &v, &err), OK);
    assert_true(v.valid);
    assert_int_equal(v.entries, THREADS * EACH);

    store_get_stats(f->store, &after);
    assert_int_equal(after.jobs - before.jobs, THREADS * EACH);
    assert_true(after.commits - before.commits <= after.jobs - before.jobs);
    assert_true(after.commits > before.commits);
    assert_int_equal(after.failed_commits, before.failed_commits);
    uint64_t batches = 0;
    for (int i = 0; i < 8; i++)
        batches += after.batch_buckets[i] - before.batch_buckets[i];
    assert_int_equal(batches, after.commits - before.commits);
}

/* ---- group commit: a failing job in a shared batch is undone alone ---- */

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool blocker_running, open;
    int ready;
};

static enum result blocker_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->lock);
    g->blocker_running = true;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->lock);
    pthread_mutex_unlock(&g->lock);
    return OK;
}

struct blocker_arg {
    struct store *store;
    struct gate *gate;
    enum result result;
};

static void *blocker_thread(void *p)
{
    struct blocker_arg *b = p;
    struct error err = {0};
    b->result = store_write(b->store, blocker_fn, b->gate, &err);
    return NULL;
}

struct batch_member {
    struct store *store;
    struct gate *gate;
    struct insert_job job;
    struct error err;
    enum result result;
};

static void *member_thread(void *p)
{
    struct batch_member *m = p;
    pthread_mutex_lock(&m->gate->lock);
    m->gate->ready++;
    pthread_cond_broadcast(&m->gate->cv);
    pthread_mutex_unlock(&m->gate->lock);
    m->result = store_write(m->store, insert_fn, &m->job, &m->err);
    return NULL;
}

enum { MEMBERS = 6 };

/* Holds the writer inside a blocker job while MEMBERS writers queue up, then lets them all run.
 * Returns true when they all ran in one batch (the writer takes every queued job at once). */
static bool run_shared_batch(struct fixture *f, int round, struct batch_member *m)
{
    struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct store_stats before, after;
    store_get_stats(f->store, &before);

    struct blocker_arg b = {.store = f->store, .gate = &g};
    pthread_t bt, mt[MEMBERS];
    assert_int_equal(pthread_create(&bt, NULL, blocker_thread, &b), 0);
    pthread_mutex_lock(&g.lock);
    while (!g.blocker_running)
        pthread_cond_wait(&g.cv, &g.lock);
    pthread_mutex_unlock(&g.lock);

    for (int i = 0; i < MEMBERS; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].store = f->store;
        m[i].gate = &g;
        snprintf(m[i].job.id, sizeof m[i].job.id, "INC-R%02d-%d", round, i);
        m[i].job.now = clock_now(f->clock);
        m[i].job.with_timeline = true;
        m[i].job.counter = "batch";
    }
    m[2].job.fail_after = ERR_UNPROCESSABLE; /* refuses after writing */
    m[4].job.insert_twice = true;            /* a real constraint failure after writing */
    for (int i = 0; i < MEMBERS; i++)
        assert_int_equal(pthread_create(&mt[i], NULL, member_thread, &m[i]), 0);

    pthread_mutex_lock(&g.lock);
    while (g.ready < MEMBERS)
        pthread_cond_wait(&g.cv, &g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.lock);

    pthread_join(bt, NULL);
    for (int i = 0; i < MEMBERS; i++)
        pthread_join(mt[i], NULL);
    pthread_mutex_destroy(&g.lock);
    pthread_cond_destroy(&g.cv);
    assert_int_equal(b.result, OK);

    store_get_stats(f->store, &after);
    assert_int_equal(after.jobs - before.jobs, MEMBERS + 1);
    assert_int_equal(after.failed_commits, before.failed_commits);
    return after.commits - before.commits == 2; /* the blocker's batch, then everyone else's */
}

static void test_failing_job_undone_alone(void **state)
{
    struct fixture *f = *state;
    struct batch_member m[MEMBERS];
    int64_t entries = 0;
    bool shared = false;
    /* the members reach the queue a moment after they say they are ready; retry until one round
     * has them all in one batch (in practice the first) */
    for (int round = 0; round < 20 && !shared; round++) {
        shared = run_shared_batch(f, round, m);
        for (int i = 0; i < MEMBERS; i++) {
            bool fails = i == 2 || i == 4;
            if (!fails) {
                if (m[i].result != OK)
                    fail_msg("round %d member %d: %d %s", round, i, (int)m[i].result,
                             m[i].err.message);
                assert_true(incident_exists(f->store, m[i].job.id));
                entries++;
            } else {
                assert_false(incident_exists(f->store, m[i].job.id));
            }
        }
        /* each caller gets its own job's error, not the batch's */
        assert_int_equal(m[2].result, ERR_UNPROCESSABLE);
        assert_non_null(strstr(m[2].err.message, "refused after writing"));
        assert_int_equal(m[4].result, ERR_CONFLICT);
        assert_non_null(strstr(m[4].err.message, "already exists"));

        /* the undone jobs' counter bumps and timeline entries went with them */
        int64_t values[MEMBERS], n = 0;
        for (int i = 0; i < MEMBERS; i++)
            if (i != 2 && i != 4)
                values[n++] = m[i].job.counter_value;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                assert_int_not_equal(values[a], values[b]);
        struct timeline_verify v;
        struct error err = {0};
        assert_int_equal(timeline_verify(reader(f->store), &v, &err), OK);
        assert_true(v.valid);
        assert_int_equal(v.entries, entries);
    }
    assert_true(shared);

    /* the counter only counted the jobs that landed */
    struct insert_job j = {.now = clock_now(f->clock), .counter = "batch"};
    snprintf(j.id, sizeof j.id, "INC-last");
    struct error err = {0};
    assert_int_equal(store_write(f->store, insert_fn, &j, &err), OK);
    assert_int_equal(j.counter_value, entries + 1);
}

/* ---- readers see committed data only ---- */

struct held_job {
    struct gate *gate;
    const char *id;
    int64_t now;
};

static enum result held_insert_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct held_job *h = arg;
    struct insert_job j = {.now = h->now};
    snprintf(j.id, sizeof j.id, "%s", h->id);
    enum result result = insert_fn(tx, &j, err);
    if (result != OK)
        return result;
    /* the writer sees its own uncommitted insert */
    struct incident inc;
    if (store_incident_get(tx, h->id, &inc) != OK)
        return error_set(err, ERR_INTERNAL, "own write not visible");
    incident_free_fields(&inc);
    return blocker_fn(tx, h->gate, err);
}

struct held_arg {
    struct store *store;
    struct held_job job;
    enum result result;
};

static void *held_thread(void *p)
{
    struct held_arg *a = p;
    struct error err = {0};
    a->result = store_write(a->store, held_insert_fn, &a->job, &err);
    return NULL;
}

static void test_reader_sees_only_committed(void **state)
{
    struct fixture *f = *state;
    struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct held_arg a = {.store = f->store,
                         .job = {.gate = &g, .id = "INC-held", .now = clock_now(f->clock)}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, held_thread, &a), 0);
    pthread_mutex_lock(&g.lock);
    while (!g.blocker_running)
        pthread_cond_wait(&g.cv, &g.lock);
    pthread_mutex_unlock(&g.lock);

    /* written, not committed: invisible to readers */
    assert_false(incident_exists(f->store, "INC-held"));

    pthread_mutex_lock(&g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.lock);
    pthread_join(t, NULL);
    assert_int_equal(a.result, OK);
    /* store_write returned OK: committed and visible */
    assert_true(incident_exists(f->store, "INC-held"));
    pthread_mutex_destroy(&g.lock);
    pthread_cond_destroy(&g.cv);
}

/* ---- counters ---- */

struct counter_job {
    const char *keys[8];
    int64_t values[8];
};

static enum result counter_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct counter_job *c = arg;
    for (int i = 0; i < 8 && c->keys[i]; i++) {
        enum result result = store_counter_next(tx, c->keys[i], &c->values[i]);
        if (result != OK)
            return error_set(err, result, "counter %s", c->keys[i]);
    }
    return OK;
}

static void test_counter_next(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct counter_job c = {.keys = {"2026-11-23", "2026-11-23", "2026-11-24", "2026-11-23"}};
    assert_int_equal(store_write(f->store, counter_fn, &c, &err), OK);
    assert_int_equal(c.values[0], 1);
    assert_int_equal(c.values[1], 2);
    assert_int_equal(c.values[2], 1);
    assert_int_equal(c.values[3], 3);

    struct counter_job d = {.keys = {"2026-11-24", "2026-11-23", "other"}};
    assert_int_equal(store_write(f->store, counter_fn, &d, &err), OK);
    assert_int_equal(d.values[0], 2);
    assert_int_equal(d.values[1], 4);
    assert_int_equal(d.values[2], 1);
}

struct counter_thread_arg {
    struct store *store;
    int64_t values[20];
};

static void *counter_thread(void *p)
{
    struct counter_thread_arg *a = p;
    for (int i = 0; i < 20; i++) {
        struct counter_job c = {.keys = {"shared"}};
        struct error err = {0};
        a->values[i] = store_write(a->store, counter_fn, &c, &err) == OK ? c.values[0] : -1;
    }
    return NULL;
}

static void test_counter_concurrent_unique(void **state)
{
    struct fixture *f = *state;
    enum { THREADS = 6 };
    pthread_t th[THREADS];
    struct counter_thread_arg args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&args[t], 0, sizeof args[t]);
        args[t].store = f->store;
        assert_int_equal(pthread_create(&th[t], NULL, counter_thread, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    bool seen[THREADS * 20 + 1] = {false};
    for (int t = 0; t < THREADS; t++) {
        int64_t last = 0;
        for (int i = 0; i < 20; i++) {
            int64_t v = args[t].values[i];
            assert_true(v >= 1 && v <= THREADS * 20);
            assert_false(seen[v]);
            seen[v] = true;
            assert_true(v > last); /* each thread sees its own values grow */
            last = v;
        }
    }
}

/* ---- tokens ---- */

struct token_job {
    struct store_credential *t;
    const char *revoke;
    int64_t now;
};

static enum result token_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct token_job *j = arg;
    enum result result = j->revoke ? store_credential_revoke(tx, CRED_TOKEN, j->revoke, j->now)
                                   : store_credential_insert(tx, j->t);
    if (result != OK)
        return error_set(err, result, "token");
    return OK;
}

static int token_count_cb(const struct store_credential *t, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_tokens(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct store_credential t = {.kind = CRED_TOKEN,
                                 .id = "tok_1",
                                 .name = "ci",
                                 .role = "responder",
                                 .created_at = clock_now(f->clock)};
    crypto_sha256_hex("secret-1", 8, t.hash);
    struct token_job j = {.t = &t};
    assert_int_equal(store_write(f->store, token_fn, &j, &err), OK);

    struct store_credential got;
    assert_int_equal(store_credential_get(reader(f->store), CRED_TOKEN, "tok_1", &got), OK);
    assert_string_equal(got.name, "ci");
    assert_string_equal(got.role, "responder");
    assert_string_equal(got.hash, t.hash);
    assert_int_equal(got.created_at, t.created_at);
    assert_int_equal(got.revoked_at, 0);
    store_credential_free_fields(&got);
    assert_int_equal(store_credential_find_hash(reader(f->store), CRED_TOKEN, t.hash, &got), OK);
    assert_string_equal(got.id, "tok_1");
    store_credential_free_fields(&got);
    assert_int_equal(store_credential_get(reader(f->store), CRED_TOKEN, "tok_x", &got),
                     ERR_NOT_FOUND);

    /* a second live token with the same name is a conflict */
    struct store_credential t2 = t;
    snprintf(t2.id, sizeof t2.id, "tok_2");
    crypto_sha256_hex("secret-2", 8, t2.hash);
    j.t = &t2;
    assert_int_equal(store_write(f->store, token_fn, &j, &err), ERR_CONFLICT);

    /* revoke, then the name is free again; revoking twice is not found */
    clock_advance(f->clock, MS_PER_MIN);
    struct token_job r = {.revoke = "tok_1", .now = clock_now(f->clock)};
    assert_int_equal(store_write(f->store, token_fn, &r, &err), OK);
    assert_int_equal(store_write(f->store, token_fn, &r, &err), ERR_NOT_FOUND);
    assert_int_equal(store_credential_get(reader(f->store), CRED_TOKEN, "tok_1", &got), OK);
    assert_int_equal(got.revoked_at, clock_now(f->clock));
    store_credential_free_fields(&got);
    assert_int_equal(store_write(f->store, token_fn, &j, &err), OK);

    int n = 0;
    assert_int_equal(store_credential_list(reader(f->store), CRED_TOKEN, token_count_cb, &n), OK);
    assert_int_equal(n, 2);
}

int main(void)
{
    crypto_init();
    log_set_level(LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test_setup_teardown(test_open_driver_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incident_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incident_list_and_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_job_undone_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_sees_only_committed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_concurrent_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
