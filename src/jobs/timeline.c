/*
 * timeline: append and verify the hash chain. See timeline.h for the encoding and invariants.
 * Appends run inside the store writer's transaction: the last (seq, hash) is read from the store
 * in that same transaction, so there is no in-memory head to keep in step with rollbacks.
 */
#include "jobs/timeline.h"
#include "store/store.h"
#include "store/timeline.h"
#include "util/buf.h"
#include "util/jsonfast.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

const char timeline_genesis[SHA256_HEX_LEN] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void timeline_entry_free(struct timeline_entry *e)
{
    free(e->actor);
    free(e->kind);
    free(e->incident_id);
    free(e->data);
    memset(e, 0, sizeof *e);
}

/* canonical(entry) for ASCII entries, the same bytes as the json_dumps below writes, without
 * building the array (util/jsonfast.h; most entries are ASCII). NULL: use json_dumps. */
static char *canonical_ascii(const struct timeline_entry *e)
{
    if (!e->actor || !e->kind || !e->data)
        return NULL;
    struct buf b;
    buf_init(&b, 64 * 1024 * 1024);
    bool ok =
        buf_printf(&b, "[%" JSON_INTEGER_FORMAT ",%" JSON_INTEGER_FORMAT ",", (json_int_t)e->seq,
                   (json_int_t)e->at) == BUF_OK &&
        jsonfast_append_ascii_string(&b, e->actor, strlen(e->actor)) &&
        buf_puts(&b, ",") == BUF_OK && jsonfast_append_ascii_string(&b, e->kind, strlen(e->kind)) &&
        buf_puts(&b, ",") == BUF_OK &&
        (e->incident_id ? jsonfast_append_ascii_string(&b, e->incident_id, strlen(e->incident_id))
                        : buf_puts(&b, "null") == BUF_OK) &&
        buf_puts(&b, ",") == BUF_OK && jsonfast_append_ascii_string(&b, e->data, strlen(e->data)) &&
        buf_puts(&b, "]") == BUF_OK;
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

void timeline_hash(const char *prev_hash, const struct timeline_entry *e, char out[SHA256_HEX_LEN])
{
    char *canonical = canonical_ascii(e);
    if (canonical) {
        crypto_sha256_hex2(prev_hash, canonical, out);
        free(canonical);
        return;
    }
    json_t *arr = json_pack("[I,I,s,s,s?,s]", (json_int_t)e->seq, (json_int_t)e->at, e->actor,
                            e->kind, e->incident_id, e->data);
    canonical = arr ? json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    if (!canonical) /* invalid UTF-8 in a tampered row: hash something that cannot match */
        canonical = xstrdup("\x01invalid");
    crypto_sha256_hex2(prev_hash, canonical, out);
    free(canonical);
    json_decref(arr);
}

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

struct verify_state {
    struct timeline_verify *v;
    char running[SHA256_HEX_LEN];
    int64_t expect_seq;
};

static int verify_one(const struct timeline_entry *e, void *ctx)
{
    struct verify_state *st = ctx;
    struct timeline_verify *v = st->v;
    v->entries++;
    memcpy(v->head, e->hash, SHA256_HEX_LEN);
    if (!v->valid)
        return 0;
    char h[SHA256_HEX_LEN];
    timeline_hash(st->running, e, h);
    if (e->seq != st->expect_seq || strcmp(e->prev_hash, st->running) != 0 ||
        strcmp(h, e->hash) != 0) {
        v->valid = false;
        v->first_break_at = e->seq;
        return 0;
    }
    memcpy(st->running, e->hash, SHA256_HEX_LEN);
    st->expect_seq++;
    return 0;
}

enum result timeline_verify(struct store_conn *c, struct timeline_verify *out, struct error *err)
{
    struct verify_state st = {.v = out, .expect_seq = 1};
    memset(out, 0, sizeof *out);
    out->valid = true;
    out->first_break_at = -1;
    memcpy(out->head, timeline_genesis, SHA256_HEX_LEN);
    memcpy(st.running, timeline_genesis, SHA256_HEX_LEN);
    enum result result = store_timeline_scan(c, NULL, verify_one, &st);
    if (result != OK)
        return error_set(err, result, "audit: cannot read the timeline");
    return OK;
}

json_t *timeline_entry_json(const struct timeline_entry *e)
{
    char at[RFC3339_LEN];
    time_format_rfc3339(e->at, at);
    json_t *data = json_loads(e->data, 0, NULL);
    if (!data)
        data = json_string(e->data);
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:o,s:s,s:s}", "seq", (json_int_t)e->seq, "at", at,
                     "actor", e->actor, "kind", e->kind, "incident_id", e->incident_id, "data",
                     data, "prev_hash", e->prev_hash, "hash", e->hash);
}
