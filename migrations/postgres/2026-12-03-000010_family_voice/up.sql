-- The family's voice (issue #17): a rating per completed visit, and complaints.
CREATE TABLE visit_feedback (
    id TEXT PRIMARY KEY NOT NULL,
    -- once per visit (409 feedback_exists)
    visit_id TEXT NOT NULL UNIQUE REFERENCES visits(id),
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    clinician_id TEXT REFERENCES users(id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    author_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX visit_feedback_clinic ON visit_feedback(clinic_id, created_at);
CREATE INDEX visit_feedback_resident ON visit_feedback(resident_id);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    visit_id TEXT REFERENCES visits(id),
    -- the organisation it is about: the visit's clinic, else the resident's care home, else the
    -- clinic of the resident's community
    organization_id TEXT REFERENCES organizations(id),
    text TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_org ON complaints(organization_id, created_at);
CREATE INDEX complaints_resident ON complaints(resident_id);
