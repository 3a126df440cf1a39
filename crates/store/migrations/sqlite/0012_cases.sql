-- Safeguarding cases (Check and Share). A case is one person's file, opened from a concern; several cases
-- opened from one concern are one incident. Every narrative column is sealed (encrypted under the
-- organisation's data key). Columns kept in clear are the ones rules and statistics need: status, risk,
-- age group, decisions, referral routes and outcomes, lawful bases and dates.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    reference TEXT NOT NULL,
    concern_id TEXT NOT NULL REFERENCES concerns (id),
    subject_sealed TEXT NOT NULL,
    category TEXT NOT NULL,
    about_staff TEXT NOT NULL CHECK (about_staff IN ('yes', 'no')),
    restricted TEXT NOT NULL CHECK (restricted IN ('yes', 'no')),
    status TEXT NOT NULL CHECK (status IN ('triage', 'open', 'referred', 'closed')),
    risk_level TEXT CHECK (risk_level IN ('low', 'medium', 'high')),
    prevent_type TEXT NOT NULL DEFAULT '',
    age_group TEXT NOT NULL DEFAULT 'unknown' CHECK (age_group IN ('unknown', 'under_18', 'adult', 'adult_care_needs')),
    context_sealed TEXT,
    review_on TEXT,
    outcome_sealed TEXT,
    closed_at TEXT,
    opened_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    UNIQUE (org_id, reference)
);
CREATE INDEX cases_org_status ON cases (org_id, status, review_on);
CREATE INDEX cases_concern ON cases (concern_id);

-- Who may see a case besides the leads: officers it is assigned to, the people named on a restricted case,
-- and colleagues it is shared with until the share ends.
CREATE TABLE case_access (
    case_id TEXT NOT NULL REFERENCES cases (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'named', 'shared')),
    expires_at TEXT,
    granted_by TEXT REFERENCES accounts (id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (case_id, account_id, kind)
);
CREATE INDEX case_access_account ON case_access (account_id);

-- The chronology: never updated. A correction is a new entry that names the one it corrects.
CREATE TABLE case_entries (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    text_sealed TEXT NOT NULL,
    corrects_id TEXT REFERENCES case_entries (id),
    author_id TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_entries_case ON case_entries (case_id, created_at);

CREATE TABLE case_decisions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    decision TEXT NOT NULL,
    reason_sealed TEXT NOT NULL,
    decided_by TEXT REFERENCES accounts (id),
    decided_at TEXT NOT NULL
);
CREATE INDEX case_decisions_case ON case_decisions (case_id);

CREATE TABLE case_actions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    what_sealed TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES accounts (id),
    due_on TEXT NOT NULL,
    done_at TEXT,
    created_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_actions_owner ON case_actions (org_id, owner_id, done_at);

CREATE TABLE case_referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    agency TEXT NOT NULL,
    route_sealed TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    reference_sealed TEXT NOT NULL,
    learner_told TEXT NOT NULL CHECK (learner_told IN ('yes', 'no')),
    parent_told TEXT NOT NULL CHECK (parent_told IN ('yes', 'no', 'not_applicable')),
    not_told_why_sealed TEXT NOT NULL,
    parallel_sealed TEXT NOT NULL,
    outcome TEXT NOT NULL,
    feedback_sealed TEXT,
    channel_consent TEXT NOT NULL DEFAULT 'not_applicable'
        CHECK (channel_consent IN ('not_applicable', 'not_asked', 'given', 'refused')),
    consent_by TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id);

-- The information-sharing log: every disclosure, with its purpose, lawful basis and who authorised it.
CREATE TABLE case_disclosures (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    recipient_sealed TEXT NOT NULL,
    shared_sealed TEXT NOT NULL,
    purpose_sealed TEXT NOT NULL,
    lawful_basis TEXT NOT NULL,
    shared_on TEXT NOT NULL,
    authorised_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_disclosures_case ON case_disclosures (case_id);

-- Break-glass: the named senior leader opens the caseload when no lead is available, for a limited time.
CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    reason_sealed TEXT NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX break_glass_account ON break_glass (org_id, account_id, expires_at);
