-- 018_status_webhooks: webhook subscribers of the status page (kind "webhook", address = the
-- endpoint URL; docs/api.md "Webhook subscribers"). failures: failed deliveries in a row
-- (a delivered one sets it back to 0); at status_page.webhook_failure_limit the subscriber is
-- "disabled" (disabled_at), last_error says why.
ALTER TABLE subscribers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN last_error TEXT;
ALTER TABLE subscribers ADD COLUMN disabled_at INTEGER;
