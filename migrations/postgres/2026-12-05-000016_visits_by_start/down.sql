DROP INDEX visits_starts_at;
