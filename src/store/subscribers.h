/*
 * store/subscribers: status page subscribers (migration 013). insert: ERR_CONFLICT when the id
 * or (kind, address) exists. get / get_by_address: ERR_NOT_FOUND when none. update: writes
 * components, state, confirmed_at, unsubscribed_at; ERR_NOT_FOUND when unknown. list: the
 * subscribers in `state` (NULL: every one), oldest first, then by id (the callback gets a
 * borrowed struct and stops the walk by returning non-zero). Structs filled here:
 * subscriber_free_fields.
 */
#ifndef TOCSIN_STORE_SUBSCRIBERS_H
#define TOCSIN_STORE_SUBSCRIBERS_H

#include "domain/subscriber.h"
#include "store/store_ops.h"

typedef int (*store_subscriber_cb)(const struct subscriber *s, void *ctx);

#define STORE_SUBSCRIBER_OPS(X)                                                                    \
    X(subscriber_insert, 0, (const struct subscriber *s), (s))                                     \
    X(subscriber_get, 0, (const char *id, struct subscriber *out), (id, out))                      \
    X(subscriber_get_by_address, 0,                                                                \
      (const char *kind, const char *address, struct subscriber *out), (kind, address, out))       \
    X(subscriber_update, 0, (const struct subscriber *s), (s))                                     \
    X(subscriber_list, 0, (const char *state, store_subscriber_cb cb, void *ctx), (state, cb, ctx))

STORE_OPS_DECLARE(subscriber, STORE_SUBSCRIBER_OPS)

#endif
