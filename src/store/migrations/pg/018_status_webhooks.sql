-- 018_status_webhooks (PostgreSQL), as sqlite/018_status_webhooks.sql: webhook subscribers of the
-- status page (kind "webhook", address = the endpoint URL). failures: failed deliveries in a row;
-- at status_page.webhook_failure_limit the subscriber is "disabled" (disabled_at, last_error).
ALTER TABLE subscribers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN last_error TEXT;
ALTER TABLE subscribers ADD COLUMN disabled_at BIGINT;
