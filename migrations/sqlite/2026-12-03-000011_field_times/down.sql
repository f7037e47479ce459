DROP TABLE visit_alarms;
DROP INDEX visits_in_progress_end;
ALTER TABLE visits DROP COLUMN check_out_recorded_at;
ALTER TABLE visits DROP COLUMN check_in_recorded_at;
