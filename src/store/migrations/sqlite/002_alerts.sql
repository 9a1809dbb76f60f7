-- 002_alerts: integrations (keys), alerts (dedup, grouping), silences, heartbeats, probe results.
CREATE TABLE integrations (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  service    TEXT NOT NULL,
  type       TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE alerts (
  id             INTEGER PRIMARY KEY,
  scope          TEXT NOT NULL,     -- dedup scope: integration id, heartbeat:NAME, probe:SERVICE
  integration_id TEXT,
  source_kind    TEXT NOT NULL,
  service        TEXT NOT NULL,
  dedup_key      TEXT NOT NULL,
  status         TEXT NOT NULL,     -- firing, acknowledged, resolved
  summary        TEXT NOT NULL,
  source         TEXT,
  severity       TEXT,
  labels         TEXT NOT NULL DEFAULT '{}',
  details        TEXT NOT NULL DEFAULT '{}',
  group_key      TEXT NOT NULL,
  incident_id    TEXT,
  silenced_by    TEXT,
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  repeat_count   INTEGER NOT NULL DEFAULT 1,
  resolved_at    INTEGER
);
-- one open alert per dedup key and scope; a trigger after resolve opens a new one
CREATE UNIQUE INDEX alerts_open_dedup ON alerts(scope, dedup_key) WHERE status != 'resolved';
CREATE INDEX alerts_incident ON alerts(incident_id, status);
CREATE INDEX alerts_status_service ON alerts(status, service, id);

ALTER TABLE incidents ADD COLUMN group_key TEXT;
ALTER TABLE incidents ADD COLUMN auto_resolve INTEGER NOT NULL DEFAULT 0;
CREATE INDEX incidents_group_open ON incidents(group_key, status) WHERE group_key IS NOT NULL;

CREATE TABLE silences (
  id         TEXT PRIMARY KEY,
  service    TEXT,
  matchers   TEXT NOT NULL DEFAULT '{}',
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX silences_ends ON silences(ends_at);

CREATE TABLE heartbeats (
  name      TEXT PRIMARY KEY,
  last_seen INTEGER NOT NULL
);

CREATE TABLE probe_results (
  id         INTEGER PRIMARY KEY,
  service    TEXT NOT NULL,
  at         INTEGER NOT NULL,
  ok         INTEGER NOT NULL,
  status     INTEGER,
  latency_ms REAL,
  error      TEXT
);
CREATE INDEX probe_results_service_at ON probe_results(service, at);
