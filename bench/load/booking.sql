-- The SQL of one booking, as carelink runs it: lock the clinician, read their shifts and live
-- visits around the slot, insert the visit, in one transaction.
\set n random(1, :clinicians)
\set offset random(1, 2000000000)
BEGIN;
SELECT id FROM users WHERE id = (SELECT id FROM bench_clinicians WHERE n = :n) FOR UPDATE;
SELECT starts_at, ends_at FROM shifts
  WHERE clinician_id = (SELECT id FROM bench_clinicians WHERE n = :n)
    AND starts_at < now() + (:offset || ' seconds')::interval + interval '1 day'
    AND ends_at > now() + (:offset || ' seconds')::interval - interval '1 day';
SELECT v.id, v.starts_at, v.ends_at, r.lat, r.lon FROM visits v JOIN residents r ON r.id = v.resident_id
  WHERE v.clinician_id = (SELECT id FROM bench_clinicians WHERE n = :n)
    AND v.status IN ('scheduled', 'in_progress', 'completed')
    AND v.starts_at < now() + (:offset || ' seconds')::interval + interval '1 day'
    AND v.ends_at > now() + (:offset || ' seconds')::interval - interval '1 day';
INSERT INTO visits (id, resident_id, clinic_id, clinician_id, service_type, status, priority, window_start, window_end,
    starts_at, ends_at, travel_minutes_before, location_exception, notes, version, created_at, updated_at)
  SELECT gen_random_uuid()::text, (SELECT id FROM residents LIMIT 1), c.clinic, c.id, 'blood_pressure_check', 'scheduled',
    'routine', now(), now() + interval '1 day', now() + (:offset || ' seconds')::interval,
    now() + (:offset || ' seconds')::interval + interval '15 minutes', 5, false, '', 1, now(), now()
  FROM bench_clinicians c WHERE c.n = :n
  ON CONFLICT DO NOTHING;
INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, after)
  VALUES (gen_random_uuid()::text, now(), NULL, 'create', 'visit', 'bench', '{}');
COMMIT;
