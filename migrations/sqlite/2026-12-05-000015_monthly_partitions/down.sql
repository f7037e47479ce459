-- PostgreSQL partitions the audit log and the event outbox by month (issue #19); SQLite keeps one
-- table each and prunes events by deleting rows. Nothing to do (this keeps the versions in step).
SELECT 1;
