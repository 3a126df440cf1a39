-- Per-organisation data keys, each wrapped (encrypted) by the master key, which is never in the database.
-- Every encrypted value names the data key it was sealed with, so keys can be rotated and old values read.
CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    wrapped TEXT NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX data_keys_org ON data_keys (org_id, created_at);

-- Uploaded files. The bytes live in the object store under `storage_key`; the user's filename is metadata
-- only. `key_id` is set when the bytes were encrypted before they were stored.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    uploaded_by TEXT REFERENCES accounts (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    key_id TEXT REFERENCES data_keys (id),
    created_at TEXT NOT NULL
);
CREATE INDEX files_org ON files (org_id, created_at);
