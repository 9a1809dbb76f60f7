/*
 * store/timeline: the hash-chained timeline rows (migration 001). timeline_last: the last seq and
 * hash (0 and the genesis hash when empty). timeline_scan: one incident's entries, or all when
 * incident_id is NULL, by seq; callbacks get borrowed entries. timeline_scan_from: every entry
 * with seq >= from_seq, by seq (an incremental audit pass).
 * audit_checkpoint_get: the audit checkpoint (migration 020: the last seq a valid pass verified,
 * its hash, when, and when the last valid full pass ran), ERR_NOT_FOUND when there is none.
 * audit_checkpoint_set: replaces it; cp NULL deletes it.
 */
#ifndef TOCSIN_STORE_TIMELINE_H
#define TOCSIN_STORE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/timeline_chain.h"
#include "store/store_ops.h"

struct audit_checkpoint {
    int64_t seq;
    int64_t taken_at, full_at; /* app clock, ms: this checkpoint, the last valid full pass */
    char hash[SHA256_HEX_LEN];
};

typedef int (*store_timeline_cb)(const struct timeline_entry *e, void *ctx);

#define STORE_TIMELINE_OPS(X)                                                                      \
    X(timeline_insert, 0, (const struct timeline_entry *e), (e))                                   \
    X(timeline_last, 0, (int64_t * seq, char hash[SHA256_HEX_LEN]), (seq, hash))                   \
    X(timeline_scan, 0, (const char *incident_id, store_timeline_cb cb, void *ctx),                \
      (incident_id, cb, ctx))                                                                      \
    X(timeline_scan_from, 0, (int64_t from_seq, store_timeline_cb cb, void *ctx),                  \
      (from_seq, cb, ctx))                                                                         \
    X(audit_checkpoint_get, 0, (struct audit_checkpoint * cp), (cp))                               \
    X(audit_checkpoint_set, 0, (const struct audit_checkpoint *cp), (cp))

STORE_OPS_DECLARE(timeline, STORE_TIMELINE_OPS)

#endif
