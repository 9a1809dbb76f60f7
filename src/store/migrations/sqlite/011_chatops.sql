-- 011_chatops: the chat outbox (docs/internals/chatops.md). chat_ops holds one row per incident
-- change that chat should hear of (queued by jobs/chatops_enqueue.c in the transaction that made
-- the change); the notifier thread runs them in id order per incident: `step` is how far a
-- several-call operation got (a declare: create, invite, topic, pin, announce), each step
-- recorded before the next one starts. chat_channels holds the incident's channel: the name is
-- written (the intent) before conversations.create is called, the channel id once it answered,
-- so a crash in between never makes a second channel.
CREATE TABLE chat_ops (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id     TEXT NOT NULL,
  kind            TEXT NOT NULL,
  data            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
  step            INTEGER NOT NULL DEFAULT 0,
  tries           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  done_at         INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT
);
CREATE INDEX chat_ops_pending ON chat_ops(next_attempt_at) WHERE status = 'pending';
CREATE INDEX chat_ops_incident ON chat_ops(incident_id, id);

CREATE TABLE chat_channels (
  incident_id TEXT PRIMARY KEY,
  provider    TEXT NOT NULL,
  mode        TEXT NOT NULL,
  name        TEXT NOT NULL,
  channel_id  TEXT,
  thread_ts   TEXT,
  created_at  INTEGER NOT NULL,
  archived_at INTEGER NOT NULL DEFAULT 0
);
