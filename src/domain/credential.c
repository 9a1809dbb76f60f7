/*
 * domain/credential: see credential.h. The format check is a byte loop over at most 47 characters.
 */
#include "domain/credential.h"

#include <string.h>

enum {
    TOKEN_BODY_LEN = 43, /* 32 bytes as unpadded base64: ceil(32 * 4 / 3) */
    KEY_LEN = 32,        /* 16 bytes as hex */
};

static const char TOKEN_PREFIX[] = "tcn_";

const char *credential_kind_name(enum credential_kind kind)
{
    return kind == CRED_TOKEN ? "token" : "integration";
}

const char *credential_id_prefix(enum credential_kind kind)
{
    return kind == CRED_TOKEN ? "tok_" : "int_";
}

static bool all_of(const char *s, size_t len, bool (*ok)(char))
{
    for (size_t i = 0; i < len; i++)
        if (!ok(s[i]))
            return false;
    return s[len] == '\0';
}

static bool is_base64url(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

static bool is_lower_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

bool credential_secret_valid(enum credential_kind kind, const char *secret)
{
    if (!secret)
        return false;
    size_t len = strnlen(secret, CREDENTIAL_SECRET_MAX);
    if (kind == CRED_INTEGRATION)
        return len == KEY_LEN && all_of(secret, KEY_LEN, is_lower_hex);
    size_t pl = sizeof TOKEN_PREFIX - 1;
    return len == pl + TOKEN_BODY_LEN && memcmp(secret, TOKEN_PREFIX, pl) == 0 &&
           all_of(secret + pl, TOKEN_BODY_LEN, is_base64url);
}

void credential_hash(const char *secret, char out[SHA256_HEX_LEN])
{
    crypto_sha256_hex(secret, strlen(secret), out);
}
