/*
 * ratelimit: token buckets keyed by a string (the integration id), refilled continuously at
 * `per_minute`, holding at most `burst`. In memory only: a restart refills every bucket, which
 * errs on the side of accepting alerts. Thread-safe (one mutex; the critical section is a few
 * arithmetic operations).
 */
#ifndef TOCSIN_RATELIMIT_H
#define TOCSIN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* Takes `cost` tokens for key at time now. false when there are not enough; *retry_after_s is
 * then how long until there will be. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                    int64_t burst, int64_t cost, int64_t *retry_after_s);
/* ratelimit_take without taking: whether `cost` tokens are there now (the web UI checks before a
 * sign-in and takes only when it fails). */
bool ratelimit_check(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                     int64_t burst, int64_t cost, int64_t *retry_after_s);

#endif
