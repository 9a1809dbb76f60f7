/*
 * Unit tests for util/ratelimit.c: a new key starts full, continuous refill over the injected
 * `now`, the burst cap, cost > 1, retry_after_s (the least whole number of seconds that is
 * enough), keys kept apart across table growth, and time going backwards. Pure: every time is
 * passed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "util/ratelimit.h"

#define T0 (1795425900LL * 1000)
#define SEC 1000LL

static bool take(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                 int64_t burst, int64_t cost)
{
    int64_t retry = -7;
    bool ok = ratelimit_take(rl, key, now, per_minute, burst, cost, &retry);
    if (ok)
        assert_int_equal(retry, -7); /* untouched on success */
    return ok;
}

/* Takes single tokens at now until refused; returns how many were granted (at most limit). */
static int drain(struct ratelimit *rl, const char *key, int64_t now, int64_t per_minute,
                 int64_t burst, int limit)
{
    int n = 0;
    while (n < limit && take(rl, key, now, per_minute, burst, 1))
        n++;
    return n;
}

/* A new key holds `burst` tokens: exactly that many pass at one instant. */
static void test_new_key_starts_full(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    assert_int_equal(drain(rl, "k", T0, 60, 5, 100), 5);
    assert_false(take(rl, "k", T0, 60, 5, 1));
    ratelimit_free(rl);
}

/* 60/minute = one token a second, refilled continuously (half a token after 500 ms). */
static void test_refill_over_now(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    assert_int_equal(drain(rl, "k", T0, 60, 3, 100), 3);
    assert_false(take(rl, "k", T0 + 999, 60, 3, 1));
    assert_true(take(rl, "k", T0 + 1000, 60, 3, 1));
    assert_false(take(rl, "k", T0 + 1000, 60, 3, 1));
    /* two half-tokens add up */
    assert_false(take(rl, "k", T0 + 1500, 60, 3, 1));
    assert_true(take(rl, "k", T0 + 2000, 60, 3, 1));
    /* 2.5 s later: two whole tokens */
    assert_int_equal(drain(rl, "k", T0 + 4500, 60, 3, 100), 2);
    ratelimit_free(rl);
}

/* Idle for an hour: the bucket holds burst, not an hour's worth. */
static void test_burst_caps_refill(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    assert_int_equal(drain(rl, "k", T0, 600, 4, 100), 4);
    assert_int_equal(drain(rl, "k", T0 + 3600 * SEC, 600, 4, 100), 4);
    ratelimit_free(rl);
}

/* A batch costs its size: all or nothing, and a refused batch takes nothing. */
static void test_cost_above_one(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    assert_true(take(rl, "k", T0, 60, 10, 7));
    assert_false(take(rl, "k", T0, 60, 10, 4)); /* 3 left */
    assert_true(take(rl, "k", T0, 60, 10, 3));  /* the refusal took nothing */
    assert_false(take(rl, "k", T0, 60, 10, 1));
    assert_true(take(rl, "k", T0 + 5 * SEC, 60, 10, 5));
    /* more than the bucket can ever hold: refused even when full (callers cap the cost) */
    assert_false(take(rl, "big", T0, 60, 10, 11));
    assert_true(take(rl, "big", T0, 60, 10, 10));
    ratelimit_free(rl);
}

/* retry_after_s is the least whole number of seconds after which the same take succeeds. */
static void assert_retry_exact(int64_t per_minute, int64_t burst, int64_t cost, int64_t spent_at,
                               int64_t ask_at)
{
    struct ratelimit *rl = ratelimit_new();
    assert_true(take(rl, "k", spent_at, per_minute, burst, burst)); /* empty it */
    int64_t retry = -1;
    assert_false(ratelimit_take(rl, "k", ask_at, per_minute, burst, cost, &retry));
    assert_true(retry >= 1);
    ratelimit_free(rl);
    /* one second less is not enough (fresh state: a refused take changes nothing) */
    rl = ratelimit_new();
    assert_true(take(rl, "k", spent_at, per_minute, burst, burst));
    if (take(rl, "k", ask_at + (retry - 1) * SEC, per_minute, burst, cost))
        fail_msg("retry_after_s = %lld, but %lld s was enough (per_minute %lld, cost %lld)",
                 (long long)retry, (long long)(retry - 1), (long long)per_minute, (long long)cost);
    ratelimit_free(rl);
    rl = ratelimit_new();
    assert_true(take(rl, "k", spent_at, per_minute, burst, burst));
    if (!take(rl, "k", ask_at + retry * SEC, per_minute, burst, cost))
        fail_msg("retry_after_s = %lld was not enough (per_minute %lld, cost %lld)",
                 (long long)retry, (long long)per_minute, (long long)cost);
    ratelimit_free(rl);
}

static void test_retry_after(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    int64_t retry = -1;
    assert_int_equal(drain(rl, "k", T0, 60, 2, 100), 2);
    assert_false(ratelimit_take(rl, "k", T0, 60, 2, 1, &retry));
    assert_int_equal(retry, 1); /* one token a second, none left: 1 s */
    assert_false(ratelimit_take(rl, "k", T0 + 400, 60, 2, 1, &retry));
    assert_int_equal(retry, 1); /* 0.6 s to go: rounds up to 1 */
    assert_false(ratelimit_take(rl, "k", T0, 60, 2, 2, &retry));
    assert_int_equal(retry, 2);
    assert_false(ratelimit_take(rl, "k", T0, 6, 2, 1, NULL)); /* NULL retry is allowed */
    ratelimit_free(rl);

    assert_retry_exact(60, 2, 1, T0, T0);         /* whole seconds */
    assert_retry_exact(60, 5, 3, T0, T0 + 250);   /* partly refilled */
    assert_retry_exact(7, 3, 2, T0, T0 + 1234);   /* a rate that is not a whole number a second */
    assert_retry_exact(1, 1, 1, T0, T0);          /* one a minute: 60 s */
    assert_retry_exact(6000, 10, 10, T0, T0 + 1); /* fast: under a second still says 1 */
}

/* Keys never share a bucket, also across the table's growth (it starts at 64 slots). */
static void test_many_keys(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    char key[32];
    enum { KEYS = 1000 };
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "integration-%d", i);
        assert_int_equal(drain(rl, key, T0, 60, 3, 10), 3);
    }
    /* still empty after every growth, each one on its own */
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "integration-%d", i);
        if (take(rl, key, T0, 60, 3, 1))
            fail_msg("%s got a token back when the table grew", key);
    }
    /* and each refills on its own time */
    snprintf(key, sizeof key, "integration-%d", 17);
    assert_true(take(rl, key, T0 + SEC, 60, 3, 1));
    snprintf(key, sizeof key, "integration-%d", 18);
    assert_true(take(rl, key, T0 + SEC, 60, 3, 1));
    assert_false(take(rl, key, T0 + SEC, 60, 3, 1));
    /* a new key after all that starts full */
    assert_int_equal(drain(rl, "newcomer", T0, 60, 3, 10), 3);
    /* keys that differ by a byte, or by being a prefix, are apart */
    assert_int_equal(drain(rl, "ab", T0, 60, 2, 10), 2);
    assert_int_equal(drain(rl, "abc", T0, 60, 2, 10), 2);
    assert_int_equal(drain(rl, "a", T0, 60, 2, 10), 2);
    assert_int_equal(drain(rl, "", T0, 60, 2, 10), 2);
    ratelimit_free(rl);
}

/* The wall clock steps back: no refill for the time "regained", no tokens lost, and when time
 * moves on again the refill counts from the latest time seen, not twice. */
static void test_time_going_backwards(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    assert_int_equal(drain(rl, "k", T0, 60, 5, 100), 5);
    assert_false(take(rl, "k", T0 - 600 * SEC, 60, 5, 1)); /* 10 minutes back: still empty */
    assert_false(take(rl, "k", T0 - 1, 60, 5, 1));
    assert_int_equal(drain(rl, "k", T0 + 2 * SEC, 60, 5, 100), 2);
    /* back again, then forward by the same amount: no double credit */
    assert_false(take(rl, "k", T0 - 3600 * SEC, 60, 5, 1));
    assert_int_equal(drain(rl, "k", T0 + 3 * SEC, 60, 5, 100), 1);
    /* tokens held when the clock steps back are kept */
    assert_int_equal(drain(rl, "k2", T0, 60, 5, 2), 2);
    assert_int_equal(drain(rl, "k2", T0 - 600 * SEC, 60, 5, 100), 3);
    ratelimit_free(rl);
}

/* check answers as take would, and takes nothing (the UI checks a sign-in before it is tried). */
static void test_check_takes_nothing(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    int64_t wait = 0;
    for (int i = 0; i < 10; i++)
        assert_true(ratelimit_check(rl, "u", T0, 5, 2, 1, &wait));
    assert_true(take(rl, "u", T0, 5, 2, 1));
    assert_true(take(rl, "u", T0, 5, 2, 1));
    assert_false(ratelimit_check(rl, "u", T0, 5, 2, 1, &wait));
    assert_int_equal(wait, 12); /* 5 a minute: one token in 12 s */
    assert_true(ratelimit_check(rl, "u", T0 + 12000, 5, 2, 1, &wait));
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_key_starts_full),  cmocka_unit_test(test_refill_over_now),
        cmocka_unit_test(test_burst_caps_refill),    cmocka_unit_test(test_cost_above_one),
        cmocka_unit_test(test_retry_after),          cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_time_going_backwards), cmocka_unit_test(test_check_takes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
