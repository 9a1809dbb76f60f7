/*
 * Unit tests for util/pacer.c (and the timed waits of util/clock.c): a worker's sleep until its
 * next deadline, kick, sync, stop, and above all that a wall clock stepped back (NTP) while a
 * worker sleeps does not stretch the sleep.
 *
 * The wall clock is injected (clock_set_wall_source): the system's wall clock is never touched.
 * Each pacer call that sleeps runs on a helper thread; the test thread waits for it on its own
 * CLOCK_MONOTONIC condvar (not the code under test), at most WATCHDOG_MS, then stops the pacer so
 * that a broken wait fails the test at once instead of hanging it. Bounds are generous: the
 * machine is shared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "util/clock.h"
#include "util/pacer.h"

enum { WATCHDOG_MS = 2000 };
#define TEN_MINUTES_MS (10LL * 60 * 1000)

/* ---- the injected wall clock: the system's plus an offset the test steps ---- */

static _Atomic int64_t wall_offset;

static int64_t system_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t stepped_wall_ms(void)
{
    return system_wall_ms() + atomic_load(&wall_offset);
}

/* ---- a helper thread and the test thread's own bounded wait for it ---- */

enum call { CALL_END_AT, CALL_END, CALL_SYNC };

struct run {
    struct pacer *pacer;
    enum call call;
    struct tclock *clock; /* CALL_END_AT */
    int64_t next, now, max_ms, sync_ms;
    uint64_t gen;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv; /* monotonic, made here: independent of util/clock */
    bool finished;
    double started_ms, finished_ms; /* clock_mono_ms */
};

static void *run_main(void *arg)
{
    struct run *r = arg;
    switch (r->call) {
    case CALL_END_AT:
        pacer_end_at(r->pacer, 0, r->gen, r->next, r->clock, r->max_ms);
        break;
    case CALL_END:
        pacer_end(r->pacer, 0, r->gen, r->next, r->now, r->max_ms);
        break;
    case CALL_SYNC:
        pacer_sync(r->pacer, r->sync_ms);
        break;
    }
    pthread_mutex_lock(&r->lock);
    r->finished_ms = clock_mono_ms();
    r->finished = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static void run_start(struct run *r)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&r->lock, NULL);
    r->finished = false;
    r->started_ms = clock_mono_ms();
    assert_int_equal(pthread_create(&r->thread, NULL, run_main, r), 0);
}

/* Waits at most WATCHDOG_MS for the call to return; if it did not, stops the pacer to free the
 * thread. Joins it. Returns how long the call took in ms, or -1 when the watchdog fired. */
static double run_finish(struct run *r)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += WATCHDOG_MS / 1000;
    pthread_mutex_lock(&r->lock);
    while (!r->finished)
        if (pthread_cond_timedwait(&r->cv, &r->lock, &until) != 0)
            break;
    bool finished = r->finished;
    pthread_mutex_unlock(&r->lock);
    if (!finished)
        pacer_stop(r->pacer);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->lock);
    return finished ? r->finished_ms - r->started_ms : -1;
}

/* Polls (under the pacer's lock, yielding in between, at most WATCHDOG_MS of elapsed time) until
 * cond holds. Not a wait on the pacer's condvars: their clock is what is under test. */
static bool poll_until(struct pacer *p, bool (*cond)(const struct pacer *, uint64_t), uint64_t arg)
{
    double give_up = clock_mono_ms() + WATCHDOG_MS;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool ok = cond(p, arg);
        pthread_mutex_unlock(&p->lock);
        if (ok)
            return true;
        if (clock_mono_ms() > give_up)
            return false;
        sched_yield();
    }
}

/* pacer_end marks gen done and sleeps without letting go of the lock in between: once this holds
 * (seen under the lock), worker 0 is inside its timed wait. */
static bool marked(const struct pacer *p, uint64_t gen)
{
    return p->completed[0] == gen;
}

/* pacer_sync asks for a generation, computes its deadline and waits without letting go of the
 * lock in between: once this holds, the caller is inside its timed wait. */
static bool requested(const struct pacer *p, uint64_t want)
{
    return p->requested >= want;
}

static int setup(void **state)
{
    (void)state;
    atomic_store(&wall_offset, 0);
    clock_set_wall_source(stepped_wall_ms);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clock_set_wall_source(NULL);
    return 0;
}

/* A pacer with one worker that has begun a pass for generation 1 (so completed[0] == 1 is news). */
static uint64_t begin_pass(struct pacer *p)
{
    pacer_init(p, 1);
    pacer_kick(p);
    uint64_t gen = 0;
    assert_true(pacer_begin(p, &gen));
    assert_int_equal(gen, 1);
    return gen;
}

/* ---- the wall clock steps back while the worker waits ---- */

/* The wall clock is 10 minutes fast; the worker sleeps until a deadline 50 ms ahead on the dev
 * clock (wall-based); NTP then steps the wall clock back 10 minutes. The worker must still wake
 * after about 50 ms of elapsed time, not 10 minutes later. */
static void test_wall_step_back_during_wait(void **state)
{
    (void)state;
    atomic_store(&wall_offset, TEN_MINUTES_MS);
    struct tclock *dev = clock_dev_new();
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END_AT, .clock = dev, .max_ms = 60 * 1000};
    r.gen = begin_pass(&p);
    r.next = clock_now(dev) + 50;
    run_start(&r);
    bool asleep = poll_until(&p, marked, r.gen);
    atomic_store(&wall_offset, 0); /* the step back, while the worker sleeps */
    double took = run_finish(&r);
    assert_true(asleep);
    if (took < 0)
        fail_msg("the worker was still asleep after %d ms: its wait followed the wall clock",
                 WATCHDOG_MS);
    assert_true(took >= 40);
    assert_true(took < WATCHDOG_MS);
    pacer_destroy(&p);
    clock_free(dev);
}

/* The same through pacer_end (now given by the caller) and the real clock. */
static void test_wall_step_back_during_wait_real_clock(void **state)
{
    (void)state;
    atomic_store(&wall_offset, TEN_MINUTES_MS);
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .max_ms = 60 * 1000};
    r.gen = begin_pass(&p);
    r.now = clock_now(clock_real());
    r.next = r.now + 50;
    run_start(&r);
    bool asleep = poll_until(&p, marked, r.gen);
    atomic_store(&wall_offset, 0);
    double took = run_finish(&r);
    assert_true(asleep);
    if (took < 0)
        fail_msg("the worker was still asleep after %d ms: its wait followed the wall clock",
                 WATCHDOG_MS);
    assert_true(took >= 40);
    pacer_destroy(&p);
}

/* pacer_sync's timeout is elapsed time too: with no worker to answer, it gives up after about
 * timeout_ms, however the wall clock moves. */
static void test_sync_timeout_survives_wall_step(void **state)
{
    (void)state;
    atomic_store(&wall_offset, TEN_MINUTES_MS);
    struct pacer p;
    pacer_init(&p, 1); /* nobody runs worker 0 */
    struct run r = {.pacer = &p, .call = CALL_SYNC, .sync_ms = 100};
    run_start(&r);
    bool asleep = poll_until(&p, requested, 1);
    atomic_store(&wall_offset, 0);
    double took = run_finish(&r);
    assert_true(asleep);
    if (took < 0)
        fail_msg("pacer_sync(100 ms) had not returned after %d ms", WATCHDOG_MS);
    assert_true(took >= 90);
    pacer_destroy(&p);
}

/* ---- the sleep itself ---- */

/* A deadline already due: no sleep at all, even with a long max_ms. */
static void test_due_deadline_does_not_sleep(void **state)
{
    (void)state;
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .now = 1000, .next = 999, .max_ms = 60 * 1000};
    r.gen = begin_pass(&p);
    run_start(&r);
    double took = run_finish(&r);
    assert_true(took >= 0);
    assert_true(took < WATCHDOG_MS);
    pacer_destroy(&p);
}

/* A far deadline (or none) sleeps max_ms at most. */
static void test_sleep_capped_by_max(void **state)
{
    (void)state;
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .now = 0, .next = INT64_MAX, .max_ms = 60};
    r.gen = begin_pass(&p);
    run_start(&r);
    double took = run_finish(&r);
    if (took < 0)
        fail_msg("a sleep capped at 60 ms lasted over %d ms", WATCHDOG_MS);
    assert_true(took >= 50);
    pacer_destroy(&p);
}

/* The fake clock (unit tests of the engine use it) does not read the wall clock at all: a
 * deadline 30 ms ahead on it is a 30 ms sleep. */
static void test_fake_clock_deadline(void **state)
{
    (void)state;
    atomic_store(&wall_offset, -TEN_MINUTES_MS);
    struct tclock *fake = clock_fake_new(5000);
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END_AT, .clock = fake, .next = 5030, .max_ms = 60000};
    r.gen = begin_pass(&p);
    run_start(&r);
    double took = run_finish(&r);
    if (took < 0)
        fail_msg("a 30 ms sleep on the fake clock lasted over %d ms", WATCHDOG_MS);
    assert_true(took >= 20);
    pacer_destroy(&p);
    clock_free(fake);
}

/* ---- kick, stop, sync ---- */

/* A kick wakes a worker sleeping toward a far deadline. */
static void test_kick_wakes_sleeper(void **state)
{
    (void)state;
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .now = 0, .next = 60000, .max_ms = 60000};
    r.gen = begin_pass(&p);
    run_start(&r);
    bool asleep = poll_until(&p, marked, r.gen);
    pacer_kick(&p);
    double took = run_finish(&r);
    assert_true(asleep);
    if (took < 0)
        fail_msg("a kick did not wake the worker within %d ms", WATCHDOG_MS);
    uint64_t gen = 0;
    assert_true(pacer_begin(&p, &gen));
    assert_int_equal(gen, 2); /* the next pass serves the kick */
    pacer_destroy(&p);
}

/* A kick that came during the pass (after pacer_begin): pacer_end does not sleep, and the pass is
 * recorded for the generation it began with, not the newer one. */
static void test_kick_during_pass_skips_sleep(void **state)
{
    (void)state;
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .now = 0, .next = 60000, .max_ms = 60000};
    r.gen = begin_pass(&p);
    pacer_kick(&p);
    run_start(&r);
    double took = run_finish(&r);
    if (took < 0)
        fail_msg("the worker slept through a kick that came during its pass");
    assert_int_equal(p.completed[0], 1);
    assert_int_equal(p.requested, 2);
    pacer_destroy(&p);
}

/* Stop wakes the sleeper; pacer_begin then says no. */
static void test_stop_wakes_and_ends(void **state)
{
    (void)state;
    struct pacer p;
    struct run r = {.pacer = &p, .call = CALL_END, .now = 0, .next = 60000, .max_ms = 60000};
    r.gen = begin_pass(&p);
    run_start(&r);
    bool asleep = poll_until(&p, marked, r.gen);
    bool stopping_before = pacer_stopping(&p);
    pacer_stop(&p);
    assert_true(run_finish(&r) >= 0);
    assert_true(asleep);
    assert_false(stopping_before);
    assert_true(pacer_stopping(&p));
    uint64_t gen = 0;
    assert_false(pacer_begin(&p, &gen));
    pacer_destroy(&p);
}

/* A real worker loop: counts the passes it begins and which generation each served. */
struct loop {
    struct pacer *pacer;
    int w;
    _Atomic uint64_t passes, last_gen;
    pthread_t thread;
};

static void *loop_main(void *arg)
{
    struct loop *l = arg;
    uint64_t gen;
    while (pacer_begin(l->pacer, &gen)) {
        atomic_fetch_add(&l->passes, 1);
        atomic_store(&l->last_gen, gen);
        pacer_end(l->pacer, l->w, gen, INT64_MAX, 0, 60 * 1000);
    }
    return NULL;
}

/* pacer_sync returns once every worker has finished a pass begun after the call: with two
 * workers idle on a one-minute sleep, it wakes both, and returns long before its timeout. */
static void test_sync_waits_for_every_worker(void **state)
{
    (void)state;
    struct pacer p;
    pacer_init(&p, 2);
    struct loop l[2] = {{.pacer = &p, .w = 0}, {.pacer = &p, .w = 1}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&l[i].thread, NULL, loop_main, &l[i]), 0);
    for (int round = 1; round <= 3; round++) {
        double t0 = clock_mono_ms();
        pacer_sync(&p, 30 * 1000);
        double took = clock_mono_ms() - t0;
        assert_true(took < WATCHDOG_MS);
        pthread_mutex_lock(&p.lock);
        uint64_t want = p.requested;
        bool done = p.completed[0] >= want && p.completed[1] >= want;
        pthread_mutex_unlock(&p.lock);
        assert_true(done);
        for (int i = 0; i < 2; i++)
            assert_true(atomic_load(&l[i].last_gen) >= want);
    }
    pacer_stop(&p);
    for (int i = 0; i < 2; i++)
        pthread_join(l[i].thread, NULL);
    pacer_destroy(&p);
}

/* One worker of two never runs: sync waits for it until the timeout, then gives up. */
static void test_sync_times_out_without_every_worker(void **state)
{
    (void)state;
    struct pacer p;
    pacer_init(&p, 2);
    struct loop l = {.pacer = &p, .w = 0};
    assert_int_equal(pthread_create(&l.thread, NULL, loop_main, &l), 0);
    double t0 = clock_mono_ms();
    pacer_sync(&p, 150);
    double took = clock_mono_ms() - t0;
    assert_true(took >= 140);
    assert_true(took < WATCHDOG_MS);
    pthread_mutex_lock(&p.lock);
    assert_int_equal(p.completed[1], 0);
    pthread_mutex_unlock(&p.lock);
    pacer_stop(&p);
    pthread_join(l.thread, NULL);
    pacer_destroy(&p);
}

/* ---- util/clock's wait helpers ---- */

static void test_wait_deadline_is_monotonic(void **state)
{
    (void)state;
    atomic_store(&wall_offset, TEN_MINUTES_MS);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct timespec d = clock_wait_deadline(1500);
    int64_t diff = ((int64_t)d.tv_sec - now.tv_sec) * 1000 + (d.tv_nsec - now.tv_nsec) / 1000000;
    assert_true(diff >= 1500 && diff < 1500 + WATCHDOG_MS);
    assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
    d = clock_wait_deadline(-5); /* past: now */
    diff = ((int64_t)d.tv_sec - now.tv_sec) * 1000 + (d.tv_nsec - now.tv_nsec) / 1000000;
    assert_true(diff >= 0 && diff < WATCHDOG_MS);
}

static void test_wall_source_moves_real_and_dev_clocks(void **state)
{
    (void)state;
    struct tclock *dev = clock_dev_new();
    assert_int_equal(clock_advance(dev, 7000), 0);
    int64_t real0 = clock_now(clock_real()), dev0 = clock_now(dev);
    atomic_store(&wall_offset, -TEN_MINUTES_MS);
    int64_t real1 = clock_now(clock_real()), dev1 = clock_now(dev);
    assert_true(real0 - real1 >= TEN_MINUTES_MS - WATCHDOG_MS);
    assert_true(real0 - real1 <= TEN_MINUTES_MS);
    assert_true(dev1 - real1 >= 7000 && dev1 - real1 < 7000 + WATCHDOG_MS);
    assert_true(dev0 - dev1 >= TEN_MINUTES_MS - WATCHDOG_MS);
    clock_set_wall_source(NULL); /* back to the system's */
    assert_true(clock_now(clock_real()) >= real0 - WATCHDOG_MS);
    clock_free(dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wall_step_back_during_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wall_step_back_during_wait_real_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_timeout_survives_wall_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_due_deadline_does_not_sleep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sleep_capped_by_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fake_clock_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kick_wakes_sleeper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kick_during_pass_skips_sleep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_wakes_and_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_waits_for_every_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_times_out_without_every_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_deadline_is_monotonic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wall_source_moves_real_and_dev_clocks, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
