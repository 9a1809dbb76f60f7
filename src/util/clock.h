/*
 * clock: the one place tocsin reads the time. Nothing below engine/server code calls time():
 * functions take `now`. Three kinds of app clock:
 *   real  - the wall clock (CLOCK_REALTIME);
 *   fake  - starts where told and moves only by clock_advance() (unit tests);
 *   dev   - the wall clock plus an offset that clock_advance() grows (`serve --dev-clock`, so
 *           black-box tests can fast-forward without sleeping).
 * clock_now() and clock_advance() are thread-safe (atomics).
 *
 * Timed waits never use the wall clock: NTP may step it back by minutes, and a thread waiting for
 * an absolute wall instant would sleep those minutes too. A deadline on the app clock is turned
 * into a delay (deadline - now) at wait time, and the delay into an absolute CLOCK_MONOTONIC
 * instant (clock_wait_deadline) on a condvar made by clock_cond_init. See docs/internals/waits.md.
 */
#ifndef TOCSIN_CLOCK_H
#define TOCSIN_CLOCK_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

struct tclock;

struct tclock *clock_real(void); /* a shared static instance; do not free */
struct tclock *clock_fake_new(int64_t start_ms);
struct tclock *clock_dev_new(void);
void clock_free(struct tclock *c);
int64_t clock_now(const struct tclock *c);
/* Fake and dev clocks only; returns -1 on the real clock. */
int clock_advance(struct tclock *c, int64_t ms);
bool clock_is_adjustable(const struct tclock *c);
/* Monotonic milliseconds with sub-ms precision, for latency measurement only. */
double clock_mono_ms(void);
/* Initialises a condvar whose timed waits run on CLOCK_MONOTONIC; 0 or an errno. Every condvar
 * that is given to pthread_cond_timedwait must be made here. */
int clock_cond_init(pthread_cond_t *cond);
/* The CLOCK_MONOTONIC instant ms milliseconds from now (ms <= 0: now), for pthread_cond_timedwait
 * on a clock_cond_init condvar: a bounded sleep in elapsed time, whatever the wall clock or the
 * app clock does meanwhile. */
struct timespec clock_wait_deadline(int64_t ms);

/* Tests only: replaces the wall-clock reading behind the real and dev clocks (milliseconds since
 * the epoch; NULL restores CLOCK_REALTIME), so a test can step the wall clock as NTP would. No
 * timed wait depends on it. Not for production code. */
void clock_set_wall_source(int64_t (*wall_ms)(void));

#endif
