/*
 * Unit tests for the store writer's additions for ingest speed (store.c, docs/internals/store.md):
 *   - a batch of one job runs without a savepoint: a job that wrote and then failed leaves nothing;
 *   - store_submit: the job runs, the callback gets its result once, after the commit (a reader
 *     sees the row from inside the callback);
 *   - store_revocations moves after a batch that revoked an integration key, not otherwise;
 *   - store_silences_version moves on a silence insert and on a rolled-back job;
 *   - store_tx_count_after_commit adds only after a commit (not for a job or commit that failed);
 *   - the WAL is zero-filled at open (and the database still reopens with everything in it).
 * A real SQLite file in a temp directory; nothing sleeps: threads meet on condition variables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/credentials.h"
#include "store/silences.h"
#include "util/log.h"

#include "store/store_fixture.h"

static bool integration_exists(struct store *s, const char *id)
{
    struct store_credential i;
    enum result result = store_credential_get(reader(s), CRED_INTEGRATION, id, &i);
    if (result == OK)
        store_credential_free_fields(&i);
    else
        assert_int_equal(result, ERR_NOT_FOUND);
    return result == OK;
}

struct insert_job {
    const char *id;
    bool fail_after; /* refuse after writing */
};

static enum result insert_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct insert_job *j = arg;
    struct store_credential i = {
        .kind = CRED_INTEGRATION, .name = "n", .service = "svc", .type = "generic"};
    snprintf(i.id, sizeof i.id, "%s", j->id);
    snprintf(i.hash, sizeof i.hash, "%064zx", strlen(j->id) * 7919 + (size_t)j->id[0]);
    enum result result = store_credential_insert(tx, &i);
    if (result == OK && j->fail_after)
        result = error_set(err, ERR_UNPROCESSABLE, "test: %s refused after writing", j->id);
    return result;
}

static void test_single_job_failure_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct insert_job bad = {.id = "int_bad", .fail_after = true};
    assert_int_equal(store_write(f->store, insert_fn, &bad, &err), ERR_UNPROCESSABLE);
    assert_non_null(strstr(err.message, "refused after writing"));
    assert_false(integration_exists(f->store, "int_bad"));

    struct insert_job good = {.id = "int_good"};
    memset(&err, 0, sizeof err);
    assert_int_equal(store_write(f->store, insert_fn, &good, &err), OK);
    assert_true(integration_exists(f->store, "int_good"));

    struct store_stats st;
    store_get_stats(f->store, &st);
    assert_int_equal(st.failed_commits, 0); /* a job's failure is not a failed commit */
}

struct submitted {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int calls;
    enum result result;
    bool visible; /* the row, seen by a reader from inside the callback */
    struct store *store;
};

static void on_done(void *arg, enum result result)
{
    struct submitted *sub = arg;
    bool visible = integration_exists(sub->store, "int_async");
    pthread_mutex_lock(&sub->lock);
    sub->calls++;
    sub->result = result;
    sub->visible = visible;
    pthread_cond_signal(&sub->cv);
    pthread_mutex_unlock(&sub->lock);
}

static void test_submit_calls_back_after_commit(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct submitted sub = {.store = f->store};
    pthread_mutex_init(&sub.lock, NULL);
    pthread_cond_init(&sub.cv, NULL);
    struct insert_job j = {.id = "int_async"};
    store_submit(f->store, insert_fn, &j, &err, on_done, &sub);
    pthread_mutex_lock(&sub.lock);
    while (sub.calls == 0)
        pthread_cond_wait(&sub.cv, &sub.lock);
    pthread_mutex_unlock(&sub.lock);
    assert_int_equal(sub.result, OK);
    assert_true(sub.visible);

    /* a failing submitted job: its own error, once */
    struct insert_job dup = {.id = "int_async"};
    pthread_mutex_lock(&sub.lock);
    sub.calls = 0;
    pthread_mutex_unlock(&sub.lock);
    store_submit(f->store, insert_fn, &dup, &err, on_done, &sub);
    pthread_mutex_lock(&sub.lock);
    while (sub.calls == 0)
        pthread_cond_wait(&sub.cv, &sub.lock);
    pthread_mutex_unlock(&sub.lock);
    assert_int_equal(sub.result, ERR_CONFLICT);
    assert_int_equal(sub.calls, 1);
    pthread_cond_destroy(&sub.cv);
    pthread_mutex_destroy(&sub.lock);
}

static enum result revoke_fn(struct store_conn *tx, void *arg, struct error *err)
{
    return store_credential_revoke(tx, CRED_INTEGRATION, arg, 1000);
}

static void test_revocations_move_after_a_revoke(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct insert_job j = {.id = "int_rev"};
    assert_int_equal(store_write(f->store, insert_fn, &j, &err), OK);
    uint64_t before = store_revocations(f->store);
    struct insert_job other = {.id = "int_other"};
    assert_int_equal(store_write(f->store, insert_fn, &other, &err), OK);
    assert_true(store_revocations(f->store) == before); /* an insert revokes nothing */
    assert_int_equal(store_write(f->store, revoke_fn, "int_rev", &err), OK);
    assert_true(store_revocations(f->store) != before);
}

struct version_job {
    uint64_t seen;
    bool insert_silence, fail;
};

static enum result version_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct version_job *j = arg;
    enum result result = OK;
    if (j->insert_silence) {
        struct silence s = {.matchers = "{}",
                            .starts_at = 0,
                            .ends_at = 10,
                            .reason = "r",
                            .created_by = "t",
                            .created_at = 0};
        snprintf(s.id, sizeof s.id, "sil_%d", j->fail ? 1 : 2);
        result = store_silence_insert(tx, &s);
    }
    j->seen = store_silences_version(tx);
    if (result == OK && j->fail)
        result = error_set(err, ERR_UNPROCESSABLE, "test: refused");
    return result;
}

static void test_silences_version(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct version_job a = {0}, b = {0}, c = {.insert_silence = true}, d = {0},
                       e = {.insert_silence = true, .fail = true}, g = {0};
    assert_int_equal(store_write(f->store, version_fn, &a, &err), OK);
    assert_int_equal(store_write(f->store, version_fn, &b, &err), OK);
    assert_true(a.seen == b.seen); /* nothing changed silences */
    assert_int_equal(store_write(f->store, version_fn, &c, &err), OK);
    assert_int_equal(store_write(f->store, version_fn, &d, &err), OK);
    assert_true(d.seen != b.seen); /* a silence was created */
    assert_int_equal(store_write(f->store, version_fn, &e, &err), ERR_UNPROCESSABLE);
    assert_int_equal(store_write(f->store, version_fn, &g, &err), OK);
    assert_true(g.seen != e.seen); /* rolled back: what a cache read may be undone */
}

static _Atomic unsigned long long counted;

static enum result count_fn(struct store_conn *tx, void *arg, struct error *err)
{
    const bool *fail = arg;
    store_tx_count_after_commit(tx, &counted, 2);
    store_tx_count_after_commit(tx, &counted, 1); /* the same counter: added up */
    assert_int_equal(atomic_load(&counted), 0);   /* not before the commit */
    return *fail ? error_set(err, ERR_UNPROCESSABLE, "test: refused") : OK;
}

static void test_counts_after_commit_only(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    bool fail = true, ok = false;
    atomic_store(&counted, 0);
    assert_int_equal(store_write(f->store, count_fn, &fail, &err), ERR_UNPROCESSABLE);
    assert_int_equal(atomic_load(&counted), 0); /* the job rolled back: nothing counted */
    assert_int_equal(store_failpoint_arm(f->store, "commit", 1, &err), OK);
    assert_int_equal(store_write(f->store, count_fn, &ok, &err), ERR_UNAVAILABLE);
    assert_int_equal(atomic_load(&counted), 0); /* the commit failed: nothing counted */
    atomic_store(&counted, 0);
    assert_int_equal(store_write(f->store, count_fn, &ok, &err), OK);
    assert_int_equal(atomic_load(&counted), 3); /* committed: counted once */
}

static void test_wal_preallocated_and_reopens(void **state)
{
    struct fixture *f = *state;
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct stat st;
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size >= 4 * 1024 * 1024); /* zero-filled for one checkpoint period */

    struct error err = {0};
    struct insert_job j = {.id = "int_keep"};
    assert_int_equal(store_write(f->store, insert_fn, &j, &err), OK);
    store_close(f->store);
    f->store = store_open("sqlite", f->path, &err);
    if (!f->store)
        fail_msg("reopen: %s", err.message);
    assert_true(integration_exists(f->store, "int_keep"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_job_failure_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_calls_back_after_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revocations_move_after_a_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silences_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_after_commit_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_preallocated_and_reopens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
