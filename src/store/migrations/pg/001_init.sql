-- 001_init (PostgreSQL): incidents, the hash-chained timeline, tokens, counters.
-- The same schema as sqlite/001_init.sql: times are BIGINT milliseconds since the Unix epoch (UTC),
-- booleans are 0/1 INTEGERs, so the two backends' SQL stays close.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE counters (
  key   TEXT PRIMARY KEY,
  value BIGINT NOT NULL
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
  created_at            BIGINT NOT NULL,
  acknowledged_at       BIGINT,
  resolved_at           BIGINT,
  closed_at             BIGINT,
  updated_at            BIGINT NOT NULL,
  last_public_update_at BIGINT,
  commander             TEXT,
  tech_lead             TEXT,
  comms_lead            TEXT,
  scribe                TEXT
);
CREATE INDEX incidents_status_created ON incidents(status, created_at);
CREATE INDEX incidents_created ON incidents(created_at);

-- seq is given by the writer (the hash chain's order), not generated.
CREATE TABLE timeline (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  kind        TEXT NOT NULL,
  incident_id TEXT,
  data        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX timeline_incident ON timeline(incident_id, seq);

-- Append-only, as SQLite's RAISE(ABORT) triggers: an integrity-constraint error (class 23, which
-- the backend maps to ERR_CONFLICT as SQLite's SQLITE_CONSTRAINT_TRIGGER is).
CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'timeline is append-only: % is forbidden', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
  FOR EACH ROW EXECUTE FUNCTION timeline_append_only();
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
  FOR EACH ROW EXECUTE FUNCTION timeline_append_only();
-- TRUNCATE fires no row trigger: forbid it too (SQLite has no TRUNCATE).
CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON timeline
  FOR EACH STATEMENT EXECUTE FUNCTION timeline_append_only();

CREATE TABLE tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX tokens_live_name ON tokens(name) WHERE revoked_at IS NULL;
