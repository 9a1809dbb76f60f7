/* pacer: see pacer.h. */
#include "util/pacer.h"
#include "util/clock.h"

#include "util/log.h"

#include <errno.h>

void pacer_init(struct pacer *p, int workers)
{
    *p = (struct pacer){.workers = workers};
    pthread_mutex_init(&p->lock, NULL);
    if (clock_cond_init(&p->wake) != 0 || clock_cond_init(&p->done) != 0)
        fatal("pacer: cannot create a monotonic condition variable");
}

void pacer_destroy(struct pacer *p)
{
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
}

bool pacer_begin(struct pacer *p, uint64_t *gen)
{
    pthread_mutex_lock(&p->lock);
    bool go = !p->stopping;
    *gen = p->requested;
    pthread_mutex_unlock(&p->lock);
    return go;
}

/* Caller holds p->lock. The deadline on the app clock becomes a delay here, and the delay a
 * monotonic instant: a wall clock stepped back meanwhile does not lengthen the sleep. */
static void finish_and_sleep(struct pacer *p, int w, uint64_t gen, int64_t next, int64_t now,
                             int64_t max_ms)
{
    p->completed[w] = gen;
    pthread_cond_broadcast(&p->done);
    int64_t sleep = next == INT64_MAX ? max_ms : next - now;
    if (sleep > max_ms)
        sleep = max_ms;
    if (!p->stopping && p->requested == gen && sleep > 0) {
        struct timespec ts = clock_wait_deadline(sleep);
        pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    }
}

void pacer_end(struct pacer *p, int w, uint64_t gen, int64_t next, int64_t now, int64_t max_ms)
{
    pthread_mutex_lock(&p->lock);
    finish_and_sleep(p, w, gen, next, now, max_ms);
    pthread_mutex_unlock(&p->lock);
}

void pacer_end_at(struct pacer *p, int w, uint64_t gen, int64_t next, const struct tclock *clock,
                  int64_t max_ms)
{
    pthread_mutex_lock(&p->lock);
    finish_and_sleep(p, w, gen, next, clock_now(clock), max_ms);
    pthread_mutex_unlock(&p->lock);
}

void pacer_kick(struct pacer *p)
{
    pthread_mutex_lock(&p->lock);
    p->requested++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

static bool all_done(const struct pacer *p, uint64_t want)
{
    for (int w = 0; w < p->workers; w++)
        if (p->completed[w] < want)
            return false;
    return true;
}

void pacer_sync(struct pacer *p, int64_t timeout_ms)
{
    pthread_mutex_lock(&p->lock);
    uint64_t want = ++p->requested;
    pthread_cond_broadcast(&p->wake);
    struct timespec ts = clock_wait_deadline(timeout_ms);
    while (!all_done(p, want) && !p->stopping)
        if (pthread_cond_timedwait(&p->done, &p->lock, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&p->lock);
}

void pacer_stop(struct pacer *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
}

bool pacer_stopping(struct pacer *p)
{
    pthread_mutex_lock(&p->lock);
    bool s = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return s;
}
