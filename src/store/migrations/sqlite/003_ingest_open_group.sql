-- 003_ingest_open_group: the open incident of an alert group, found without sorting.
-- Alert ingest looks up "the newest open incident of this group" for every new alert. With only
-- incidents_group_open(group_key, status) SQLite had to build a temporary b-tree for the status
-- IN (...) list and another to sort by created_at, on every call. This partial index holds only
-- open incidents, in created_at order, so the lookup is one index seek (see docs/internals/store.md).
CREATE INDEX incidents_open_group_created ON incidents(group_key, created_at)
  WHERE group_key IS NOT NULL AND status NOT IN ('resolved', 'closed');
