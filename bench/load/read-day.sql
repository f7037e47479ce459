-- The SQL of reading a clinician's day: check the session, then the day's visits with their homes.
\set n random(1, :clinicians)
SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.revoked_at IS NULL LIMIT 1;
SELECT v.id, v.starts_at, v.ends_at, v.status, r.lat, r.lon FROM visits v JOIN residents r ON r.id = v.resident_id
  WHERE v.clinician_id = (SELECT id FROM bench_clinicians WHERE n = :n)
    AND v.starts_at >= date_trunc('day', now()) AND v.starts_at < date_trunc('day', now()) + interval '1 day'
  ORDER BY v.starts_at;
