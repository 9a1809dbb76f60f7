-- 007_nodes (PostgreSQL), as sqlite/007_nodes.sql: what several tocsin nodes on one database share (docs/internals/multinode.md).
-- nodes: one row per node (its id is `serve --node`, default host:port), its last heartbeat on the
-- wall clock; cluster_state: named counters the nodes watch (caches: bumped by every batch that
-- revokes a credential or changes a silence; config: by every reload; dev_clock_offset: the
-- largest dev-clock offset any node was moved to, tests only).
-- Notification claims: a node takes a due row for claim_until (the app clock) before it sends it;
-- another node leaves the row alone until then, and takes it over after (a node that died).
-- heartbeats.missed_for: the last_seen a missed-heartbeat alert was raised for (raised once by
-- whichever node gets there first).
CREATE TABLE nodes (
  id           TEXT PRIMARY KEY,
  pid          BIGINT NOT NULL,
  version      TEXT NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);
CREATE TABLE cluster_state (
  key   TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
ALTER TABLE notifications ADD COLUMN claimed_by TEXT;
ALTER TABLE notifications ADD COLUMN claim_until BIGINT;
ALTER TABLE heartbeats ADD COLUMN missed_for BIGINT;
