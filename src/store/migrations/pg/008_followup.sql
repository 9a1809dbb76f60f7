-- 008_followup (PostgreSQL, as sqlite/008_followup.sql): what happens after an incident: its
-- post-mortem (one per incident, id "PM-<incident id>") and action items (id "ACT-<n>", from the counter "action"). remind_at is the
-- next overdue reminder (NULL: none due: published, done, or no due date); the engine's follow-up
-- pass reminds the owner at remind_at and moves it a day on (docs/internals/postmortems.md).
CREATE TABLE postmortems (
  id                   TEXT PRIMARY KEY,
  incident_id          TEXT NOT NULL UNIQUE,
  template             TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'published')),
  owner                TEXT,
  required             INTEGER NOT NULL DEFAULT 0,
  due_at               BIGINT NOT NULL DEFAULT 0,
  summary              TEXT,
  impact               TEXT,
  root_cause           TEXT,
  contributing_factors TEXT,
  went_well            TEXT,
  went_badly           TEXT,
  lessons              TEXT,
  created_at           BIGINT NOT NULL,
  created_by           TEXT NOT NULL,
  updated_at           BIGINT NOT NULL,
  published_at         BIGINT NOT NULL DEFAULT 0,
  remind_at            BIGINT
);
CREATE INDEX postmortems_remind ON postmortems(remind_at) WHERE remind_at IS NOT NULL;
CREATE TABLE action_items (
  id            TEXT PRIMARY KEY,
  title         TEXT NOT NULL,
  owner         TEXT,
  due_at        BIGINT NOT NULL DEFAULT 0,
  priority      TEXT NOT NULL CHECK (priority IN ('p0', 'p1', 'p2', 'p3')),
  status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
  incident_id   TEXT,
  postmortem_id TEXT,
  created_at    BIGINT NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    BIGINT NOT NULL,
  done_at       BIGINT NOT NULL DEFAULT 0,
  remind_at     BIGINT
);
CREATE INDEX action_items_remind ON action_items(remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX action_items_incident ON action_items(incident_id);
