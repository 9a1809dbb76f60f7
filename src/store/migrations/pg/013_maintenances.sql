-- 013_maintenances (PostgreSQL), as sqlite/013_maintenances.sql: scheduled maintenance windows
-- (docs/internals/status_page.md "Scheduled maintenance"). status is the one people set
-- (scheduled, in_progress, verifying, completed); the page shows it moved on by the clock.
-- components: JSON array of status page component names; updates: JSON array of the public
-- updates posted on it, oldest first.
CREATE TABLE maintenances (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  status          TEXT NOT NULL,
  components      TEXT NOT NULL,
  updates         TEXT NOT NULL,
  scheduled_for   BIGINT NOT NULL,
  scheduled_until BIGINT NOT NULL,
  started_at      BIGINT,
  completed_at    BIGINT,
  created_by      TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX maintenances_for ON maintenances(scheduled_for);

-- tocsin's own record of when it was running (docs/internals/status_page.md "Uptime bars"): one
-- row per run of a node (started_at, app clock ms), seen_at moved forward by its heartbeat. Time
-- no run covers is "no data" on the status page's uptime bars.
CREATE TABLE runs (
  node       TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  seen_at    BIGINT NOT NULL,
  PRIMARY KEY (node, started_at)
);
CREATE INDEX runs_seen ON runs(seen_at);
