-- The pilot network, people, sessions, and the conventions' tables (audit, idempotency).
-- Times are UTC, stored as TIMESTAMP; ids are UUIDv7 strings (time ordered, so they double as cursors).
CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('authority','community','clinic','care_home','hospital')),
    community_id TEXT REFERENCES organizations(id),
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    contracted_clinic_id TEXT REFERENCES organizations(id),
    pilot BOOLEAN NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_kind ON organizations(kind);

CREATE TABLE residents (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    community_id TEXT NOT NULL REFERENCES organizations(id),
    care_home_id TEXT REFERENCES organizations(id),
    family_doctor_id TEXT,
    conditions TEXT NOT NULL DEFAULT '[]',
    priority_flags TEXT NOT NULL DEFAULT '[]',
    consent BOOLEAN NOT NULL DEFAULT 0,
    id_number TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX residents_community ON residents(community_id);
CREATE INDEX residents_care_home ON residents(care_home_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin','scheduler','clinician','care_home','hospital','resident')),
    organization_id TEXT REFERENCES organizations(id),
    resident_id TEXT REFERENCES residents(id),
    skills TEXT NOT NULL DEFAULT '[]',
    active BOOLEAN NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organization ON users(organization_id);

CREATE TABLE service_types (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('prevention','health_care','treatment','rehabilitation','nursing')),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    required_skill TEXT NOT NULL
);

CREATE TABLE shifts (
    id TEXT PRIMARY KEY NOT NULL,
    clinician_id TEXT NOT NULL REFERENCES users(id),
    clinic_id TEXT NOT NULL REFERENCES organizations(id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_clinician_start ON shifts(clinician_id, starts_at);
CREATE INDEX shifts_clinic_start ON shifts(clinic_id, starts_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    request_id TEXT
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor_id);
-- Append-only: the application never changes or deletes audit records.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
