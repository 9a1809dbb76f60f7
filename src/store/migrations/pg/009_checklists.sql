-- 009_checklists (PostgreSQL, as sqlite/009_checklists.sql): the config checklists attached to an incident, one row per item (n counts from
-- 1 in the checklist's order). auto: the event tocsin ticks it on (commander_assigned,
-- public_update, postmortem_created) or NULL. done_at 0: not done. Attaching twice adds nothing
-- (the primary key); the text is copied so a config reload does not rewrite history.
CREATE TABLE checklist_items (
  incident_id  TEXT NOT NULL,
  checklist_id TEXT NOT NULL,
  n            INTEGER NOT NULL,
  title        TEXT NOT NULL,
  phase        TEXT,
  text         TEXT NOT NULL,
  auto         TEXT,
  attached_at  BIGINT NOT NULL,
  done_at      BIGINT NOT NULL DEFAULT 0,
  done_by      TEXT,
  PRIMARY KEY (incident_id, checklist_id, n)
);
