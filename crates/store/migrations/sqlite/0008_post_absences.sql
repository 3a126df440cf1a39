-- When a post holder is away (leave, sickness, training), so that "no cover" can be raised while the lead
-- is away and no deputy is available. Being away does not end the term or the access it gives.
CREATE TABLE post_absences (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    post_holder_id TEXT NOT NULL REFERENCES post_holders (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX post_absences_holder ON post_absences (post_holder_id, starts_on);
