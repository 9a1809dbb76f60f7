/*
 * store/chat_events: the chat events taken in (migration 017; docs/internals/chatops.md "Event
 * retries"): Slack's Events API retries an event it thinks failed, with the same event_id.
 * chat_event_claim: takes event_id for handling at `now`: *claimed true when it was unknown
 * (a new row, 'running') or 'running' with claimed_at < stale_before (a request that died); false
 * when it is done, or running in another request; then *running tells which (true: another
 * request holds a fresh claim; false: done). chat_event_done: marks it done at `now`
 * (ERR_NOT_FOUND: no such row). chat_event_release: forgets a 'running' event (a temporary
 * failure: the retry is run again); nothing when none. chat_event_purge: deletes the events
 * received before `before`.
 */
#ifndef TOCSIN_STORE_CHAT_EVENTS_H
#define TOCSIN_STORE_CHAT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"

#define STORE_CHAT_EVENT_OPS(X)                                                                    \
    X(chat_event_claim, 0,                                                                         \
      (const char *event_id, int64_t now, int64_t stale_before, bool *claimed, bool *running),     \
      (event_id, now, stale_before, claimed, running))                                             \
    X(chat_event_done, 0, (const char *event_id, int64_t now), (event_id, now))                    \
    X(chat_event_release, 0, (const char *event_id), (event_id))                                   \
    X(chat_event_purge, 0, (int64_t before), (before))

STORE_OPS_DECLARE(chat_event, STORE_CHAT_EVENT_OPS)

#endif
