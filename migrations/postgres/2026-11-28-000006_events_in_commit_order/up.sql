-- Events are read in commit order without serialising their writers (docs/adr/0006): each row
-- carries the id of the transaction that wrote it, and readers take only rows of transactions
-- older than every transaction still running, in (tx, id) order.
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_tx_id ON events(tx, id);
