-- Who has had a free trial, kept after their account is deleted so that
-- deleting and signing up again with the same email does not give a second
-- trial. The key is a keyed hash (HMAC-SHA-256 with the server secret below)
-- of the normalised email, never the address itself.
CREATE TABLE trial_claims (
    email_key TEXT PRIMARY KEY NOT NULL,
    started_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL
);

-- Secrets the app servers share (generated on first use), e.g. the key of
-- `trial_claims`.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
