-- Background jobs, run by the scheduler inside `vigil serve`. A worker claims a job by setting a lease
-- (`locked_by`, `locked_until`) in one conditional UPDATE, so with several servers each job runs once, and a
-- crashed server's job is claimed again when its lease runs out. `dedupe_key` makes a scheduled job (a weekly
-- digest, say) exist once however many servers schedule it.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id TEXT REFERENCES organisations (id),
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT,
    locked_until TEXT,
    last_error TEXT,
    finished_at TEXT,
    failed_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (finished_at, failed_at, run_at);
