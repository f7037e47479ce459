-- A shift's breaks (JSON [[start, end], ...] in UTC): no visit and no travel in them.
ALTER TABLE shifts ADD COLUMN breaks TEXT NOT NULL DEFAULT '[]';
-- A planning run plans a day, a week, or repairs a day that has begun (its event in params).
ALTER TABLE planning_runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'day';
ALTER TABLE planning_runs ADD COLUMN params TEXT;
