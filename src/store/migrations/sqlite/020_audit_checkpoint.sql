-- 020_audit_checkpoint: the audit checkpoint (docs/security.md "Audit verification"): after a
-- verification pass found the chain valid, the last seq it verified, that entry's hash and when
-- (app clock, ms), and when the last full pass ended valid (full_at: a full pass runs by itself
-- once it is older than storage.audit_full_every). One row at most (id = 1); none until a pass ends valid, and a failed full
-- pass deletes it. An incremental pass checks the entry at seq still carries hash, then verifies
-- only the entries after it.
CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  taken_at INTEGER NOT NULL,
  full_at INTEGER NOT NULL
);
