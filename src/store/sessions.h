/*
 * store/sessions: the responder UI's passwords and sign-in sessions (migration 010,
 * docs/internals/ui.md). A login is one config user's password hash (argon2id, the
 * crypto_pwhash_str string) and the role the user signs in with; setting it again replaces both.
 * A session is one signed-in browser: the SHA-256 of its cookie secret (the secret is never
 * stored), its user and role, its CSRF token, when it was made, when it expires and when it was
 * revoked (0 = live). Revoking is immediate: every UI request reads its session row.
 * The structs hold fixed-size strings: nothing to free. session_revoke answers ERR_NOT_FOUND when
 * the session is unknown or already revoked; session_revoke_user revokes every live session of
 * a user (none is not an error).
 */
#ifndef TOCSIN_STORE_SESSIONS_H
#define TOCSIN_STORE_SESSIONS_H

#include <stdint.h>

#include "store/store_ops.h"
#include "util/crypto.h"

enum {
    STORE_LOGIN_USER_MAX = 128, /* a config user id, NUL included */
    STORE_LOGIN_HASH_MAX = 128, /* crypto_pwhash_STRBYTES */
    STORE_LOGIN_ROLE_MAX = 16,
    STORE_SESSION_CSRF_MAX = 65
};

struct store_login {
    char user[STORE_LOGIN_USER_MAX];
    char hash[STORE_LOGIN_HASH_MAX];
    char role[STORE_LOGIN_ROLE_MAX]; /* viewer, responder, admin */
    int64_t updated_at;
};

struct store_session {
    char id_hash[SHA256_HEX_LEN];
    char user[STORE_LOGIN_USER_MAX];
    char role[STORE_LOGIN_ROLE_MAX];
    char csrf[STORE_SESSION_CSRF_MAX];
    int64_t created_at, expires_at;
    int64_t revoked_at; /* 0 = live */
};

#define STORE_SESSION_OPS(X)                                                                       \
    X(login_set, 0, (const struct store_login *l), (l))                                            \
    X(login_get, 0, (const char *user, struct store_login *out), (user, out))                      \
    X(session_insert, 0, (const struct store_session *s), (s))                                     \
    X(session_get, 0, (const char *id_hash, struct store_session *out), (id_hash, out))            \
    X(session_revoke, 0, (const char *id_hash, int64_t now), (id_hash, now))                       \
    X(session_revoke_user, 0, (const char *user, int64_t now), (user, now))

STORE_OPS_DECLARE(session, STORE_SESSION_OPS)

#endif
