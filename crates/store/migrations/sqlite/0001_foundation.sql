-- Foundation: organisations, accounts and their memberships and roles, sessions, API tokens, invitations,
-- password resets, confirmations, the mail outbox and the hash-chained audit log.
-- Ids are UUIDv7 text; timestamps are fixed-width UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ), so text order is
-- time order on both databases; dates are YYYY-MM-DD text. No booleans: a nullable timestamp says when.

CREATE TABLE instance_setup (
    id TEXT PRIMARY KEY CHECK (id = 'instance'),
    token_hash TEXT NOT NULL,
    issued_at TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ukprn TEXT NOT NULL,
    nation TEXT NOT NULL CHECK (nation IN ('england', 'wales')),
    provider_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_confirmed_at TEXT,
    totp_last_step INTEGER,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    demo_totp_visible_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    disabled_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, account_id)
);
CREATE INDEX memberships_account ON memberships (account_id);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    ends_on TEXT,
    granted_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX role_grants_org_account ON role_grants (org_id, account_id);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    org_id TEXT REFERENCES organisations (id),
    csrf_token TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    second_factor_at TEXT,
    signed_in_at TEXT,
    ended_at TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_org_account ON api_tokens (org_id, account_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    role_ends_on TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at TEXT
);
CREATE INDEX invitations_org ON invitations (org_id, created_at);

CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE confirmations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role TEXT,
    role_ends_on TEXT,
    requested_by TEXT REFERENCES accounts (id),
    requested_at TEXT NOT NULL,
    decided_by TEXT REFERENCES accounts (id),
    decided_at TEXT,
    decision TEXT
);
CREATE INDEX confirmations_org ON confirmations (org_id, requested_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);

-- The audit log. `chain` is an organisation id, or 'instance' for events that belong to no organisation.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    chain TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    fields TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_events_chain_at ON audit_events (chain, at);

-- The head of each chain, kept apart from the events so that deleting the newest events is detected.
CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
