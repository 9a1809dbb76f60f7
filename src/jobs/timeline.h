/*
 * timeline: the append-only, hash-chained log of everything that happens (incident changes,
 * tokens, config reloads), written and verified through the store. The entry, its encoding and
 * the chain's rules are in domain/timeline_chain.h.
 *
 * Invariants: entries are only ever appended, inside the store writer's transaction (so appends
 * are serialised and the chain is linear); the store forbids UPDATE and DELETE on the table
 * (triggers).
 *
 * Threads: timeline_append runs on the store writer thread (inside a store_write job);
 * timeline_verify on any thread with a reader connection.
 */
#ifndef TOCSIN_TIMELINE_H
#define TOCSIN_TIMELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/timeline_chain.h"
#include "util/result.h"

struct store_conn;

/* Appends one entry (takes ownership of `data`, which must be an object; NULL = {}).
 * When out is not NULL it receives a copy of the stored entry. */
enum result timeline_append(struct store_conn *tx, int64_t now, const char *actor, const char *kind,
                            const char *incident_id, json_t *data, struct timeline_entry *out,
                            struct error *err);
/* Recomputes the whole chain. A store that fails part way (a damaged file) is a chain not valid
 * from the first seq it could not read (out->unreadable), not an error: OK either way. */
enum result timeline_verify(struct store_conn *c, struct timeline_verify *out, struct error *err);
/* timeline_verify that also counts the entries checked so far into *checked (read by another
 * thread while it runs: the auditor's progress, GET /api/v1/audit/verify). */
enum result timeline_verify_counted(struct store_conn *c, struct timeline_verify *out,
                                    _Atomic int64_t *checked, struct error *err);
/* An audit pass against a checkpoint (store/timeline.h; docs/security.md "Audit verification").
 * full false (incremental): the entry at cp->seq must still be there with cp->hash (otherwise
 * not valid at cp->seq, checkpoint_mismatch), then only the entries after it are recomputed,
 * chained from cp->hash. full true: the whole chain from the genesis hash, and the entry at
 * cp->seq checked against cp->hash as well (a chain rewritten from a changed row on, every later
 * hash recomputed, is valid from the genesis and caught only there). cp NULL: a full pass.
 * OK either way, as timeline_verify; *checked counts the entries recomputed. */
struct audit_checkpoint;
enum result timeline_verify_checkpoint(struct store_conn *c, const struct audit_checkpoint *cp,
                                       bool full, struct timeline_verify *out,
                                       _Atomic int64_t *checked, struct error *err);

#endif
