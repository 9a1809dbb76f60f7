/* crypto: see crypto.h. */
#include "util/crypto.h"
#include "util/log.h"

#include <sodium.h>
#include <string.h>

void crypto_init(void)
{
    if (sodium_init() < 0)
        fatal("libsodium failed to initialise");
}

static void to_hex(const unsigned char *bin, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, bin, n);
}

void crypto_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    to_hex(h, sizeof h, out);
}

void crypto_sha256_hex2(const char *a, const char *b, char out[SHA256_HEX_LEN])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)a, strlen(a));
    crypto_hash_sha256_update(&st, (const unsigned char *)b, strlen(b));
    crypto_hash_sha256_final(&st, h);
    to_hex(h, sizeof h, out);
}

void crypto_random_token(const char *prefix, size_t nbytes, char *out, size_t outlen)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    randombytes_buf(raw, nbytes);
    size_t pl = strlen(prefix);
    size_t need = pl + sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (outlen < need)
        fatal("crypto_random_token: buffer too small");
    memcpy(out, prefix, pl);
    sodium_bin2base64(out + pl, outlen - pl, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_random_hex(size_t nbytes, char *out)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    randombytes_buf(raw, nbytes);
    to_hex(raw, nbytes, out);
}

bool crypto_str_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}

bool crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_MAX])
{
    _Static_assert(crypto_pwhash_STRBYTES <= CRYPTO_PWHASH_MAX, "pwhash string size");
    return crypto_pwhash_str_alg(
               out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
               crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
