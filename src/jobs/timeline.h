/*
 * timeline: the append-only, hash-chained log of everything that happens (incident changes,
 * tokens, config reloads). Tamper-evident: each entry's hash is
 *     hash = SHA-256( prev_hash_hex || canonical(entry) )
 * where canonical(entry) is the compact JSON array [seq, at, actor, kind, incident_id, data]
 * (data is the entry's stored JSON text, as a string) and the first entry's prev_hash is 64 zeros.
 * Changing, deleting or reordering any stored entry breaks the chain at or right after it;
 * truncation is caught by comparing `head` with a copy kept elsewhere.
 *
 * Invariants: seq starts at 1 and grows by exactly 1; entries are only ever appended, inside
 * the store writer's transaction (so appends are serialised and the chain is linear); the store
 * forbids UPDATE and DELETE on the table (triggers).
 *
 * Threads: timeline_append runs on the store writer thread (inside a store_write job);
 * timeline_verify on any thread with a reader connection.
 */
#ifndef TOCSIN_TIMELINE_H
#define TOCSIN_TIMELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/crypto.h"
#include "util/result.h"

struct store_conn;

struct timeline_entry {
    int64_t seq;
    int64_t at;
    char *actor;
    char *kind;
    char *incident_id; /* NULL for entries about no incident */
    char *data;        /* compact JSON object text, keys sorted */
    char prev_hash[SHA256_HEX_LEN];
    char hash[SHA256_HEX_LEN];
};

struct timeline_verify {
    bool valid;
    int64_t entries;
    int64_t first_break_at; /* seq of the first entry that does not match; -1 when valid */
    char head[SHA256_HEX_LEN];
};

extern const char timeline_genesis[SHA256_HEX_LEN]; /* 64 zeros */

void timeline_entry_free(struct timeline_entry *e);
/* The hash an entry must carry, given the previous entry's hash. */
void timeline_hash(const char *prev_hash, const struct timeline_entry *e, char out[SHA256_HEX_LEN]);
/* Appends one entry (takes ownership of `data`, which must be an object; NULL = {}).
 * When out is not NULL it receives a copy of the stored entry. */
enum result timeline_append(struct store_conn *tx, int64_t now, const char *actor, const char *kind,
                            const char *incident_id, json_t *data, struct timeline_entry *out,
                            struct error *err);
/* Recomputes the whole chain. */
enum result timeline_verify(struct store_conn *c, struct timeline_verify *out, struct error *err);
/* The entry as API JSON (data parsed back into an object). */
json_t *timeline_entry_json(const struct timeline_entry *e);

#endif
