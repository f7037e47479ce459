-- The append-only tables by month (issue #19, docs/adr/0015-city-scale.md): the audit log and the
-- event outbox are range-partitioned on `at` by calendar month (UTC), one partition per month
-- named <table>_YYYYMM. Retention drops a month's partition whole instead of deleting rows, and a
-- query over a period reads only that period's partitions. Each instance makes the coming months'
-- partitions ahead (ops::housekeeping, through carelink_month_partitions), so a write never meets a
-- month without one.

-- Makes the monthly partitions of `parent` from `from_day`'s month to `to_day`'s, those missing;
-- answers how many it made. Instances run it concurrently: the advisory lock makes them take turns.
CREATE FUNCTION carelink_month_partitions(parent regclass, from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_day)::date;
    made integer := 0;
    name text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('carelink_month_partitions'));
    WHILE m <= to_day LOOP
        name := parent::text || '_' || to_char(m, 'YYYYMM');
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           name, parent, m::timestamp, (m + interval '1 month')::timestamp);
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- Drops the monthly partitions of `parent` that end on or before `cutoff` (whole months past
-- retention); answers how many it dropped.
CREATE FUNCTION carelink_drop_month_partitions(parent regclass, cutoff timestamp)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('carelink_month_partitions'));
    FOR part IN
        SELECT c.oid::regclass AS name,
               to_date(right(c.relname, 6), 'YYYYMM') AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent AND c.relname ~ '_[0-9]{6}$'
    LOOP
        IF (part.month + interval '1 month') <= cutoff THEN
            EXECUTE format('DROP TABLE %s', part.name);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END $$;

-- The audit log: the same columns; the key gains `at`, as a partitioned table's keys must.
ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
ALTER INDEX audit_log_pkey RENAME TO audit_log_unpartitioned_pkey;
ALTER INDEX audit_log_entity RENAME TO audit_log_unpartitioned_entity;
ALTER INDEX audit_log_actor RENAME TO audit_log_unpartitioned_actor;
CREATE TABLE audit_log (
    id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    request_id TEXT,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor_id);
SELECT carelink_month_partitions('audit_log',
    LEAST((SELECT min(at) FROM audit_log_unpartitioned), (now() AT TIME ZONE 'UTC'))::date,
    GREATEST((SELECT max(at) FROM audit_log_unpartitioned), (now() AT TIME ZONE 'UTC') + interval '3 months')::date);
INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, before, after, request_id)
    SELECT id, at, actor_id, action, entity, entity_id, before, after, request_id FROM audit_log_unpartitioned;
DROP TABLE audit_log_unpartitioned;
-- Append-only still: no row is changed or deleted (retention drops whole months).
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- The event outbox: ids keep coming from the same sequence.
ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;
ALTER INDEX events_at RENAME TO events_unpartitioned_at;
ALTER INDEX events_tx_id RENAME TO events_unpartitioned_tx_id;
CREATE TABLE events (
    id BIGINT NOT NULL DEFAULT nextval('events_id_seq'),
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    payload TEXT NOT NULL,
    tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_at ON events(at);
CREATE INDEX events_tx_id ON events(tx, id);
SELECT carelink_month_partitions('events',
    LEAST((SELECT min(at) FROM events_unpartitioned), (now() AT TIME ZONE 'UTC'))::date,
    GREATEST((SELECT max(at) FROM events_unpartitioned), (now() AT TIME ZONE 'UTC') + interval '3 months')::date);
INSERT INTO events (id, at, kind, entity, entity_id, audience, payload, tx)
    SELECT id, at, kind, entity, entity_id, audience, payload, tx FROM events_unpartitioned;
ALTER SEQUENCE events_id_seq OWNED BY events.id;
DROP TABLE events_unpartitioned;
