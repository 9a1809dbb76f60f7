/*
 * timeline: append and verify the hash chain through the store (see timeline.h; the chain's rules
 * are domain/timeline_chain). Appends run inside the store writer's transaction: the last (seq,
 * hash) is read from the store in that same transaction, so there is no in-memory head to keep in
 * step with rollbacks.
 */
#include "jobs/timeline.h"
#include "jobs/chatops_enqueue.h"
#include "store/store.h"
#include "store/timeline.h"
#include "util/jsonfast.h"
#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum result timeline_append(struct store_conn *tx, int64_t now, const char *actor, const char *kind,
                            const char *incident_id, json_t *data, struct timeline_entry *out,
                            struct error *err)
{
    struct timeline_entry e = {.at = now};
    char *text = NULL;
    if (!data)
        data = json_object();
    enum result result = store_timeline_last(tx, &e.seq, e.prev_hash);
    if (result != OK) {
        error_set(err, result, "timeline: cannot read the chain head");
        goto out;
    }
    e.seq++;
    text = jsonfast_dump_sorted(data); /* json_dumps's bytes, faster; NULL with a real */
    if (!text)
        text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        result = error_set(err, ERR_INTERNAL, "timeline: cannot encode entry data");
        goto out;
    }
    e.actor = (char *)actor;
    e.kind = (char *)kind;
    e.incident_id = (char *)incident_id;
    e.data = text;
    timeline_hash(e.prev_hash, &e, e.hash);
    result = store_timeline_insert(tx, &e);
    if (result != OK) {
        error_set(err, result, "timeline: cannot append");
        goto out;
    }
    /* The status page shows the entries marked public (api/status_page.c collect_update) and
     * nothing else of the timeline: only those move store_public_changes (and, on PostgreSQL, the
     * other nodes' CLUSTER_KEY_PUBLIC: a statement per batch, and their pages rendered again). */
    if (json_is_true(json_object_get(data, "public")))
        store_tx_public_change(tx);
    result = chatops_enqueue(tx, now, actor, kind, incident_id, data, err);
    if (result != OK)
        goto out;
    if (out) {
        *out = e;
        out->actor = xstrdup(actor);
        out->kind = xstrdup(kind);
        out->incident_id = incident_id ? xstrdup(incident_id) : NULL;
        out->data = text;
        text = NULL;
    }
out:
    free(text);
    json_decref(data);
    return result;
}

struct verify_scan {
    struct timeline_verifier v;
    _Atomic int64_t *checked;          /* NULL: not counted */
    const struct audit_checkpoint *cp; /* NULL: none to compare */
    bool incremental;                  /* the first row read is the checkpoint's own */
    bool cp_seen;                      /* the row at cp->seq was read */
};

/* The row at the checkpoint's seq: still the hash it had when it was verified? */
static void compare_checkpoint(struct verify_scan *s, const struct timeline_entry *e)
{
    s->cp_seen = true;
    if (e->seq == s->cp->seq && strcmp(e->hash, s->cp->hash) == 0)
        return;
    struct timeline_verify *out = s->v.out;
    out->checkpoint_mismatch = true;
    if (out->valid || out->first_break_at > s->cp->seq) {
        out->valid = false;
        out->first_break_at = s->cp->seq;
    }
}

static int verify_one(const struct timeline_entry *e, void *ctx)
{
    struct verify_scan *s = ctx;
    if (s->incremental && !s->cp_seen) {
        compare_checkpoint(s, e);
        return s->v.out->valid ? 0 : 1; /* the prefix changed: nothing after it is trusted */
    }
    if (s->cp && !s->cp_seen && e->seq == s->cp->seq)
        compare_checkpoint(s, e);
    timeline_verify_step(&s->v, e);
    s->v.out->checked++;
    if (s->checked)
        atomic_fetch_add_explicit(s->checked, 1, memory_order_relaxed);
    return 0;
}

enum result timeline_verify(struct store_conn *c, struct timeline_verify *out, struct error *err)
{
    return timeline_verify_counted(c, out, NULL, err);
}

enum result timeline_verify_counted(struct store_conn *c, struct timeline_verify *out,
                                    _Atomic int64_t *checked, struct error *err)
{
    return timeline_verify_checkpoint(c, NULL, true, out, checked, err);
}

enum result timeline_verify_checkpoint(struct store_conn *c, const struct audit_checkpoint *cp,
                                       bool full, struct timeline_verify *out,
                                       _Atomic int64_t *checked, struct error *err)
{
    (void)err;
    struct verify_scan s = {.checked = checked, .cp = cp, .incremental = cp && !full};
    enum result result;
    if (s.incremental) {
        timeline_verify_begin_after(&s.v, out, cp->seq, cp->hash);
        out->incremental = true;
        out->from_seq = cp->seq + 1;
        result = store_timeline_scan_from(c, cp->seq, verify_one, &s);
    } else {
        timeline_verify_begin(&s.v, out);
        out->from_seq = 1;
        result = store_timeline_scan(c, NULL, verify_one, &s);
    }
    if (result == OK && cp && !s.cp_seen) /* the chain no longer reaches the checkpoint */
        compare_checkpoint(&s, &(struct timeline_entry){.seq = -1, .hash = ""});
    if (s.incremental)
        out->entries += cp->seq;
    if (result != OK) {
        /* a chain the store cannot read to its end is not a valid one: say where it stops (the
         * backend logged its reason; `tocsin store check` says what is damaged) */
        log_error("audit: the timeline cannot be read from seq %lld on: the chain is not valid",
                  (long long)s.v.expect_seq);
        out->unreadable = true;
        if (out->valid) {
            out->valid = false;
            out->first_break_at = s.v.expect_seq;
        }
    }
    return OK;
}
