DROP INDEX visits_requested_by;
DROP TABLE login_failures;
