-- The role registry: who holds each safeguarding post, from and until when. Holding the Designated
-- Safeguarding Lead (Person, in Wales) post or a deputy post is what grants the safeguarding_lead account
-- role for those dates, to the account whose email is the post holder's.
CREATE TABLE post_holders (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    post TEXT NOT NULL CHECK (post IN ('dsl', 'deputy_dsl', 'board_safeguarding_lead', 'senior_leader', 'department_prevent_contact')),
    department_id TEXT REFERENCES departments (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX post_holders_org ON post_holders (org_id, post, starts_on);

-- How to reach the safeguarding team, in and out of hours: shown on every signed-in page's contact card,
-- and on a public page when the organisation switches it on.
CREATE TABLE contact_settings (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    team_mailbox TEXT NOT NULL,
    team_phone TEXT NOT NULL,
    out_of_hours TEXT NOT NULL,
    public_card TEXT NOT NULL CHECK (public_card IN ('yes', 'no')),
    updated_at TEXT NOT NULL
);

-- Every account role in force, granted directly or by holding a post. Reads of roles use this view; dates
-- are YYYY-MM-DD text, so they compare as text.
CREATE VIEW effective_roles AS
    SELECT org_id, account_id, role, '0000-01-01' AS starts_on, ends_on, revoked_at FROM role_grants
    UNION ALL
    SELECT ph.org_id, a.id AS account_id, 'safeguarding_lead' AS role, ph.starts_on, ph.ends_on, NULL AS revoked_at
    FROM post_holders ph JOIN people p ON p.id = ph.person_id JOIN accounts a ON a.email = p.email
    WHERE ph.post IN ('dsl', 'deputy_dsl');
