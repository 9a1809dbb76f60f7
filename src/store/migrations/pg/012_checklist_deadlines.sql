-- 012_checklist_deadlines (PostgreSQL, as sqlite/012_checklist_deadlines.sql): a checklist item's deadline, relative to an incident event (the
-- config's checklists[].within/from/owner, copied at attach like the text): due_from is
-- 'declared', 'acknowledged' or 'resolved' (NULL: no deadline), due_within ms after it; owner is
-- reminded (a role or a user id; NULL: the commander); reminded_at 0 until the one reminder the
-- engine's follow-up pass sends when the item is past due and not done.
ALTER TABLE checklist_items ADD COLUMN due_from TEXT;
ALTER TABLE checklist_items ADD COLUMN due_within BIGINT NOT NULL DEFAULT 0;
ALTER TABLE checklist_items ADD COLUMN owner TEXT;
ALTER TABLE checklist_items ADD COLUMN reminded_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX checklist_items_deadline ON checklist_items(incident_id)
  WHERE due_from IS NOT NULL AND done_at = 0 AND reminded_at = 0;
-- The post-mortem's review meeting (PUT /api/v1/postmortems/{id}/review): review_at 0 when
-- none is scheduled; review_minutes its length; review_attendees the config user ids, comma
-- separated; review_seq the iCalendar SEQUENCE, one more at each (re)scheduling.
ALTER TABLE postmortems ADD COLUMN review_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE postmortems ADD COLUMN review_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE postmortems ADD COLUMN review_attendees TEXT;
ALTER TABLE postmortems ADD COLUMN review_seq INTEGER NOT NULL DEFAULT 0;
