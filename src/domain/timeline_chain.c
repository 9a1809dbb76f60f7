/*
 * timeline_chain: see timeline_chain.h. The canonical bytes are json_dumps's (compact, ASCII
 * escapes); an all-ASCII entry is encoded directly (util/jsonfast) without building the array.
 */
#include "domain/timeline_chain.h"
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

void timeline_verify_begin(struct timeline_verifier *v, struct timeline_verify *out)
{
    memset(out, 0, sizeof *out);
    out->valid = true;
    out->first_break_at = -1;
    memcpy(out->head, timeline_genesis, SHA256_HEX_LEN);
    v->out = out;
    memcpy(v->running, timeline_genesis, SHA256_HEX_LEN);
    v->expect_seq = 1;
}

void timeline_verify_begin_after(struct timeline_verifier *v, struct timeline_verify *out,
                                 int64_t after_seq, const char after_hash[SHA256_HEX_LEN])
{
    timeline_verify_begin(v, out);
    memcpy(out->head, after_hash, SHA256_HEX_LEN);
    out->head[SHA256_HEX_LEN - 1] = '\0';
    memcpy(v->running, out->head, SHA256_HEX_LEN);
    v->expect_seq = after_seq + 1;
}

void timeline_verify_step(struct timeline_verifier *v, const struct timeline_entry *e)
{
    struct timeline_verify *out = v->out;
    out->entries++;
    memcpy(out->head, e->hash, SHA256_HEX_LEN);
    if (!out->valid)
        return;
    char h[SHA256_HEX_LEN];
    timeline_hash(v->running, e, h);
    if (e->seq != v->expect_seq || strcmp(e->prev_hash, v->running) != 0 ||
        strcmp(h, e->hash) != 0) {
        out->valid = false;
        out->first_break_at = e->seq;
        return;
    }
    memcpy(v->running, e->hash, SHA256_HEX_LEN);
    v->expect_seq++;
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
