/*
 * store/postmortems: post-mortems (migration 008), one per incident. insert: ERR_CONFLICT when
 * the id or the incident has one already. get / get_by_incident: ERR_NOT_FOUND when none.
 * update: writes state, owner, due_at, the text fields, updated_at, published_at, remind_at;
 * ERR_NOT_FOUND when unknown. remind_due: the rows with a reminder set, earliest remind_at first
 * (the callback stops the walk by returning non-zero: the caller reads up to the first one not
 * yet due, which gives its next deadline). Structs filled here: postmortem_free_fields.
 */
#ifndef TOCSIN_STORE_POSTMORTEMS_H
#define TOCSIN_STORE_POSTMORTEMS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/postmortem.h"
#include "store/store_ops.h"

typedef int (*store_postmortem_cb)(const struct postmortem *pm, void *ctx);

#define STORE_POSTMORTEM_OPS(X)                                                                    \
    X(postmortem_insert, 0, (const struct postmortem *pm), (pm))                                   \
    X(postmortem_get, 0, (const char *id, struct postmortem *out), (id, out))                      \
    X(postmortem_get_by_incident, 0, (const char *incident_id, struct postmortem *out),            \
      (incident_id, out))                                                                          \
    X(postmortem_update, 0, (const struct postmortem *pm), (pm))                                   \
    X(postmortem_remind_due, 0, (store_postmortem_cb cb, void *ctx), (cb, ctx))

STORE_OPS_DECLARE(postmortem, STORE_POSTMORTEM_OPS)

#endif
