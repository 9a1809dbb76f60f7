-- 004_notify: the notification outbox (docs/internals/notify.md). Every notification is a row
-- before it is a request; the notifier delivers due rows and records every attempt.
CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  incident_id     TEXT NOT NULL DEFAULT '',  -- '' when about no incident (NULLs are distinct in UNIQUE)
  kind            TEXT NOT NULL,             -- page, reminder, handoff, info
  dkey            TEXT NOT NULL,             -- the producer's dedup key, e.g. step:0:1, manual:3
  user_id         TEXT NOT NULL,
  method          TEXT NOT NULL,             -- email, sms, slack, webhook
  address         TEXT NOT NULL,             -- e-mail address, phone number or URL at queue time
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending', -- pending, sent, failed, bundled, cancelled
  attempts        INTEGER NOT NULL DEFAULT 0,
  due_at          INTEGER NOT NULL,          -- when it was first due (queued + the rule's delay)
  next_attempt_at INTEGER NOT NULL,          -- when the notifier takes it next (pending only)
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  last_error      TEXT,
  bundled_into    INTEGER,                   -- the row whose message carried this one
  bundle_count    INTEGER NOT NULL DEFAULT 1,-- rows carried by this row's message, itself included
  fallback_of     INTEGER,                   -- the row whose permanent failure queued this one
  reason          TEXT,
  UNIQUE (incident_id, dkey, user_id, method)
);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
CREATE INDEX notifications_incident ON notifications(incident_id, id);
CREATE INDEX notifications_sent ON notifications(user_id, method, sent_at);
CREATE INDEX notifications_bundle ON notifications(bundled_into) WHERE bundled_into IS NOT NULL;

CREATE TABLE notification_attempts (
  id              INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  at              INTEGER NOT NULL,
  ok              INTEGER NOT NULL,
  code            INTEGER,                   -- HTTP status or SMTP reply code; NULL when none
  error           TEXT,
  duration_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_attempts_row ON notification_attempts(notification_id, id);
