-- Wrong authenticator and recovery codes are counted apart from wrong passwords: a right password must not
-- wipe the count of codes guessed, or someone who knows it could guess codes for ever.
ALTER TABLE accounts ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN codes_locked_until TEXT;
