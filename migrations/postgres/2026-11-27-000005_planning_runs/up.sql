-- Day-planning runs: a clinic's day, the optimiser's proposal, and whether it was applied.
CREATE TABLE planning_runs (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    day TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','completed','failed','applied')),
    time_limit_seconds INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    visit_versions TEXT NOT NULL,
    proposal TEXT,
    outcome TEXT,
    error TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX planning_runs_clinic ON planning_runs(clinic_id, day);
