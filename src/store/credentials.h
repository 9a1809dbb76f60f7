/*
 * store/credentials: user tokens and integration keys, one struct and one set of operations, each
 * taking the kind (enum credential_kind, domain/credential.h). The backend keeps each kind in its
 * own table (SQLite: tokens, migration 001; integrations, migration 002) and picks its statements
 * by kind. Only SHA-256 hashes of the secrets are stored. Revoking moves store_revocations (the
 * STORE_OP_REVOKES flag). Structs filled here own their strings (free with
 * store_credential_free_fields); callbacks get borrowed ones.
 */
#ifndef TOCSIN_STORE_CREDENTIALS_H
#define TOCSIN_STORE_CREDENTIALS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/credential.h"
#include "store/store_ops.h"
#include "util/crypto.h"

struct store_credential {
    enum credential_kind kind;
    char id[CREDENTIAL_ID_MAX];
    char *name;
    char *role;    /* tokens: admin, responder, viewer; NULL for integrations */
    char *service; /* integrations; NULL for tokens */
    char *type;    /* integrations: alertmanager, events_v2, generic, heartbeat; NULL for tokens */
    char hash[SHA256_HEX_LEN];
    int64_t created_at;
    int64_t revoked_at; /* 0 = live */
};

typedef int (*store_credential_cb)(const struct store_credential *cr, void *ctx);

/* insert takes the kind from cr->kind; get/find_hash/revoke answer ERR_NOT_FOUND for a row of
 * another kind; revoke is ERR_NOT_FOUND when the credential is unknown or already revoked. */
#define STORE_CREDENTIAL_OPS(X)                                                                    \
    X(credential_insert, 0, (const struct store_credential *cr), (cr))                             \
    X(credential_get, 0,                                                                           \
      (enum credential_kind kind, const char *id, struct store_credential *out), (kind, id, out))  \
    X(credential_find_hash, 0,                                                                     \
      (enum credential_kind kind, const char *hash, struct store_credential *out),                 \
      (kind, hash, out))                                                                           \
    X(credential_list, 0, (enum credential_kind kind, store_credential_cb cb, void *ctx),          \
      (kind, cb, ctx))                                                                             \
    X(credential_revoke, STORE_OP_REVOKES,                                                         \
      (enum credential_kind kind, const char *id, int64_t now), (kind, id, now))

STORE_OPS_DECLARE(credential, STORE_CREDENTIAL_OPS)

void store_credential_free_fields(struct store_credential *cr);
/* A copy of `from` that owns its own strings. */
void store_credential_copy(const struct store_credential *from, struct store_credential *to);

#endif
