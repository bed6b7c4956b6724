-- One row that readiness checks overwrite: a write, so a full disk or a
-- read-only database fails the check (a read would still succeed).
CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL
);
