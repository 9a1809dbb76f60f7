/*
 * crypto: thin wrappers over libsodium. SHA-256 (hex), random tokens, constant-time compare.
 * crypto_init() once at start-up (fatal on failure); the rest is thread-safe.
 */
#ifndef TOCSIN_CRYPTO_H
#define TOCSIN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

enum { SHA256_HEX_LEN = 65 }; /* 64 hex digits + NUL */

void crypto_init(void);
void crypto_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);
/* SHA-256 over the concatenation of two strings, hex. */
void crypto_sha256_hex2(const char *a, const char *b, char out[SHA256_HEX_LEN]);
/* prefix + nbytes of randomness as URL-safe base64 without padding. */
void crypto_random_token(const char *prefix, size_t nbytes, char *out, size_t outlen);
/* nbytes random bytes as lowercase hex. out must hold 2*nbytes+1. */
void crypto_random_hex(size_t nbytes, char *out);
/* Passwords (argon2id, libsodium's crypto_pwhash_str at its "interactive" limits): the hash is
 * a self-describing string (algorithm, limits, salt) of at most CRYPTO_PWHASH_MAX bytes, NUL
 * included. hash: false when out of memory. verify: whether `password` matches `hash`. Both take
 * tens of milliseconds and 64 MiB: call them on request threads, never on the store writer. */
enum { CRYPTO_PWHASH_MAX = 128 };
bool crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_MAX]);
bool crypto_password_verify(const char *hash, const char *password);
/* Constant-time equality of two NUL-terminated strings (length leaks, content does not). */
bool crypto_str_eq(const char *a, const char *b);

#endif
