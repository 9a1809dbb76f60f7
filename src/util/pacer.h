/*
 * pacer: the handshake between a background thread that works in passes and the threads that ask
 * it for one. Used by the engine (two workers: deadlines and probes) and the notifier (one).
 *
 * A worker loops: pacer_begin (the generation this pass serves; false once stopping) -> its pass,
 * with no lock held -> pacer_end (records the pass as done for that generation, then sleeps until
 * kicked, stopping, or its next due time). pacer_kick asks every worker for a pass now;
 * pacer_sync kicks and waits (bounded) until every worker has finished a pass that began after
 * the call, which is what POST /api/v1/debug/clock needs to answer only after everything due ran.
 *
 * Invariant: completed[w] <= requested; a pass never marks a generation it did not begin with.
 * Threads: any; the struct is shared, guarded by its own mutex. Every timed wait here is on
 * CLOCK_MONOTONIC (util/clock: clock_cond_init, clock_wait_deadline), never on the wall clock.
 */
#ifndef TOCSIN_PACER_H
#define TOCSIN_PACER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct tclock;

enum { PACER_MAX_WORKERS = 4 };

struct pacer {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    bool stopping;
    uint64_t requested;
    uint64_t completed[PACER_MAX_WORKERS];
    int workers;
};

void pacer_init(struct pacer *p, int workers);
void pacer_destroy(struct pacer *p);
/* The start of a pass: false when stopping; else *gen is the generation it serves. */
bool pacer_begin(struct pacer *p, uint64_t *gen);
/* Worker w finished the pass for gen. Then, unless a kick came meanwhile or it is stopping, sleeps
 * until `next` on the caller's clock (now = that clock's time), at most max_ms (INT64_MAX next:
 * max_ms). The sleep is next - now measured on CLOCK_MONOTONIC: a wall-clock step does not
 * stretch it. */
void pacer_end(struct pacer *p, int w, uint64_t gen, int64_t next, int64_t now, int64_t max_ms);
/* The same, reading `now` from clock just before the sleep (so the time the pass took is not
 * slept again). */
void pacer_end_at(struct pacer *p, int w, uint64_t gen, int64_t next, const struct tclock *clock,
                  int64_t max_ms);
void pacer_kick(struct pacer *p);
/* Kicks, then waits until every worker finished a pass begun after the call, or timeout_ms. */
void pacer_sync(struct pacer *p, int64_t timeout_ms);
/* Sets stopping and wakes everyone (the caller joins its threads). */
void pacer_stop(struct pacer *p);
bool pacer_stopping(struct pacer *p);

#endif
