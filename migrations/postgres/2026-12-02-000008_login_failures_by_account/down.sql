DROP INDEX login_failures_username_at;
ALTER TABLE login_failures DROP COLUMN username;
