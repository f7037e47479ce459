-- Back to one table each, rows kept.
ALTER TABLE audit_log RENAME TO audit_log_partitioned;
ALTER INDEX audit_log_pkey RENAME TO audit_log_partitioned_pkey;
ALTER INDEX audit_log_entity RENAME TO audit_log_partitioned_entity;
ALTER INDEX audit_log_actor RENAME TO audit_log_partitioned_actor;
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
INSERT INTO audit_log SELECT id, at, actor_id, action, entity, entity_id, before, after, request_id
    FROM audit_log_partitioned;
DROP TABLE audit_log_partitioned;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE events RENAME TO events_partitioned;
ALTER INDEX events_pkey RENAME TO events_partitioned_pkey;
ALTER INDEX events_at RENAME TO events_partitioned_at;
ALTER INDEX events_tx_id RENAME TO events_partitioned_tx_id;
CREATE TABLE events (
    id BIGINT PRIMARY KEY NOT NULL DEFAULT nextval('events_id_seq'),
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    payload TEXT NOT NULL,
    tx xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_at ON events(at);
CREATE INDEX events_tx_id ON events(tx, id);
INSERT INTO events SELECT id, at, kind, entity, entity_id, audience, payload, tx FROM events_partitioned;
ALTER SEQUENCE events_id_seq OWNED BY events.id;
DROP TABLE events_partitioned;

DROP FUNCTION carelink_drop_month_partitions(regclass, timestamp);
DROP FUNCTION carelink_month_partitions(regclass, date, date);
