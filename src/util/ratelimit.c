/* ratelimit: see ratelimit.h. Buckets live in a small open hash table that grows. */
#include "util/ratelimit.h"
#include "util/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
    char *key;
    double tokens;
    int64_t at; /* when tokens was computed */
};

struct ratelimit {
    pthread_mutex_t lock;
    struct bucket *slots;
    size_t cap, used;
};

struct ratelimit *ratelimit_new(void)
{
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->lock, NULL);
    rl->cap = 64;
    rl->slots = xcalloc(rl->cap, sizeof *rl->slots);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (size_t i = 0; i < rl->cap; i++)
        free(rl->slots[i].key);
    free(rl->slots);
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct bucket *lookup(struct bucket *slots, size_t cap, const char *key)
{
    size_t i = hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(struct ratelimit *rl)
{
    size_t cap = rl->cap * 2;
    struct bucket *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < rl->cap; i++)
        if (rl->slots[i].key)
            *lookup(slots, cap, rl->slots[i].key) = rl->slots[i];
    free(rl->slots);
    rl->slots = slots;
    rl->cap = cap;
}

static bool take(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                 int64_t burst, int64_t cost, bool consume, int64_t *retry_after_s)
{
    pthread_mutex_lock(&rl->lock);
    if ((rl->used + 1) * 2 > rl->cap)
        grow(rl);
    struct bucket *b = lookup(rl->slots, rl->cap, key);
    if (!b->key) {
        b->key = xstrdup(key);
        b->tokens = (double)burst;
        b->at = now;
        rl->used++;
    }
    double rate = (double)per_minute / 60000.0; /* tokens per ms */
    if (now > b->at) {
        b->tokens += (double)(now - b->at) * rate;
        if (b->tokens > (double)burst)
            b->tokens = (double)burst;
        b->at = now;
    }
    bool ok = b->tokens >= (double)cost;
    if (ok) {
        if (consume)
            b->tokens -= (double)cost;
    } else if (retry_after_s) {
        /* the least whole number of seconds that is enough: ceil, not floor + 1 (which said 2 s
         * when exactly 1 s was needed); at least 1 */
        double wait_ms = ((double)cost - b->tokens) / rate;
        int64_t ms = (int64_t)wait_ms;
        if ((double)ms < wait_ms)
            ms++;
        int64_t secs = (ms + 999) / 1000;
        *retry_after_s = secs > 0 ? secs : 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                    int64_t burst, int64_t cost, int64_t *retry_after_s)
{
    return take(rl, key, now, per_minute, burst, cost, true, retry_after_s);
}

bool ratelimit_check(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                     int64_t burst, int64_t cost, int64_t *retry_after_s)
{
    return take(rl, key, now, per_minute, burst, cost, false, retry_after_s);
}
