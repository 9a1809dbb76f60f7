-- 017_chat_events (PostgreSQL, as sqlite/017_chat_events.sql): the chat events tocsin has taken in (Slack's Events API event_id), so that a
-- retry of an event that failed is run again and a retry of one that was done is not run twice
-- (docs/internals/chatops.md "Event retries"). status 'running' while a request handles it
-- (claimed_at: when it was taken; a claim older than the lease may be taken again), 'done' once
-- it was handled; a temporary failure deletes the row. Rows older than the retention are purged
-- when the next event arrives.
CREATE TABLE chat_events (
  event_id    TEXT PRIMARY KEY,
  status      TEXT NOT NULL CHECK (status IN ('running', 'done')),
  received_at BIGINT NOT NULL,
  claimed_at  BIGINT NOT NULL,
  done_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX chat_events_received ON chat_events(received_at);
