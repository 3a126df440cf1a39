-- An administrator's change of a safeguarding account's email address waits for a lead's confirmation;
-- the new address waits here until then.
ALTER TABLE confirmations ADD COLUMN new_email TEXT;
