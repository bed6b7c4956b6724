-- When the account's email address was confirmed through a link sent to it
-- (NULL until then, including for accounts made before verification
-- existed). Password-reset mail goes only to confirmed addresses.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- Single-use confirmation links; `token_hash` is the SHA-256 (hex) of the
-- token in the link. A row is deleted when it is used.
CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);
