ALTER TABLE planning_runs DROP COLUMN params;
ALTER TABLE planning_runs DROP COLUMN mode;
ALTER TABLE shifts DROP COLUMN breaks;
