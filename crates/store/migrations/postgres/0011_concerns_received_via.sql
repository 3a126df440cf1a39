-- How a concern reached the safeguarding team: raised in Vigil, or recorded by the team from a conversation,
-- a phone call, an email or another agency.
ALTER TABLE concerns ADD COLUMN received_via TEXT NOT NULL DEFAULT 'vigil'
    CHECK (received_via IN ('vigil', 'in_person', 'phone', 'email', 'agency'));
