-- 014_incident_rules: what the config's conditional rules read and remember (issue 16 item 12,
-- docs/config.md "rules"). fields: the incident's fields, a JSON object of strings set by
-- responders (PUT /api/v1/incidents/{id}/fields/{name}) and by rules (NULL: none);
-- failed_resolutions: reopened after resolve, or recorded failed by a responder; rules_fired: the
-- ids of the rules that fired on the incident, a JSON array (NULL: none): each fires once.
ALTER TABLE incidents ADD COLUMN fields TEXT;
ALTER TABLE incidents ADD COLUMN failed_resolutions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN rules_fired TEXT;
