-- Failed logins by account as well as by address: a lock holds one account for one address only,
-- and an account's failures from everywhere slow its logins down without locking it (ADR 0010).
ALTER TABLE login_failures ADD COLUMN username TEXT;
CREATE INDEX login_failures_username_at ON login_failures(username, at);
