-- Safeguarding concerns as raised (Notice). Everything a reporter writes is sealed (encrypted under the
-- organisation's data key) before it is stored: who it is about, what happened, when and where. The
-- reference is what the reporter's receipt shows.
CREATE TABLE concerns (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    reference TEXT NOT NULL,
    reporter_id TEXT REFERENCES accounts (id),
    about_sealed TEXT,
    what_happened_sealed TEXT NOT NULL,
    when_and_where_sealed TEXT NOT NULL,
    category TEXT NOT NULL,
    immediate_danger TEXT NOT NULL CHECK (immediate_danger IN ('yes', 'no')),
    told_in_person TEXT NOT NULL CHECK (told_in_person IN ('yes', 'no')),
    status TEXT NOT NULL CHECK (status IN ('received', 'being_handled', 'closed')),
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    UNIQUE (org_id, reference)
);
CREATE INDEX concerns_org_status ON concerns (org_id, status, created_at);
CREATE INDEX concerns_reporter ON concerns (org_id, reporter_id, created_at);
