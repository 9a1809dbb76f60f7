/*
 * store/overrides: on-call overrides (migration 003). list: the live ones (not removed) of one
 * schedule, or of every schedule when schedule is NULL, that overlap [from, to), by starts_at.
 * find_overlap: a live one of that schedule and layer (NULL layer = the schedule as a whole, its
 * own layer) that overlaps [from, to), or ERR_NOT_FOUND. get finds removed ones too (removed_at
 * set). remove: ERR_NOT_FOUND when unknown or already removed. Structs filled here:
 * oncall_override_free_fields.
 */
#ifndef TOCSIN_STORE_OVERRIDES_H
#define TOCSIN_STORE_OVERRIDES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/oncall.h"
#include "store/store_ops.h"

typedef int (*store_override_cb)(const struct oncall_override *o, void *ctx);

#define STORE_OVERRIDE_OPS(X)                                                                      \
    X(override_insert, 0, (const struct oncall_override *o), (o))                                  \
    X(override_get, 0, (const char *id, struct oncall_override *out), (id, out))                   \
    X(override_list, 0,                                                                            \
      (const char *schedule, int64_t from, int64_t to, store_override_cb cb, void *ctx),           \
      (schedule, from, to, cb, ctx))                                                               \
    X(override_find_overlap, 0,                                                                    \
      (const char *schedule, const char *layer, int64_t from, int64_t to,                          \
       struct oncall_override *out),                                                               \
      (schedule, layer, from, to, out))                                                            \
    X(override_remove, 0, (const char *id, int64_t now), (id, now))

STORE_OPS_DECLARE(override, STORE_OVERRIDE_OPS)

#endif
