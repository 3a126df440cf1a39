-- A concern about a member of staff or about the safeguarding team goes to the senior leader named in the
-- role registry, not to the safeguarding team.
ALTER TABLE concerns ADD COLUMN about_staff TEXT NOT NULL DEFAULT 'no' CHECK (about_staff IN ('yes', 'no'));
