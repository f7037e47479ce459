-- Home visits and recurring visit plans.
CREATE TABLE visit_plans (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    service_type TEXT NOT NULL REFERENCES service_types(code),
    clinician_id TEXT REFERENCES users(id),
    weekdays TEXT NOT NULL,
    window_from TEXT NOT NULL,
    window_to TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    until TEXT,
    occurrences INTEGER,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
    referral_id TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    clinician_id TEXT REFERENCES users(id),
    service_type TEXT NOT NULL REFERENCES service_types(code),
    status TEXT NOT NULL CHECK (status IN ('requested','scheduled','in_progress','completed','cancelled','missed')),
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent')),
    window_start TIMESTAMP NOT NULL,
    window_end TIMESTAMP NOT NULL,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    travel_minutes_before INTEGER,
    location_exception BOOLEAN NOT NULL DEFAULT FALSE,
    plan_id TEXT REFERENCES visit_plans(id),
    referral_id TEXT,
    notes TEXT NOT NULL DEFAULT '',
    unplaced_reason TEXT,
    cancel_reason TEXT,
    cancelled_by TEXT,
    missed_reason TEXT,
    check_in_at TIMESTAMP,
    check_in_distance_m DOUBLE PRECISION,
    check_out_at TIMESTAMP,
    check_out_distance_m DOUBLE PRECISION,
    documentation TEXT,
    requested_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (window_end > window_start),
    CHECK (starts_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX visits_clinician_start ON visits(clinician_id, starts_at);
CREATE INDEX visits_clinic_status ON visits(clinic_id, status, window_start);
CREATE INDEX visits_resident ON visits(resident_id, window_start);
CREATE INDEX visits_plan ON visits(plan_id);

-- Backstop for the booking invariant (the booking transaction locks the clinician's row and checks
-- travel time too): no two live visits of one clinician overlap in time.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE visits ADD CONSTRAINT visits_no_overlap EXCLUDE USING gist (
    clinician_id WITH =,
    tsrange(starts_at, ends_at) WITH &&
) WHERE (status IN ('scheduled', 'in_progress', 'completed') AND clinician_id IS NOT NULL);
