/*
 * clock: the one place tocsin reads the time. Nothing below engine/server code calls time():
 * functions take `now`. Three kinds:
 *   real  - CLOCK_REALTIME;
 *   fake  - starts where told and moves only by clock_advance() (unit tests);
 *   dev   - real time plus an offset that clock_advance() grows (`serve --dev-clock`, so
 *           black-box tests can fast-forward without sleeping).
 * clock_now() and clock_advance() are thread-safe (atomics).
 */
#ifndef TOCSIN_CLOCK_H
#define TOCSIN_CLOCK_H

#include <stdbool.h>
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
/* The CLOCK_REALTIME instant ms milliseconds from now, for pthread_cond_timedwait (a thread's
 * bounded sleep in real time, whatever the app clock says). */
struct timespec clock_wait_deadline(int64_t ms);

#endif
