-- 020_audit_checkpoint (PostgreSQL), as sqlite/020_audit_checkpoint.sql: the last seq a valid
-- verification pass checked, its hash, when (app clock, ms) and when the last full pass ended valid (full_at); one row at most.
CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  taken_at BIGINT NOT NULL,
  full_at BIGINT NOT NULL
);
