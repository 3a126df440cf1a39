-- The people register. A person is not an account (an account is linked to a person by email). Leavers
-- are archived by their end date, never deleted. Email and ULN are each unique within an organisation, so
-- a re-import updates rather than duplicates.
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'board', 'apprentice', 'employer')),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT,
    uln TEXT,
    role_title TEXT NOT NULL,
    department_id TEXT REFERENCES departments (id),
    site_id TEXT REFERENCES sites (id),
    line_manager_id TEXT REFERENCES people (id),
    start_date TEXT,
    end_date TEXT,
    programme TEXT NOT NULL,
    level TEXT NOT NULL,
    employer TEXT NOT NULL,
    workplace_contact TEXT NOT NULL,
    planned_end_date TEXT,
    date_of_birth TEXT,
    parent_carer_contact TEXT NOT NULL,
    home_local_authority TEXT NOT NULL,
    workplace_local_authority TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX people_org_email ON people (org_id, email);
CREATE UNIQUE INDEX people_org_uln ON people (org_id, uln);
CREATE INDEX people_org_name ON people (org_id, family_name, given_name);
