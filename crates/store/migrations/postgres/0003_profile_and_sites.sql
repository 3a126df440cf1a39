-- The organisation profile, versioned: each save adds a row, and the profile as at a date is the newest row
-- recorded by the end of that date. Sites and departments are retired, never deleted, so that the state on
-- any past date can be shown. Yes/no facts are the text 'yes' or 'no'.

CREATE TABLE profile_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT REFERENCES accounts (id),
    nation TEXT NOT NULL CHECK (nation IN ('england', 'wales')),
    provider_type TEXT NOT NULL,
    enrols_under_18 TEXT NOT NULL CHECK (enrols_under_18 IN ('yes', 'no')),
    subcontracting TEXT NOT NULL CHECK (subcontracting IN ('none', 'up_to_100k', 'over_100k')),
    has_premises TEXT NOT NULL CHECK (has_premises IN ('yes', 'no')),
    local_authorities TEXT NOT NULL
);
CREATE INDEX profile_versions_org ON profile_versions (org_id, recorded_at);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    shared_with TEXT NOT NULL,
    let_to_others TEXT NOT NULL CHECK (let_to_others IN ('yes', 'no')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX sites_org ON sites (org_id, name);

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX departments_org ON departments (org_id, name);
