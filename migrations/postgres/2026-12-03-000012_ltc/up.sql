-- Long-term care (issue #15): disability assessments (grade 0-5 under the national standard, ADR
-- 0012), and visits the resident pays for themselves (not counted against the entitlement, not
-- claimed).
CREATE TABLE ltc_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    kind TEXT NOT NULL,
    -- the points given per item (JSON object), and what they add up to (JSON)
    scores TEXT NOT NULL,
    result TEXT NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
    organization_id TEXT REFERENCES organizations(id),
    assessed_by TEXT NOT NULL REFERENCES users(id),
    assessed_at TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (valid_until > assessed_at)
);
CREATE INDEX ltc_assessments_resident ON ltc_assessments(resident_id, assessed_at);
ALTER TABLE visits ADD COLUMN self_paid BOOLEAN NOT NULL DEFAULT FALSE;
