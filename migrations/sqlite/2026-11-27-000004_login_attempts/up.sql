-- Failed logins per client address, for throttling across instances.
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    address TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_address_at ON login_failures(address, at);
CREATE INDEX visits_requested_by ON visits(requested_by, created_at);
