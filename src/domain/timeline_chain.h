/*
 * timeline_chain: the pure half of the timeline (jobs/timeline.h appends and verifies through the
 * store): an entry, its canonical encoding and hash, and one step of verification. Tamper-evident:
 * each entry's hash is
 *     hash = SHA-256( prev_hash_hex || canonical(entry) )
 * where canonical(entry) is the compact JSON array [seq, at, actor, kind, incident_id, data]
 * (data is the entry's stored JSON text, as a string) and the first entry's prev_hash is 64 zeros.
 * Changing, deleting or reordering any stored entry breaks the chain at or right after it;
 * truncation is caught by comparing `head` with a copy kept elsewhere.
 *
 * Invariants: seq starts at 1 and grows by exactly 1. Pure: no store, no clock; any thread.
 * Ownership: an entry's strings are owned by it (timeline_entry_free).
 */
#ifndef TOCSIN_TIMELINE_CHAIN_H
#define TOCSIN_TIMELINE_CHAIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/crypto.h"

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
    int64_t entries; /* the chain's length as far as read (an incremental pass: the checkpoint's
                        seq + checked) */
    int64_t first_break_at; /* seq of the first entry that does not match, or that could not be
                               read (unreadable); -1 when valid */
    bool unreadable;        /* the store failed part way (a damaged file): not valid from
                               first_break_at on, whatever follows */
    char head[SHA256_HEX_LEN];
    /* filled by jobs/timeline.c, not by the steps below */
    bool incremental;         /* from an audit checkpoint (docs/security.md) */
    bool checkpoint_mismatch; /* the entry at the checkpoint's seq no longer carries (or is no
                                 longer there with) the hash remembered when it was verified */
    int64_t from_seq;         /* the first seq whose hash was recomputed (1 for a full pass) */
    int64_t checked;          /* entries whose hash was recomputed */
};

extern const char timeline_genesis[SHA256_HEX_LEN]; /* 64 zeros */

void timeline_entry_free(struct timeline_entry *e);
/* The hash an entry must carry, given the previous entry's hash. */
void timeline_hash(const char *prev_hash, const struct timeline_entry *e, char out[SHA256_HEX_LEN]);

/* Verification, one entry at a time, in seq order: timeline_verify_begin, then
 * timeline_verify_step for each entry. The first entry whose seq, prev_hash or hash does not
 * follow makes the result invalid (first_break_at); entries and head count every entry. */
struct timeline_verifier {
    struct timeline_verify *out;
    char running[SHA256_HEX_LEN];
    int64_t expect_seq;
};
void timeline_verify_begin(struct timeline_verifier *v, struct timeline_verify *out);
/* The same, for the entries after a verified prefix (an incremental audit pass): the first entry
 * stepped must be after_seq + 1, with prev_hash after_hash (the hash entry after_seq carried when
 * it was verified). The prefix is trusted: it is not checked here. */
void timeline_verify_begin_after(struct timeline_verifier *v, struct timeline_verify *out,
                                 int64_t after_seq, const char after_hash[SHA256_HEX_LEN]);
void timeline_verify_step(struct timeline_verifier *v, const struct timeline_entry *e);

/* The entry as API JSON (data parsed back into an object). */
json_t *timeline_entry_json(const struct timeline_entry *e);

#endif
