/*
 * jobs/credential: see credential.h. One create job and one revoke job serve both kinds; what
 * differs by kind is data: the id prefix and secret shape (domain/credential.c), the table
 * (the store picks it), and the timeline entry's fields (credential_data below).
 */
#include "jobs/credential.h"
#include "jobs/timeline.h"
#include "util/crypto.h"

#include <stdio.h>

struct credential_job {
    int64_t now;
    const char *actor;
    const char *id;              /* revoke: which */
    enum credential_kind kind;   /* revoke */
    struct store_credential *cr; /* create: the caller's; revoke: the job's output */
};

void credential_new_secret(enum credential_kind kind, char secret[CREDENTIAL_SECRET_MAX])
{
    if (kind == CRED_TOKEN)
        crypto_random_token("tcn_", 32, secret, CREDENTIAL_SECRET_MAX);
    else
        crypto_random_hex(16, secret);
}

/* The timeline entry's data: id and name, plus role (tokens) or service and type (keys) when
 * created. */
static json_t *credential_data(const struct store_credential *cr, bool created)
{
    json_t *data = json_pack("{s:s,s:s}", "id", cr->id, "name", cr->name);
    if (created && cr->kind == CRED_TOKEN) {
        json_object_set_new(data, "role", json_string(cr->role));
    } else if (created) {
        json_object_set_new(data, "service", json_string(cr->service));
        json_object_set_new(data, "type", json_string(cr->type));
    }
    return data;
}

static void timeline_kind(enum credential_kind kind, const char *what, char *out, size_t n)
{
    snprintf(out, n, "%s.%s", credential_kind_name(kind), what);
}

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct credential_job *j = arg;
    struct store_credential *cr = j->cr;
    const char *kind = credential_kind_name(cr->kind);
    enum result result = store_credential_insert(tx, cr);
    if (result == ERR_CONFLICT && cr->kind == CRED_TOKEN)
        return error_set(err, ERR_CONFLICT, "name: a live token named \"%s\" already exists",
                         cr->name);
    if (result != OK)
        return error_set(err, result, "store: cannot store the %s", kind);
    char what[32];
    timeline_kind(cr->kind, "created", what, sizeof what);
    return timeline_append(tx, j->now, j->actor, what, NULL, credential_data(cr, true), NULL, err);
}

enum result credential_create(struct store *s, int64_t now, const char *actor, const char *secret,
                              struct store_credential *cr, struct error *err)
{
    char hex[17];
    crypto_random_hex(8, hex);
    snprintf(cr->id, sizeof cr->id, "%s%s", credential_id_prefix(cr->kind), hex);
    credential_hash(secret, cr->hash);
    cr->created_at = now;
    cr->revoked_at = 0;
    struct credential_job j = {.now = now, .actor = actor, .cr = cr};
    return store_write(s, create_job, &j, err);
}

static enum result revoke_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct credential_job *j = arg;
    const char *kind = credential_kind_name(j->kind);
    enum result result = store_credential_get(tx, j->kind, j->id, j->cr);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no %s %.64s", kind, j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read the %s", kind);
    if (j->cr->revoked_at)
        return error_set(err, ERR_CONFLICT, "id: %s %s is already revoked", kind, j->id);
    result = store_credential_revoke(tx, j->kind, j->id, j->now);
    if (result != OK)
        return error_set(err, result, "store: cannot revoke the %s", kind);
    j->cr->revoked_at = j->now;
    char what[32];
    timeline_kind(j->kind, "revoked", what, sizeof what);
    return timeline_append(tx, j->now, j->actor, what, NULL, credential_data(j->cr, false), NULL,
                           err);
}

enum result credential_revoke(struct store *s, int64_t now, const char *actor,
                              enum credential_kind kind, const char *id,
                              struct store_credential *out, struct error *err)
{
    *out = (struct store_credential){.kind = kind};
    struct credential_job j = {.now = now, .actor = actor, .id = id, .kind = kind, .cr = out};
    enum result result = store_write(s, revoke_job, &j, err);
    if (result != OK)
        store_credential_free_fields(out);
    return result;
}

enum result credential_lookup(struct store_conn *c, enum credential_kind kind, const char *secret,
                              struct store_credential *out)
{
    *out = (struct store_credential){.kind = kind};
    if (!credential_secret_valid(kind, secret))
        return ERR_NOT_FOUND;
    char hash[SHA256_HEX_LEN];
    credential_hash(secret, hash);
    enum result result = store_credential_find_hash(c, kind, hash, out);
    if (result == OK && out->revoked_at) {
        store_credential_free_fields(out);
        result = ERR_UNAUTHORIZED;
    }
    return result;
}

enum result credential_list(struct store_conn *c, enum credential_kind kind, store_credential_cb cb,
                            void *ctx)
{
    return store_credential_list(c, kind, cb, ctx);
}
