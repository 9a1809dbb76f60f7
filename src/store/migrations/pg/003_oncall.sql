-- 003_oncall (PostgreSQL): on-call overrides: a user on call instead of the rotation for
-- [starts_at, ends_at). layer NULL = the schedule as a whole. Removing one sets removed_at (rows
-- are never deleted, so the timeline's override.created / override.removed entries keep pointing
-- at something). As sqlite/003_oncall.sql. USER is a reserved word in PostgreSQL: the column is
-- "user", quoted, in every statement that names it.
CREATE TABLE overrides (
  id         TEXT PRIMARY KEY,
  schedule   TEXT NOT NULL,
  layer      TEXT,
  "user"     TEXT NOT NULL,
  starts_at  BIGINT NOT NULL,
  ends_at    BIGINT NOT NULL,
  reason     TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  removed_at BIGINT,
  CHECK (ends_at > starts_at)
);
CREATE INDEX overrides_live ON overrides(schedule, ends_at) WHERE removed_at IS NULL;
