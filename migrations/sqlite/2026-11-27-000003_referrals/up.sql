-- Two-way referral (双向转诊) with its history, and the event outbox.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    direction TEXT NOT NULL CHECK (direction IN ('up','down')),
    from_organization_id TEXT NOT NULL REFERENCES organizations(id),
    to_organization_id TEXT NOT NULL REFERENCES organizations(id),
    -- A care home's signed clinic follows its referrals.
    watcher_organization_id TEXT REFERENCES organizations(id),
    department TEXT,
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent','green_channel')),
    priority_rank INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted','accepted','rejected','returned','cancelled','scheduled','arrived','completed','no_show')),
    patient TEXT NOT NULL,
    sender TEXT NOT NULL,
    receiving_doctor TEXT,
    reason TEXT NOT NULL,
    diagnosis_code TEXT,
    diagnosis_text TEXT NOT NULL,
    clinical_summary TEXT NOT NULL,
    parent_referral_id TEXT REFERENCES referrals(id),
    follow_up TEXT,
    follow_up_plan_id TEXT REFERENCES visit_plans(id),
    triage TEXT,
    appointment TEXT,
    return_sheet TEXT,
    deadline_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP,
    overdue BOOLEAN NOT NULL DEFAULT 0,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_to ON referrals(to_organization_id, status);
CREATE INDEX referrals_from ON referrals(from_organization_id, status);
CREATE INDEX referrals_watcher ON referrals(watcher_organization_id);
CREATE INDEX referrals_resident ON referrals(resident_id);
CREATE INDEX referrals_deadline ON referrals(status, escalation_level, deadline_at);

CREATE TABLE referral_history (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_organization_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX referral_history_referral ON referral_history(referral_id, at);

-- The outbox: every change others should hear of, written in the change's transaction.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX events_at ON events(at);
