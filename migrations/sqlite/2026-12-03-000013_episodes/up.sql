-- Episodes (issue #15): home sickbeds (家庭病床), opened (建床) with an admission assessment and a
-- plan of rounds (查床) and nursing per week, extended with a reason past episodes.max_days, closed
-- (撤床) with an outcome. What they owe are obligations with source 'episode'.
CREATE TABLE episodes (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('home_sickbed')),
    resident_id TEXT NOT NULL REFERENCES residents(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    referral_id TEXT REFERENCES referrals(id),
    status TEXT NOT NULL CHECK (status IN ('open','closed')),
    diagnosis_code TEXT,
    diagnosis_text TEXT NOT NULL,
    -- the admission assessment (JSON: Barthel ADL score, risks, note)
    admission TEXT,
    responsible_clinician_id TEXT NOT NULL REFERENCES users(id),
    -- the plan (JSON: rounds per week and their service type, nursing items)
    plan TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    until TEXT NOT NULL,
    -- each extension (JSON list: from, to, reason, by, at)
    extensions TEXT NOT NULL,
    closed_on TEXT,
    outcome TEXT,
    summary TEXT,
    opened_by TEXT NOT NULL REFERENCES users(id),
    closed_by TEXT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (until >= opened_on),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
-- One open home sickbed per resident, whoever opens it and however many at once.
CREATE UNIQUE INDEX episodes_one_open ON episodes(resident_id, kind) WHERE status = 'open';
CREATE INDEX episodes_clinic ON episodes(clinic_id, status);
CREATE INDEX episodes_resident ON episodes(resident_id);
-- A down-referral asking for a home sickbed names the one its acceptance opened.
ALTER TABLE referrals ADD COLUMN follow_up_episode_id TEXT REFERENCES episodes(id);
-- What a contract or an episode owes, found when it ends.
CREATE INDEX obligations_source ON obligations(source_id);
