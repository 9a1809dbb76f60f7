/*
 * notify_policy: when to try a notification again. Backoff with "equal jitter", Retry-After
 * (delta-seconds or an HTTP-date, RFC 9110 section 10.2.3) and the HTTP-date parser itself.
 * Which transport errors are worth a retry is the channels' business (channels/channel.h).
 * Pure: no clock reads (`now` is passed in), no state. Threads: any.
 */
#ifndef TOCSIN_NOTIFY_POLICY_H
#define TOCSIN_NOTIFY_POLICY_H

#include <stdint.h>

/* The delay before retry number `attempt` (1 = after the first failure): base * 2^(attempt-1)
 * capped at max, with "equal jitter": half of it fixed, the other half scaled by rnd/2^32, so the
 * result is in [d/2, d]. */
int64_t notify_backoff(int64_t base, int64_t max, int attempt, uint32_t rnd);
/* Retry-After: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime), into an absolute
 * time *at (ms; `now` for seconds). -1 for anything else. */
int notify_retry_after(const char *value, int64_t now, int64_t *at);
/* HTTP-date parsing alone: ms since the epoch, or -1. */
int64_t notify_http_date(const char *s);

#endif
