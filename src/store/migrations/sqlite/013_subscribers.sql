-- 013_subscribers: people told about the public status page by email (double opt-in:
-- pending -> confirmed, then unsubscribed; docs/api.md "Status page subscribers"). components:
-- JSON array of component names, [] for every component. One row per (kind, address).
CREATE TABLE subscribers (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  address         TEXT NOT NULL,
  components      TEXT NOT NULL,
  state           TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  confirmed_at    INTEGER,
  unsubscribed_at INTEGER,
  UNIQUE (kind, address)
);
