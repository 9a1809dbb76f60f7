/*
 * store/notifications: the notification outbox and its attempts (migration 004).
 * insert: n (id ignored); ERR_CONFLICT when (incident, dkey, user, method) exists.
 * update: writes status, attempts, next_attempt_at, sent_at, last_error, bundled_into,
 * bundle_count. due: pending rows with next_attempt_at <= now, oldest first, at most limit.
 * next_due: the earliest next_attempt_at of a pending row; ERR_NOT_FOUND when none.
 * list: incident_id's rows ("" for rows about no incident), by id. members: the rows whose
 * message went with lead's (bundled_into = lead), by id. last_sent: the latest sent_at of user's
 * rows by method; 0 when none. claim: node takes the pending row `id` until `until` (migration
 * 007; claims are on the WALL clock, `now` too, so that a dev clock moved forward never ends a
 * live claim): OK when it was free (no claim, or one that ended by `now`) or already node's,
 * ERR_NOT_FOUND when another node holds it or it is no longer pending. due leaves out rows whose
 * claim runs past `wall`; update drops the row's claim. prune (retention): deletes at most
 * `limit` delivered rows (sent, or bundled into another) sent (else created) before `before`,
 * with their attempts, oldest id first; *n = how many. Pending, failed and cancelled rows stay.
 * Structs filled here: store_notification_free_fields.
 */
#ifndef TOCSIN_STORE_NOTIFICATIONS_H
#define TOCSIN_STORE_NOTIFICATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"

/* A notification (outbox row). Strings are owned (store_notification_free_fields);
 * incident_id is "" when the row is about no incident; times are 0 when not set. */
struct store_notification {
    int64_t id;
    char *incident_id, *kind, *dkey, *user_id, *method, *address, *subject, *body;
    char *status; /* pending, sent, failed, bundled, cancelled */
    char *last_error, *reason;
    int attempts;
    int64_t due_at, next_attempt_at, created_at, sent_at;
    int64_t bundled_into; /* 0: none */
    int bundle_count;
    int64_t fallback_of; /* 0: none */
};

struct store_notification_attempt {
    int64_t notification_id;
    int64_t at;
    bool ok;
    int code;    /* HTTP status or SMTP reply code; 0 when none */
    char *error; /* NULL when ok */
    int64_t duration_ms;
};

typedef int (*store_notification_cb)(const struct store_notification *n, void *ctx);
typedef int (*store_attempt_cb)(const struct store_notification_attempt *a, void *ctx);

#define STORE_NOTIFICATION_OPS(X)                                                                  \
    X(notification_insert, 0, (const struct store_notification *n, int64_t *id), (n, id))          \
    X(notification_get, 0, (int64_t id, struct store_notification * out), (id, out))               \
    X(notification_update, 0, (const struct store_notification *n), (n))                           \
    X(notification_due, 0,                                                                         \
      (int64_t now, int64_t wall, int limit, store_notification_cb cb, void *ctx),                 \
      (now, wall, limit, cb, ctx))                                                                 \
    X(notification_next_due, 0, (int64_t * at), (at))                                              \
    X(notification_list, 0, (const char *incident_id, store_notification_cb cb, void *ctx),        \
      (incident_id, cb, ctx))                                                                      \
    X(notification_members, 0, (int64_t lead, store_notification_cb cb, void *ctx),                \
      (lead, cb, ctx))                                                                             \
    X(notification_last_sent, 0, (const char *user, const char *method, int64_t *at),              \
      (user, method, at))                                                                          \
    X(notification_attempt_insert, 0, (const struct store_notification_attempt *a), (a))           \
    X(notification_attempts, 0, (int64_t notification_id, store_attempt_cb cb, void *ctx),         \
      (notification_id, cb, ctx))                                                                  \
    X(notification_claim, 0, (int64_t id, const char *node, int64_t until, int64_t now),           \
      (id, node, until, now))                                                                      \
    X(notification_prune, 0, (int64_t before, int limit, int64_t *n), (before, limit, n))

STORE_OPS_DECLARE(notification, STORE_NOTIFICATION_OPS)

void store_notification_free_fields(struct store_notification *n);
/* A deep copy of n (free with store_notification_free_fields). */
void store_notification_copy(struct store_notification *dst, const struct store_notification *src);

#endif
