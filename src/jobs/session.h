/*
 * jobs/session: the responder UI's sign-in (docs/internals/ui.md). Passwords belong to config
 * users; a session is a store row keyed by the SHA-256 of a random secret that only the browser's
 * cookie holds, so a stolen database opens no session, and revoking a row ends the session at the
 * next request (every UI request reads its row).
 *
 * password_set: stores the user's argon2id hash (made by the caller, on a request thread, with
 * crypto_password_hash) and role, revokes the user's live sessions, appends "user.password_set".
 * open: a new secret (returned once) and CSRF token, stored with the user, role and expiry;
 * appends "user.signed_in". lookup: the live, unexpired session of a secret. close: revokes one
 * session ("user.signed_out"). revoke_user: revokes every live session of a user
 * ("user.sessions_revoked").
 * Threads: the writes queue a store job and wait (any thread but the writer); lookup and
 * login_get read on the connection they are given (the caller's reader).
 */
#ifndef TOCSIN_JOBS_SESSION_H
#define TOCSIN_JOBS_SESSION_H

#include "store/sessions.h"
#include "store/store.h"

enum { SESSION_SECRET_MAX = 64 };

enum result session_password_set(struct store *s, int64_t now, const char *actor, const char *user,
                                 const char *hash, const char *role, struct error *err);
/* On OK, `secret` holds the cookie value and `out` the stored row (its CSRF token). */
enum result session_open(struct store *s, int64_t now, int64_t ttl_ms, const char *user,
                         const char *role, char secret[SESSION_SECRET_MAX],
                         struct store_session *out, struct error *err);
/* OK (live: `out` filled), ERR_UNAUTHORIZED (unknown, revoked or expired), ERR_UNAVAILABLE. */
enum result session_lookup(struct store_conn *c, const char *secret, int64_t now,
                           struct store_session *out);
/* ERR_NOT_FOUND when the session is unknown or already revoked. */
enum result session_close(struct store *s, int64_t now, const struct store_session *ses,
                          struct error *err);
enum result session_revoke_user(struct store *s, int64_t now, const char *actor, const char *user,
                                struct error *err);

#endif
