DROP INDEX events_tx_id;
ALTER TABLE events DROP COLUMN tx;
