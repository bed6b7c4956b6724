-- One row that readiness checks overwrite: a write, so a full disk or a
-- read-only database fails the check (a read would still succeed).
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY NOT NULL,
    at INTEGER NOT NULL
);
