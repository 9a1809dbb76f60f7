/*
 * jobs/credential: the one front end of user tokens and integration keys (the two kinds of
 * domain/credential.h). create: store the secret's SHA-256 and append "<kind>.created"; the
 * secret itself is returned once and never stored. lookup: hash the presented secret, find it
 * among the credentials of one kind, tell live from revoked. revoke: mark it revoked and append
 * "<kind>.revoked" (the store's revocation counter moves, which is what caches of admitted
 * credentials watch: api/ingest_common.c). list: every credential of one kind.
 * The kind's own fields and JSON stay with their routes (api/tokens.c, api/integrations.c).
 *
 * Ownership: the struct store_credential given to create is the caller's, and so are its strings
 * (create fills id, hash and created_at). revoke and lookup fill `out` with owned strings on OK
 * (store_credential_free_fields); on any other result `out` holds nothing to free.
 * Threads: create and revoke queue a store job and wait for it (any thread but the writer);
 * lookup and list read on the connection they are given (the caller's reader).
 */
#ifndef TOCSIN_JOBS_CREDENTIAL_H
#define TOCSIN_JOBS_CREDENTIAL_H

#include "domain/credential.h"
#include "store/credentials.h"
#include "store/store.h"

/* A new random secret of `kind` (see domain/credential.h for the shapes). */
void credential_new_secret(enum credential_kind kind, char secret[CREDENTIAL_SECRET_MAX]);
/* Stores the credential `cr` describes (kind, name, and role, or service and type) for `secret`,
 * with a new id, at `now`, and appends "<kind>.created" by `actor`. A live token's name is unique:
 * ERR_CONFLICT naming it. */
enum result credential_create(struct store *s, int64_t now, const char *actor, const char *secret,
                              struct store_credential *cr, struct error *err);
/* Revokes the live credential `id` of `kind` at `now` and appends "<kind>.revoked" by `actor`; on
 * OK `out` holds it, revoked. ERR_NOT_FOUND (unknown id), ERR_CONFLICT (already revoked). */
enum result credential_revoke(struct store *s, int64_t now, const char *actor,
                              enum credential_kind kind, const char *id,
                              struct store_credential *out, struct error *err);
/* The credential of `kind` whose secret is `secret`: OK (live; `out` filled), ERR_NOT_FOUND (no
 * such secret of this kind, including a secret without the kind's shape: the store is not asked),
 * ERR_UNAUTHORIZED (revoked), ERR_UNAVAILABLE (the store). */
enum result credential_lookup(struct store_conn *c, enum credential_kind kind, const char *secret,
                              struct store_credential *out);
/* Calls cb for each credential of `kind`, oldest first (stops when cb returns non-zero). */
enum result credential_list(struct store_conn *c, enum credential_kind kind, store_credential_cb cb,
                            void *ctx);

#endif
