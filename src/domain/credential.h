/*
 * domain/credential: what a credential is, without the store. Two kinds share one shape: a user
 * token ("tcn_" + 32 random bytes as unpadded base64url, 47 characters; it carries a role) and an
 * integration key (32 lowercase hex characters, the shape of a PagerDuty routing key; it lets a
 * sender post one intake format for one service). The secret is shown once; only its SHA-256 (hex)
 * is ever stored or compared.
 *
 * Invariants: a secret has the shape of at most one kind (the token prefix is not hex), so a
 * secret of one kind can never be looked up as the other.
 * Pure: no I/O, no clock; thread-safe.
 */
#ifndef TOCSIN_DOMAIN_CREDENTIAL_H
#define TOCSIN_DOMAIN_CREDENTIAL_H

#include <stdbool.h>

#include "util/crypto.h"

enum credential_kind { CRED_TOKEN, CRED_INTEGRATION };

enum {
    CREDENTIAL_SECRET_MAX = 96, /* a secret of either kind, with its NUL, fits */
    CREDENTIAL_ID_MAX = 32,     /* "tok_" / "int_" + 16 hex digits, with room */
};

/* "token" or "integration": the timeline's kinds are "<name>.created" and "<name>.revoked". */
const char *credential_kind_name(enum credential_kind kind);
/* "tok_" or "int_": the prefix of the kind's ids. */
const char *credential_id_prefix(enum credential_kind kind);
/* Whether `secret` has the shape of a secret of `kind` (the format check; not a lookup). */
bool credential_secret_valid(enum credential_kind kind, const char *secret);
/* The stored form of a secret: SHA-256 of its bytes, lowercase hex. */
void credential_hash(const char *secret, char out[SHA256_HEX_LEN]);

#endif
