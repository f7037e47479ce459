#!/usr/bin/env bash
# carelink on a city's data (issue #19). Run by hand:
#   SCALE=0.01 bench/city.sh     # SCALE=1 DAYS=365 SEED=1 DURATION=10 CLIENTS=16 SCHEDULERS=64
# 1. A fresh PostgreSQL database ($CITY_DB, default carelink_city), filled by
#    `carelink-bench city --scale $SCALE` (pinned to GEN_CPU), then VACUUM (ANALYZE): statistics,
#    and the visibility map a day-old database would have, so that autovacuum does not
#    start on the fresh tables during the measurements. Prints the generator's JSON line and
#    the database's size.
# 2. carelink (release, one worker on SERVICE_CPU, load from LOAD_CPU) against it, one JSON line per
#    measurement: reading a clinician's day at 250 requests/s, availability, booking exact slots,
#    the referral inbox, the unit report for a month (one district's login, the city's admin)
#    and the audit query (one visit's trail, a scheduler's day, a day of visits).
# KEEP=1 keeps the database afterwards (it is dropped otherwise); CARELINK_BIN and
# CARELINK_BENCH_BIN skip the build.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-1}; SEED=${SEED:-1}; DAYS=${DAYS:-365}; DURATION=${DURATION:-10}; CLIENTS=${CLIENTS:-16}
SCHEDULERS=${SCHEDULERS:-64}; SERVICE_CPU=${SERVICE_CPU:-0}; LOAD_CPU=${LOAD_CPU:-1}; GEN_CPU=${GEN_CPU:-1}
PG=${CARELINK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}; DB=${CITY_DB:-carelink_city}; PORT=${PORT:-18191}
URL="$PG/$DB"; API="http://127.0.0.1:$PORT/api/v1"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
BIN=${CARELINK_BIN:-target/release/carelink}; GEN=${CARELINK_BENCH_BIN:-target/release/carelink-bench}
[ -n "${CARELINK_BIN:-}${CARELINK_BENCH_BIN:-}" ] || cargo build --release --bin carelink --bin carelink-bench >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
work=$(mktemp -d); pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
tag() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(scale=float(sys.argv[2])); print(json.dumps(d))' "$1" "$SCALE"; }

# 1. The data.
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
taskset -c "$GEN_CPU" "$GEN" city --scale "$SCALE" --seed "$SEED" --days "$DAYS" "$URL" > "$work/city.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("logins"); print(json.dumps(d))' "$work/city.json"
start=$(date +%s.%N); psql "$URL" -qc "VACUUM (ANALYZE)" >/dev/null; analyze=$(echo "$(date +%s.%N) - $start" | bc)
psql "$URL" -Atc "SELECT json_build_object('scale', $SCALE, 'vacuum_analyze_seconds', round($analyze, 1), 'database_bytes', pg_database_size(current_database()),
  'database_size', pg_size_pretty(pg_database_size(current_database())), 'tables', (SELECT json_object_agg(relname, pg_size_pretty(pg_total_relation_size(c.oid)))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_total_relation_size(c.oid) > 1048576))"
today=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["city"]["today"])' "$work/city.json")
tomorrow=$(date -d "$today + 1 day" +%F); month_start=$(date -d "$(date -d "$today" +%Y-%m-01) - 1 month" +%F)
month_end=$(date -d "$(date -d "$today" +%Y-%m-01) - 1 day" +%F); yesterday=$(date -d "$today - 1 day" +%F)

# 2. The service.
DATABASE_URL="$URL" CARELINK_LOG__LEVEL=warn CARELINK_SERVER__WORKERS=1 CARELINK_DATABASE__POOL_SIZE=16 \
  taskset -c "$SERVICE_CPU" "$BIN" serve --listen "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fs "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
token() { curl -fs "$API/auth/token" -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"carelink-demo-2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'; }
q() { psql "$URL" -Atc "$1"; }
admin=$(token city.admin); sched=$(token wh-cl-01.s1); clin=$(token wh-cl-01.c01); hosp=$(token wh-ho-01.h1)
clinic=$(q "SELECT id FROM organizations WHERE code = 'WH-CL-01'")
clinician=$(q "SELECT id FROM users WHERE username = 'wh-cl-01.c01'")
scheduler=$(q "SELECT id FROM users WHERE username = 'wh-cl-01.s1'")
# A resident of the clinic, the nearest to it (exact-slot bookings leave 5 minutes' travel).
resident=$(q "SELECT r.id FROM residents r, organizations o WHERE o.id = '$clinic' AND r.community_id = o.community_id
  ORDER BY (r.lat - o.lat)^2 + (r.lon - o.lon)^2 LIMIT 1")
visit=$(q "SELECT id FROM visits WHERE clinician_id = '$clinician' AND status = 'completed' ORDER BY starts_at DESC LIMIT 1")

wrk_json() { # $1 = name, $2 = wrk output file
  python3 - "$1" "$2" "$SCALE" <<'PY'
import json, re, sys
name, path, scale = sys.argv[1], sys.argv[2], float(sys.argv[3])
t = open(path).read()
ms = lambda s: float(s[:-2]) if s.endswith("ms") else float(s[:-2]) / 1000 if s.endswith("us") else float(s[:-1]) * 1000
pct = dict((p, ms(v)) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
codes = dict((int(s), int(n)) for s, n in re.findall(r"status (\d+): (\d+)", t))
if not codes:
    total = int(re.search(r"(\d+) requests in", t).group(1))
    other = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    codes = {"2xx_or_3xx": total - int(other.group(1)) if other else total, "other": int(other.group(1)) if other else 0}
print(json.dumps({"measure": name, "scale": scale, "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
                  "p50_ms": pct.get("50"), "p99_ms": pct.get("99"), "statuses": codes}))
PY
}
closed() { # $1 = name, $2 = connections, $3 = token, $4 = path: wrk at full speed
  taskset -c "$LOAD_CPU" wrk -t1 -c"$2" -d"${DURATION}s" --latency -H "Authorization: Bearer $3" "$API$4" > "$work/$1.txt" 2>&1
  wrk_json "$1" "$work/$1.txt"
}
timed() { # $1 = name, $2 = times, $3 = token, $4 = path: one request after another (slow queries)
  python3 - "$1" "$2" "$3" "$API$4" "$SCALE" <<'PY'
import json, sys, time, urllib.request, urllib.error
name, n, token, url, scale = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
ms, statuses, size = [], {}, 0
for _ in range(n):
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token}), timeout=600) as r:
            size = len(r.read()); s = r.status
    except urllib.error.HTTPError as e:
        s = e.code
    ms.append((time.perf_counter() - t) * 1000); statuses[s] = statuses.get(s, 0) + 1
ms.sort()
print(json.dumps({"measure": name, "scale": scale, "requests": n, "p50_ms": round(ms[len(ms) // 2], 1),
                  "max_ms": round(ms[-1], 1), "min_ms": round(ms[0], 1), "statuses": statuses, "bytes": size}))
PY
}

# Reading a clinician's day: at 250 requests/s (open loop), and at full speed.
fixed=$(taskset -c "$LOAD_CPU" python3 bench/load/fixed-rate.py "$API/clinicians/$clinician/route?date=$today" "$sched" 250 "$DURATION")
tag "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["measure"]="read_day_at_250"; print(json.dumps(d))' "$fixed")"
closed read_day 16 "$sched" "/clinicians/$clinician/route?date=$today"
# Availability: a resident's candidate slots over a day ahead at the clinic (busy clinicians).
closed availability 4 "$sched" "/availability?resident_id=$resident&service_type=blood_pressure_check&from=$tomorrow&to=$tomorrow"
# The referral inbox of a district hospital, and of a clinic.
closed referral_inbox_hospital 4 "$hosp" "/referrals?box=inbox"
closed referral_inbox_clinic 4 "$sched" "/referrals?box=inbox"
# The audit query (admin): one visit's trail; a scheduler's actions over a day; a day of visits' records.
closed audit_one_visit 4 "$admin" "/audit?entity=visit&entity_id=$visit"
timed audit_actor_day 5 "$admin" "/audit?actor_id=$scheduler&from=$yesterday&to=$yesterday"
timed audit_visits_day 5 "$admin" "/audit?entity=visit&from=$yesterday&to=$yesterday"
# The unit report for last month: a district clinic's login (its own figures) and the city's admin (all).
timed report_month_district_login 3 "$sched" "/reports/units?from=$month_start&to=$month_end"
timed report_month_city 3 "$admin" "/reports/units?from=$month_start&to=$month_end"

# Booking exact slots (as bench/api-load.sh): 12 nurses of WH-CL-01 with 60 weekdays of shifts from
# the day after the generated ones, SCHEDULERS schedulers in turn, every request another slot.
days=$(python3 -c 'import datetime as d,sys; t=d.date.fromisoformat(sys.argv[1]); w=[t+d.timedelta(i) for i in range(16,120) if (t+d.timedelta(i)).weekday()<5]; print(",".join(map(str,w[:60])))' "$today")
for i in $(seq 1 12); do
  echo "bench-nurse-password" | DATABASE_URL="$URL" "$BIN" user add --username "bench.nurse$i" --role clinician \
    --org WH-CL-01 --skills nursing --password-stdin >/dev/null
done
for i in $(seq 1 "$SCHEDULERS"); do
  echo "carelink-demo-2026" | DATABASE_URL="$URL" "$BIN" user add --username "bench.sched$i" --role scheduler \
    --org WH-CL-01 --password-stdin >/dev/null
done
nurses=$(q "SELECT string_agg(id, ',' ORDER BY username) FROM users WHERE username LIKE 'bench.nurse%'")
for id in ${nurses//,/ }; do for d in ${days//,/ }; do
  curl -fs "$API/shifts" -H "Authorization: Bearer $sched" -H 'content-type: application/json' \
    -d "{\"clinician_id\":\"$id\",\"starts_at\":\"${d}T08:00:00+08:00\",\"ends_at\":\"${d}T17:00:00+08:00\",\"breaks\":[]}" >/dev/null
done; done
tokens=""; for i in $(seq 1 "$SCHEDULERS"); do tokens="$tokens${tokens:+,}$(token "bench.sched$i")"; done
CLINICIANS=$nurses DAYS=$(echo "$days" | cut -d, -f1-45) TOKENS=$tokens RESIDENT=$resident WRK_THREADS=2 taskset -c "$LOAD_CPU" \
  wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s bench/load/book-exact.lua "http://127.0.0.1:$PORT" > "$work/booking.txt" 2>&1
wrk_json booking_exact_slot "$work/booking.txt"
echo "service RSS $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
