-- 006_ingest_indexes (PostgreSQL): indexes shaped for alert ingest (docs/internals/store.md). As
-- sqlite/006_ingest_indexes.sql: the partial index of open incidents by group in created_at
-- order (the ingest lookup of a group's newest open incident), and alerts_status_service dropped
-- (used by no statement, written by every alert insert and update).
CREATE INDEX IF NOT EXISTS incidents_open_group_created ON incidents(group_key, created_at)
  WHERE group_key IS NOT NULL AND status NOT IN ('resolved', 'closed');

DROP INDEX IF EXISTS alerts_status_service;
