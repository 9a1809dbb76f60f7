-- 003_oncall: on-call overrides: a user on call instead of the rotation for [starts_at, ends_at).
-- layer NULL = the schedule as a whole. Removing one sets removed_at (rows are never deleted, so
-- the timeline's override.created / override.removed entries keep pointing at something).
CREATE TABLE overrides (
  id         TEXT PRIMARY KEY,
  schedule   TEXT NOT NULL,
  layer      TEXT,
  user       TEXT NOT NULL,
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  reason     TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  removed_at INTEGER,
  CHECK (ends_at > starts_at)
);
CREATE INDEX overrides_live ON overrides(schedule, ends_at) WHERE removed_at IS NULL;
