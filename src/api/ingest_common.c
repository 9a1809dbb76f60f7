/*
 * api/ingest_common: see ingest_common.h.
 *
 * Key cache. Every alert POST carries its integration key; looking it up in the store costs a
 * read transaction on this thread's reader connection, which the writer's commits keep cold
 * (SQLite drops a reader's page cache whenever the database changed), plus SQLite's file locks.
 * So admitted keys (credentials of kind CRED_INTEGRATION, found through auth_integration and
 * jobs/credential.h) are remembered here, by SHA-256, in a small direct-mapped table (KEY_SLOTS
 * entries; a collision evicts). Only keys the store accepted are kept, never a refusal.
 * Revocation: an entry records store_revocations() as read BEFORE the lookup that filled it, and
 * is used only while that counter has not moved. The store moves it after every batch that
 * revoked a key, before answering the revoking request, so a request that starts after a revoke
 * was answered never sees the revoked key in the cache.
 * Threads: any request thread; the table has one mutex, held only to copy an entry.
 */
#include "api/ingest_common.h"
#include "util/ratelimit.h"
#include "util/jsonfast.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "domain/credential.h"
#include "store/credentials.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_SLOTS = 256 };

struct key_entry {
    const struct store *store; /* NULL: empty */
    uint64_t revocations;
    char hash[SHA256_HEX_LEN];
    struct store_credential integ; /* owned copy */
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static struct key_entry key_cache[KEY_SLOTS];

static struct key_entry *key_slot(const char *hash)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = hash[i];
        v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    return &key_cache[v % KEY_SLOTS];
}

static bool key_cached(const struct store *s, uint64_t revocations, const char *hash,
                       const char *type, struct store_credential *out)
{
    pthread_mutex_lock(&key_lock);
    const struct key_entry *e = key_slot(hash);
    bool hit = e->store == s && e->revocations == revocations && strcmp(e->hash, hash) == 0 &&
               strcmp(e->integ.type, type) == 0;
    if (hit)
        store_credential_copy(&e->integ, out);
    pthread_mutex_unlock(&key_lock);
    return hit;
}

static void key_remember(const struct store *s, uint64_t revocations, const char *hash,
                         const struct store_credential *i)
{
    pthread_mutex_lock(&key_lock);
    struct key_entry *e = key_slot(hash);
    if (e->store)
        store_credential_free_fields(&e->integ);
    e->store = s;
    e->revocations = revocations;
    memcpy(e->hash, hash, SHA256_HEX_LEN);
    store_credential_copy(i, &e->integ);
    pthread_mutex_unlock(&key_lock);
}

/* auth_integration, through the cache. */
static enum result admit_key(struct request *r, const char *key, const char *type,
                             struct store_credential *out, struct error *err)
{
    if (!key || !*key)
        return auth_integration(r, key, type, out, err); /* its 401 */
    char hash[SHA256_HEX_LEN];
    credential_hash(key, hash);
    struct store *s = r->app->store;
    uint64_t revocations = store_revocations(s); /* before the lookup: see the header comment */
    if (key_cached(s, revocations, hash, type, out)) {
        snprintf(r->who.actor, sizeof r->who.actor, "integration:%s", out->name);
        r->who.authenticated = true;
        return OK;
    }
    enum result result = auth_integration(r, key, type, out, err);
    if (result == OK)
        key_remember(s, revocations, hash, out);
    return result;
}

enum result api_ingest_key(struct request *r, const char *key, const char *type,
                           struct store_credential *out, struct error *err)
{
    return admit_key(r, key, type, out, err);
}

enum result api_ingest_take(struct request *r, struct store_credential *integ, int64_t cost,
                            int64_t *retry_after_s, struct error *err)
{
    const struct config *cfg = r->config;
    if (!ratelimit_take(r->app->ratelimit, integ->id, clock_now(r->app->clock),
                        cfg->ingest.rate_limit, cfg->ingest.burst, cost, retry_after_s)) {
        store_credential_free_fields(integ);
        return error_set(err, ERR_RATE_LIMITED,
                         "rate: this key sent more than %lld events per minute; retry after %llds",
                         (long long)cfg->ingest.rate_limit, (long long)*retry_after_s);
    }
    return OK;
}

enum result api_ingest_admit(struct request *r, const char *key, const char *type, int64_t cost,
                             struct store_credential *out, int64_t *retry_after_s,
                             struct error *err)
{
    enum result result = admit_key(r, key, type, out, err);
    return result == OK ? api_ingest_take(r, out, cost, retry_after_s, err) : result;
}

enum result api_ingest_check_strings(const json_t *m, const char *path, size_t max_count,
                                     size_t max_bytes, struct error *err)
{
    size_t n = json_object_size(m), bytes = 0;
    if (n > max_count)
        return error_set(err, ERR_UNPROCESSABLE, "%s: %zu entries, at most %zu are accepted", path,
                         n, max_count);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v)
    {
        if (!json_is_string(v))
            return error_set(err, ERR_BAD_REQUEST, "%s.%.64s: must be a string, not %s", path, k,
                             jsonv_type_name(v));
        bytes += strlen(k) + json_string_length(v);
    }
    if (bytes > max_bytes)
        return error_set(err, ERR_UNPROCESSABLE,
                         "%s: %zu bytes of names and values, at most %zu are accepted", path, bytes,
                         max_bytes);
    return OK;
}

enum result api_ingest_check_size(const json_t *v, const char *path, size_t max_bytes,
                                  struct error *err)
{
    size_t bytes = v ? json_dumpb(v, NULL, 0, JSON_COMPACT) : 0;
    if (bytes > max_bytes)
        return error_set(err, ERR_UNPROCESSABLE, "%s: %zu bytes as JSON, at most %zu are accepted",
                         path, bytes, max_bytes);
    return OK;
}

enum result api_ingest_parse(const struct request *r, json_t **out, struct error *err)
{
    json_t *v = jsonfast_parse(r->body, r->body_len);
    if (json_is_object(v)) {
        *out = v;
        return OK;
    }
    json_decref(v); /* not in the subset, or not an object: jansson decides, and explains */
    return jsonv_parse_object(r->body, r->body_len, false, out, err);
}

void api_ingest_source(const struct request *r, const struct store_credential *i, const char *kind,
                       struct ingest_source *out)
{
    *out = (struct ingest_source){.scope = i->id,
                                  .integration_id = i->id,
                                  .source_kind = kind,
                                  .service = i->service,
                                  .actor = r->who.actor};
}

void api_ingest_retry_after(struct request *r, int64_t seconds)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)(seconds > 0 ? seconds : 1));
    reply_header(r, "Retry-After", v);
}
