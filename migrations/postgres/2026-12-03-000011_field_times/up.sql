-- The field (issue #17): the device's own time of a check-in and check-out made offline (kept
-- beside the server's check_in_at / check_out_at), and the alarms the field raises by itself about
-- a visit (a visit still under way well past its end: kind 'overrun'), each once per visit.
ALTER TABLE visits ADD COLUMN check_in_recorded_at TIMESTAMP;
ALTER TABLE visits ADD COLUMN check_out_recorded_at TIMESTAMP;
-- the alarm's scan: visits under way, by their end
CREATE INDEX visits_in_progress_end ON visits(ends_at) WHERE status = 'in_progress';
CREATE TABLE visit_alarms (
    visit_id TEXT NOT NULL REFERENCES visits(id),
    kind TEXT NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    PRIMARY KEY (visit_id, kind)
);
