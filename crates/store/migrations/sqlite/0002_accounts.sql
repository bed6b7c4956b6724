-- Learner accounts, sessions, password resets, sign-in rate limiting and the
-- audit log. Timestamps are unix seconds (INTEGER) so the SQL is the same on
-- both engines.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stored lower-cased and trimmed; unique regardless of case.
    email TEXT NOT NULL,
    -- Argon2id PHC string; never the password.
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

-- One row per signed-in browser. `id` is the SHA-256 (hex) of the random
-- token in the cookie: a database leak does not reveal usable cookies.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- Absolute expiry; the idle expiry is last_seen_at + idle timeout.
    expires_at INTEGER NOT NULL,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single-use reset links; `token_hash` is the SHA-256 (hex) of the token in the link.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Failed sign-ins, keyed `email:<address>` or `ip:<address>`, shared by all app servers.
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts (key, at);

-- Who did what to whom (admin grants, revocations, account deletions...).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    subject_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_user_id, at);
