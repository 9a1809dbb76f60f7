/* clock: see clock.h. */
#include "util/clock.h"
#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

enum clock_kind { CLOCK_KIND_REAL, CLOCK_KIND_FAKE, CLOCK_KIND_DEV };

struct tclock {
    enum clock_kind kind;
    _Atomic int64_t value; /* fake: the time; dev: the offset; real: unused */
};

static struct tclock real_clock = {.kind = CLOCK_KIND_REAL};

static int64_t system_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef int64_t (*wall_fn)(void);
static _Atomic(wall_fn) wall_source = system_wall_ms;

void clock_set_wall_source(int64_t (*wall_ms)(void))
{
    atomic_store(&wall_source, wall_ms ? wall_ms : system_wall_ms);
}

static int64_t realtime_ms(void)
{
    return atomic_load(&wall_source)();
}

struct tclock *clock_real(void)
{
    return &real_clock;
}

struct tclock *clock_fake_new(int64_t start_ms)
{
    struct tclock *c = xcalloc(1, sizeof *c);
    c->kind = CLOCK_KIND_FAKE;
    atomic_store(&c->value, start_ms);
    return c;
}

struct tclock *clock_dev_new(void)
{
    struct tclock *c = xcalloc(1, sizeof *c);
    c->kind = CLOCK_KIND_DEV;
    return c;
}

void clock_free(struct tclock *c)
{
    if (c && c != &real_clock)
        free(c);
}

int64_t clock_now(const struct tclock *c)
{
    switch (c->kind) {
    case CLOCK_KIND_FAKE:
        return atomic_load(&c->value);
    case CLOCK_KIND_DEV:
        return realtime_ms() + atomic_load(&c->value);
    default:
        return realtime_ms();
    }
}

int clock_advance(struct tclock *c, int64_t ms)
{
    if (c->kind == CLOCK_KIND_REAL)
        return -1;
    atomic_fetch_add(&c->value, ms);
    return 0;
}

bool clock_is_adjustable(const struct tclock *c)
{
    return c->kind != CLOCK_KIND_REAL;
}

double clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

struct timespec clock_wait_deadline(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (ms < 0)
        ms = 0;
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
