/*
 * store/chatops: the chat outbox and the incidents' chat channels (migration 011;
 * docs/internals/chatops.md).
 * chat_op_insert: a pending op (id, status, step, tries, done_at ignored); *id gets its id.
 * chat_op_due: pending ops with next_attempt_at <= now that are the oldest pending op of their
 * incident (an incident's ops run in order), by id, at most limit. chat_op_update: writes status,
 * step, tries, next_attempt_at, done_at, last_error of op->id (ERR_NOT_FOUND: no such op).
 * chat_op_list: incident_id's ops, by id. chat_op_next_due: the earliest next_attempt_at of a
 * pending op; ERR_NOT_FOUND when none.
 * chat_channel_put: inserts or replaces the incident's channel row. chat_channel_get:
 * ERR_NOT_FOUND when the incident has none. chat_channel_by_id: the newest channel-mode row of
 * that provider channel id (a command typed in an incident's channel), ERR_NOT_FOUND when none.
 * Structs filled here: store_chat_*_free_fields.
 */
#ifndef TOCSIN_STORE_CHATOPS_H
#define TOCSIN_STORE_CHATOPS_H

#include <stdint.h>

#include "store/store_ops.h"

/* One chat operation: an incident change to tell chat about. Strings owned. */
struct store_chat_op {
    int64_t id;
    char *incident_id;
    char *kind;   /* the timeline kind: incident.declared, incident.resolved... */
    char *data;   /* JSON object: what the change was */
    char *status; /* pending, done, failed, skipped */
    int step;     /* calls of this op done so far */
    int tries;    /* attempts at the current step, counted BEFORE the call is made */
    int64_t next_attempt_at, created_at, done_at;
    char *last_error; /* NULL when none */
};

/* The incident's chat place. Strings owned; channel_id NULL until the provider created it. */
struct store_chat_channel {
    char *incident_id;
    char *provider; /* slack, mattermost */
    char *mode;     /* channel, thread */
    char *name;     /* the channel's name (for a thread: the announce channel's) */
    char *channel_id, *thread_ts;
    int64_t created_at, archived_at;
};

typedef int (*store_chat_op_cb)(const struct store_chat_op *op, void *ctx);

#define STORE_CHAT_OPS(X)                                                                          \
    X(chat_op_insert, 0, (const struct store_chat_op *op, int64_t *id), (op, id))                  \
    X(chat_op_due, 0, (int64_t now, int limit, store_chat_op_cb cb, void *ctx),                    \
      (now, limit, cb, ctx))                                                                       \
    X(chat_op_update, 0, (const struct store_chat_op *op), (op))                                   \
    X(chat_op_list, 0, (const char *incident_id, store_chat_op_cb cb, void *ctx),                  \
      (incident_id, cb, ctx))                                                                      \
    X(chat_op_next_due, 0, (int64_t * at), (at))                                                   \
    X(chat_channel_put, 0, (const struct store_chat_channel *ch), (ch))                            \
    X(chat_channel_get, 0, (const char *incident_id, struct store_chat_channel *out),              \
      (incident_id, out))                                                                          \
    X(chat_channel_by_id, 0, (const char *channel_id, struct store_chat_channel *out),             \
      (channel_id, out))

STORE_OPS_DECLARE(chat, STORE_CHAT_OPS)

void store_chat_op_free_fields(struct store_chat_op *op);
void store_chat_op_copy(struct store_chat_op *dst, const struct store_chat_op *src);
void store_chat_channel_free_fields(struct store_chat_channel *ch);

#endif
