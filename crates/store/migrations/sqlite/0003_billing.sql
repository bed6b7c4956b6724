-- Trials, subscriptions, admin grants, processed payment-provider events,
-- learner progress and daily activity. Times are Unix seconds (UTC).
-- Every row about a user goes when the user is deleted.

-- One trial per account, ever: user_id is the primary key.
CREATE TABLE trials (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL
);

CREATE TABLE subscriptions (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL DEFAULT 'stripe',
    customer_id TEXT,
    subscription_id TEXT UNIQUE,
    -- trialing | active | past_due | canceled | expired
    status TEXT NOT NULL,
    -- monthly | annual | unknown
    plan TEXT NOT NULL DEFAULT 'unknown',
    current_period_end INTEGER,
    updated_at INTEGER NOT NULL,
    -- `created` of the last provider event applied, to ignore older ones.
    last_event_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

CREATE TABLE access_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    granted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX access_grants_user ON access_grants (user_id);

-- Provider events already applied, for idempotency.
CREATE TABLE webhook_events (
    event_id TEXT PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

CREATE TABLE progress (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_slug TEXT NOT NULL,
    lesson_slug TEXT NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, path_slug, lesson_slug)
);

-- One row per user and UTC day (YYYY-MM-DD) with at least one completion.
CREATE TABLE activity_days (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);
