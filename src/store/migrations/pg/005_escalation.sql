-- 005_escalation (PostgreSQL): one escalation state per incident (its deadline is due_at, indexed:
-- the engine takes the due rows in deadline order, so the store is the deadline heap and survives
-- restarts), and the hand-offs already announced. As sqlite/005_escalation.sql.
CREATE TABLE escalations (
  incident_id         TEXT PRIMARY KEY,
  started             INTEGER NOT NULL DEFAULT 0,
  policy              TEXT NOT NULL DEFAULT '',
  round               BIGINT NOT NULL DEFAULT 0,
  next_step           BIGINT NOT NULL DEFAULT 0,
  round_start         BIGINT NOT NULL,
  ack_breach_done     INTEGER NOT NULL DEFAULT 0,
  resolve_breach_done INTEGER NOT NULL DEFAULT 0,
  reminded_for        BIGINT NOT NULL DEFAULT 0,
  manual_count        BIGINT NOT NULL DEFAULT 0,
  due_at              BIGINT,             -- NULL: nothing pending until an event re-arms it
  updated_at          BIGINT NOT NULL
);
CREATE INDEX escalations_due ON escalations(due_at) WHERE due_at IS NOT NULL;

-- Incidents already open when this migration runs are evaluated at the first engine pass.
INSERT INTO escalations(incident_id, round_start, due_at, updated_at)
  SELECT id, created_at, 0, created_at FROM incidents
  WHERE status IN ('triggered','acknowledged','investigating','identified','monitoring');

CREATE TABLE handoffs (
  schedule    TEXT NOT NULL,
  layer       TEXT NOT NULL,
  starts_at   BIGINT NOT NULL,
  user_id     TEXT NOT NULL,
  notified_at BIGINT NOT NULL,
  PRIMARY KEY (schedule, layer, starts_at)
);
