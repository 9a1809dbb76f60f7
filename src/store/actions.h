/*
 * store/actions: action items (migration 008). insert: ERR_CONFLICT when the id exists. get:
 * ERR_NOT_FOUND when unknown. update: writes title, owner, due_at, priority, status, updated_at,
 * done_at, remind_at; ERR_NOT_FOUND when unknown. list: the items matching every filter set, by
 * created_at then id. remind_due: the items with a reminder set, earliest remind_at first (the
 * callback stops the walk by returning non-zero). Structs filled here: action_item_free_fields.
 */
#ifndef TOCSIN_STORE_ACTIONS_H
#define TOCSIN_STORE_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/postmortem.h"
#include "store/store_ops.h"

struct store_action_filter {
    const char *owner;       /* NULL: any */
    const char *incident_id; /* NULL: any */
    int status;              /* -1: any; else enum action_status */
    int64_t overdue_at;      /* 0: no filter; else open items with a due date before it */
};

typedef int (*store_action_cb)(const struct action_item *a, void *ctx);

#define STORE_ACTION_OPS(X)                                                                        \
    X(action_insert, 0, (const struct action_item *a), (a))                                        \
    X(action_get, 0, (const char *id, struct action_item *out), (id, out))                         \
    X(action_update, 0, (const struct action_item *a), (a))                                        \
    X(action_list, 0, (const struct store_action_filter *f, store_action_cb cb, void *ctx),        \
      (f, cb, ctx))                                                                                \
    X(action_remind_due, 0, (store_action_cb cb, void *ctx), (cb, ctx))

STORE_OPS_DECLARE(action, STORE_ACTION_OPS)

#endif
