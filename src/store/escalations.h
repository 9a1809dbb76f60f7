/*
 * store/escalations: escalation state per incident and announced hand-offs (migration 005).
 * arm: makes the incident's escalation due at `now` (creating its state, round 0 from
 * round_start, when it has none): called in the same transaction as the change that needs a new
 * look (declared, severity changed, reopened, manual escalation). due: incident ids whose
 * escalation is due at `now`, earliest deadline first, at most limit. next_due: the earliest
 * pending deadline, or -1 when none. handoff_claim: records that the shift starting at starts_at
 * was announced: OK the first time, ERR_CONFLICT when it already was.
 */
#ifndef TOCSIN_STORE_ESCALATIONS_H
#define TOCSIN_STORE_ESCALATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/escalation_policy.h"
#include "store/store_ops.h"

typedef int (*store_id_cb)(const char *id, void *ctx); /* non-0 stops */

#define STORE_ESCALATION_OPS(X)                                                                    \
    X(escalation_arm, 0, (const char *incident_id, int64_t round_start, int64_t now),              \
      (incident_id, round_start, now))                                                             \
    X(escalation_get, 0, (const char *incident_id, struct escalation_state *out),                  \
      (incident_id, out))                                                                          \
    X(escalation_put, 0,                                                                           \
      (const char *incident_id, const struct escalation_state *st, int64_t now),                   \
      (incident_id, st, now))                                                                      \
    X(escalation_due, 0, (int64_t now, int limit, store_id_cb cb, void *ctx),                      \
      (now, limit, cb, ctx))                                                                       \
    X(escalation_next_due, 0, (int64_t * at), (at))                                                \
    X(handoff_claim, 0,                                                                            \
      (const char *schedule, const char *layer, int64_t starts_at, const char *user, int64_t now), \
      (schedule, layer, starts_at, user, now))

STORE_OPS_DECLARE(escalation, STORE_ESCALATION_OPS)

#endif
