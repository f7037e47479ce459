-- SQLite has one writer at a time, so event ids already commit in order: nothing to add (this
-- keeps the two backends' migration versions in step).
SELECT 1;
