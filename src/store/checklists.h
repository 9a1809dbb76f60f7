/*
 * store/checklists: checklist items attached to incidents (migration 009). insert: adds the item
 * unless (incident, checklist, n) exists (*inserted says which; never ERR_CONFLICT). list: the
 * incident's items by attached_at, checklist id, n. tick: marks a not-done item done;
 * ERR_NOT_FOUND when there is no such item or it is done already. deadline_items (migration 012):
 * the items with a deadline, not done, not reminded, of incidents not closed, by incident id,
 * checklist id, n. reminded: sets reminded_at (ERR_NOT_FOUND: no such item). Structs filled here:
 * checklist_item_free_fields.
 */
#ifndef TOCSIN_STORE_CHECKLISTS_H
#define TOCSIN_STORE_CHECKLISTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/checklist.h"
#include "store/store_ops.h"

typedef int (*store_checklist_cb)(const struct checklist_item *it, void *ctx);

#define STORE_CHECKLIST_OPS(X)                                                                     \
    X(checklist_item_insert, 0, (const struct checklist_item *it, bool *inserted), (it, inserted)) \
    X(checklist_items, 0, (const char *incident_id, store_checklist_cb cb, void *ctx),             \
      (incident_id, cb, ctx))                                                                      \
    X(checklist_item_tick, 0,                                                                      \
      (const char *incident_id, const char *checklist_id, int n, int64_t now, const char *by),     \
      (incident_id, checklist_id, n, now, by))                                                     \
    X(checklist_deadline_items, 0, (store_checklist_cb cb, void *ctx), (cb, ctx))                  \
    X(checklist_item_reminded, 0,                                                                  \
      (const char *incident_id, const char *checklist_id, int n, int64_t at),                      \
      (incident_id, checklist_id, n, at))

STORE_OPS_DECLARE(checklist, STORE_CHECKLIST_OPS)

#endif
