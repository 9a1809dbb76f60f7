/*
 * chatops: runs the chat outbox (store/chatops.h) on the notifier thread (docs/chatops.md,
 * docs/internals/chatops.md). Each pass takes the due ops (the oldest pending op of each
 * incident: an incident's ops run in order) and runs each op's steps: for a declaration in
 * channel mode create the channel, invite, set the topic, pin the summary, announce; in thread
 * mode announce and keep the message as the thread; then a post per change, the topic kept
 * current, the paged invited, the channel archived archive_after the close; a Teams card for
 * declarations, state changes and escalations. Every step is recorded in the store before the
 * next one; every call that is going to be made is counted (tries) before it is made.
 * Threads: the notifier thread only.
 */
#ifndef TOCSIN_CHATOPS_H
#define TOCSIN_CHATOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "runtime/curl_runner.h"

struct app;
struct chatops;

struct chatops *chatops_new(struct app *app, struct curl_runner *curl, const unsigned char *key,
                            bool (*stop)(void *ctx), void *stop_ctx);
void chatops_free(struct chatops *cx);
/* One pass; true when more is due at once. *next (app clock) is lowered to the next op's time. */
bool chatops_pass(struct chatops *cx, const struct config *cfg, int64_t *next);

#endif
