-- A concern about someone in immediate danger escalates after minutes, not hours.
ALTER TABLE concern_settings ADD COLUMN danger_escalates_after_minutes BIGINT NOT NULL DEFAULT 15;

-- Appointments to the senior leader's and the board safeguarding lead's posts reach concerns about staff and
-- emergency access, so they wait for a safeguarding lead's confirmation (never the appointee's own). A term
-- counts only once confirmed; earlier appointments were made under the old rules and stand.
ALTER TABLE post_holders ADD COLUMN requested_by TEXT;
ALTER TABLE post_holders ADD COLUMN confirmed_at TEXT;
ALTER TABLE post_holders ADD COLUMN confirmed_by TEXT;
ALTER TABLE post_holders ADD COLUMN refused_at TEXT;
UPDATE post_holders SET confirmed_at = created_at;

DROP VIEW effective_roles;
CREATE VIEW effective_roles AS
    SELECT org_id, account_id, role, '0000-01-01' AS starts_on, ends_on, revoked_at FROM role_grants
    UNION ALL
    SELECT ph.org_id, a.id AS account_id, 'safeguarding_lead' AS role, ph.starts_on, ph.ends_on, NULL AS revoked_at
    FROM post_holders ph JOIN people p ON p.id = ph.person_id JOIN accounts a ON a.email = p.email
    WHERE ph.post IN ('dsl', 'deputy_dsl') AND ph.confirmed_at IS NOT NULL;
