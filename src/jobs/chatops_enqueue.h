/*
 * chatops_enqueue: queues the chat outbox (store/chatops.h) in the transaction of the change it
 * tells of. timeline_append calls chatops_enqueue for every entry; the incident changes chat hears
 * of (declared, acknowledged, resolved, reopened, status changed, closed, severity, roles,
 * escalation steps) become one pending chat op, carrying the actor and the entry's data. Nothing
 * is queued while chat is off (chatops_enqueue_enable, set by the app from the config at start
 * and on every reload). The notifier thread runs the ops (runtime/chatops.c).
 * Threads: chatops_enqueue on the store writer; chatops_enqueue_enable from any thread.
 */
#ifndef TOCSIN_CHATOPS_ENQUEUE_H
#define TOCSIN_CHATOPS_ENQUEUE_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

void chatops_enqueue_enable(bool on);
bool chatops_enqueue_enabled(void);
/* Whether chat hears of timeline entries of this kind. */
bool chatops_kind_wanted(const char *kind);
/* Queues one op for the entry (kind, incident_id, data borrowed) when chat is on and wants it. */
enum result chatops_enqueue(struct store_conn *tx, int64_t now, const char *actor, const char *kind,
                            const char *incident_id, const json_t *data, struct error *err);

#endif
