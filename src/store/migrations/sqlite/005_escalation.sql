-- 005_escalation: one escalation state per incident (its deadline is due_at, indexed: the engine
-- takes the due rows in deadline order, so the store is the deadline heap and survives restarts),
-- and the hand-offs already announced.
CREATE TABLE escalations (
  incident_id         TEXT PRIMARY KEY,
  started             INTEGER NOT NULL DEFAULT 0,
  policy              TEXT NOT NULL DEFAULT '',
  round               INTEGER NOT NULL DEFAULT 0,
  next_step           INTEGER NOT NULL DEFAULT 0,
  round_start         INTEGER NOT NULL,
  ack_breach_done     INTEGER NOT NULL DEFAULT 0,
  resolve_breach_done INTEGER NOT NULL DEFAULT 0,
  reminded_for        INTEGER NOT NULL DEFAULT 0,
  manual_count        INTEGER NOT NULL DEFAULT 0,
  due_at              INTEGER,            -- NULL: nothing pending until an event re-arms it
  updated_at          INTEGER NOT NULL
);
CREATE INDEX escalations_due ON escalations(due_at) WHERE due_at IS NOT NULL;

-- Incidents already open when this migration runs are evaluated at the first engine pass.
INSERT INTO escalations(incident_id, round_start, due_at, updated_at)
  SELECT id, created_at, 0, created_at FROM incidents
  WHERE status IN ('triggered','acknowledged','investigating','identified','monitoring');

CREATE TABLE handoffs (
  schedule    TEXT NOT NULL,
  layer       TEXT NOT NULL,
  starts_at   INTEGER NOT NULL,
  user_id     TEXT NOT NULL,
  notified_at INTEGER NOT NULL,
  PRIMARY KEY (schedule, layer, starts_at)
);
