/*
 * store/credentials: user tokens and integration keys (migration 001: tokens, 002: integrations).
 * Only SHA-256 hashes of the secrets are stored. Revoking moves store_revocations (the
 * STORE_OP_REVOKES flag). Structs filled here own their strings (free with the *_free_fields
 * function); callbacks get borrowed ones.
 */
#ifndef TOCSIN_STORE_CREDENTIALS_H
#define TOCSIN_STORE_CREDENTIALS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"
#include "util/crypto.h"

struct store_token {
    char id[32];
    char *name;
    char *role;
    char hash[SHA256_HEX_LEN];
    int64_t created_at;
    int64_t revoked_at; /* 0 = live */
};

struct store_integration {
    char id[32];
    char *name;
    char *service;
    char *type; /* alertmanager, events_v2, generic, heartbeat */
    char hash[SHA256_HEX_LEN];
    int64_t created_at;
    int64_t revoked_at; /* 0 = live */
};

typedef int (*store_token_cb)(const struct store_token *t, void *ctx);
typedef int (*store_integration_cb)(const struct store_integration *i, void *ctx);

#define STORE_CREDENTIAL_OPS(X)                                                                    \
    X(token_insert, 0, (const struct store_token *t), (t))                                         \
    X(token_get, 0, (const char *id, struct store_token *out), (id, out))                          \
    X(token_find_hash, 0, (const char *hash, struct store_token *out), (hash, out))                \
    X(token_list, 0, (store_token_cb cb, void *ctx), (cb, ctx))                                    \
    X(token_revoke, STORE_OP_REVOKES, (const char *id, int64_t now), (id, now))                    \
    X(integration_insert, 0, (const struct store_integration *i), (i))                             \
    X(integration_get, 0, (const char *id, struct store_integration *out), (id, out))              \
    X(integration_find_hash, 0, (const char *hash, struct store_integration *out), (hash, out))    \
    X(integration_list, 0, (store_integration_cb cb, void *ctx), (cb, ctx))                        \
    X(integration_revoke, STORE_OP_REVOKES, (const char *id, int64_t now), (id, now))

STORE_OPS_DECLARE(credential, STORE_CREDENTIAL_OPS)

void store_token_free_fields(struct store_token *t);
void store_integration_free_fields(struct store_integration *i);

#endif
