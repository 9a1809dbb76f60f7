-- 010_ui_sessions: the responder UI's sign-in. ui_logins holds one password per config user
-- (argon2id, libsodium's crypto_pwhash_str format) and the role it signs in with; ui_sessions
-- holds one row per signed-in browser, keyed by the SHA-256 of the cookie's secret (the secret
-- itself is never stored), with its CSRF token, expiry and revocation time (docs/internals/ui.md).
CREATE TABLE ui_logins (
  user_id    TEXT PRIMARY KEY,
  pw_hash    TEXT NOT NULL,
  role       TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE ui_sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  role       TEXT NOT NULL,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX ui_sessions_user ON ui_sessions(user_id);
