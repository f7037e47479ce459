-- One day plan searching per clinic at a time (the service answers 409 run_in_progress). Runs an
-- instance left 'running' when it died are settled as failed first, keeping the newest per clinic.
UPDATE planning_runs
SET status = 'failed',
    error = 'interrupted: the instance solving this run stopped before it finished; start a new run'
WHERE status = 'running'
  AND id NOT IN (SELECT MAX(id) FROM planning_runs WHERE status = 'running' GROUP BY clinic_id);
CREATE UNIQUE INDEX planning_runs_one_running_per_clinic ON planning_runs(clinic_id) WHERE status = 'running';
