-- 013_subscribers (PostgreSQL), as sqlite/013_subscribers.sql: people told about the public status page by email (double opt-in:
-- pending -> confirmed, then unsubscribed; docs/api.md "Status page subscribers"). components:
-- JSON array of component names, [] for every component. One row per (kind, address).
CREATE TABLE subscribers (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  address         TEXT NOT NULL,
  components      TEXT NOT NULL,
  state           TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  confirmed_at    BIGINT,
  unsubscribed_at BIGINT,
  UNIQUE (kind, address)
);
