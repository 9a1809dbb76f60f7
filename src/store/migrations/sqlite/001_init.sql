-- 001_init: incidents, the hash-chained timeline, tokens, counters.
-- Times are INTEGER milliseconds since the Unix epoch (UTC).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE counters (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);

CREATE TABLE incidents (
  id                    TEXT PRIMARY KEY,
  title                 TEXT NOT NULL,
  summary               TEXT,
  severity              TEXT NOT NULL,
  service               TEXT,
  type                  TEXT,
  channel               TEXT NOT NULL,
  postmortem            TEXT,
  status                TEXT NOT NULL,
  drill                 INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  acknowledged_at       INTEGER,
  resolved_at           INTEGER,
  closed_at             INTEGER,
  updated_at            INTEGER NOT NULL,
  last_public_update_at INTEGER,
  commander             TEXT,
  tech_lead             TEXT,
  comms_lead            TEXT,
  scribe                TEXT
);
CREATE INDEX incidents_status_created ON incidents(status, created_at);
CREATE INDEX incidents_created ON incidents(created_at);

CREATE TABLE timeline (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  kind        TEXT NOT NULL,
  incident_id TEXT,
  data        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX timeline_incident ON timeline(incident_id, seq);
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only: UPDATE is forbidden'); END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only: DELETE is forbidden'); END;

CREATE TABLE tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX tokens_live_name ON tokens(name) WHERE revoked_at IS NULL;
