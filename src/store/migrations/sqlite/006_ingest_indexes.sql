-- 006_ingest_indexes: indexes shaped for alert ingest (see docs/internals/store.md).
--
-- The open incident of an alert group, found without sorting. Ingest looks up "the newest open
-- incident of this group" for every new alert. With only incidents_group_open(group_key, status)
-- SQLite built a temporary b-tree for the status IN (...) list and another to sort by created_at,
-- on every call. This partial index holds only open incidents, in created_at order, so the lookup
-- is one index seek.
CREATE INDEX IF NOT EXISTS incidents_open_group_created ON incidents(group_key, created_at)
  WHERE group_key IS NOT NULL AND status NOT IN ('resolved', 'closed');

-- No query uses alerts_status_service (the alert list scans by id; EXPLAIN QUERY PLAN), but every
-- alert insert and update wrote it: one more b-tree page in each commit's WAL frames.
DROP INDEX IF EXISTS alerts_status_service;
