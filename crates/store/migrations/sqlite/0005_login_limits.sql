-- Attempt counters for rate limits (sign-in failures per account and per
-- client address), one row per key and fixed window. Each attempt is counted
-- by one upsert that returns the new count, so concurrent attempts cannot
-- all see the count from before them.
CREATE TABLE login_limits (
    key TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
