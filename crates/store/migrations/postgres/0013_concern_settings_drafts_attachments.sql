-- How each organisation has set up concerns: how long one may wait to be acknowledged before it escalates,
-- and which categories of the versioned list reporters are not offered (comma-separated ids).
CREATE TABLE concern_settings (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    acknowledge_within_hours INTEGER NOT NULL,
    hidden_categories TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- When an unacknowledged concern was escalated to the deputies, and the person in the people register it is
-- about, when a member of staff chose them from it.
ALTER TABLE concerns ADD COLUMN escalated_at TEXT;
ALTER TABLE concerns ADD COLUMN person_id TEXT REFERENCES people (id);

-- A concern being written, saved as the person types: one per person, sealed like the concern itself.
CREATE TABLE concern_drafts (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    answers_sealed TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

-- Files attached to a concern by its reporter or to a case by the team. The file is stored encrypted; its
-- name (which may name someone) is sealed here, and the file service holds only a neutral one.
CREATE TABLE case_attachments (
    id TEXT PRIMARY KEY,
    concern_id TEXT NOT NULL REFERENCES concerns (id),
    case_id TEXT REFERENCES cases (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    name_sealed TEXT NOT NULL,
    added_by TEXT REFERENCES accounts (id),
    added_at TEXT NOT NULL
);
CREATE INDEX case_attachments_concern ON case_attachments (concern_id);
