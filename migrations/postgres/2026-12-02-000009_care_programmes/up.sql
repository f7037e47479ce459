-- Care programmes (docs/API.md "Care programmes", ADR 0011): contract packages, family-doctor
-- contracts, the visits owed to each resident, and the up-referrals prepared for clinics to send.
-- Dates are 'YYYY-MM-DD' text, like residents.birth_date.
CREATE TABLE service_packages (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    price_fen BIGINT NOT NULL,
    eligibility TEXT NOT NULL,
    items TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    family_doctor_id TEXT NOT NULL REFERENCES users(id),
    package_codes TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active','expired','terminated')),
    ended_reason TEXT,
    renewals INTEGER NOT NULL DEFAULT 0,
    price_fen BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A resident has at most one active contract (409 contract_exists).
CREATE UNIQUE INDEX contracts_one_active_per_resident ON contracts(resident_id) WHERE status = 'active';
CREATE INDEX contracts_clinic ON contracts(clinic_id, status);

CREATE TABLE obligations (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    source TEXT NOT NULL CHECK (source IN ('contract','rule','episode')),
    source_id TEXT,
    rule TEXT NOT NULL,
    rule_version INTEGER NOT NULL,
    service_type TEXT NOT NULL,
    period TEXT NOT NULL,
    earliest TEXT NOT NULL,
    due TEXT NOT NULL,
    latest TEXT NOT NULL,
    -- open (upcoming, due or overdue by the dates), met or waived
    state TEXT NOT NULL CHECK (state IN ('open','met','waived')),
    visit_id TEXT REFERENCES visits(id),
    met_on TEXT,
    reason TEXT,
    comment TEXT,
    overdue_notified BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The engine may run twice, or on two instances at once: each obligation is made once.
CREATE UNIQUE INDEX obligations_once ON obligations(resident_id, rule, period);
CREATE INDEX obligations_clinic ON obligations(clinic_id, state, latest);
CREATE INDEX obligations_visit ON obligations(visit_id);

CREATE TABLE referral_drafts (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    status TEXT NOT NULL CHECK (status IN ('draft','sent','discarded')),
    form TEXT NOT NULL,
    follow_up_visit_ids TEXT NOT NULL,
    -- the second follow-up out of control: one draft each
    trigger_visit_id TEXT NOT NULL UNIQUE,
    referral_id TEXT REFERENCES referrals(id),
    discard_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referral_drafts_clinic ON referral_drafts(clinic_id, status);
