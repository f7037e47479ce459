-- The unit report and the served-residents count read a period's visits by start time across every
-- clinician (issue #19): on a city's year, without this they read the whole table.
CREATE INDEX visits_starts_at ON visits(starts_at);
