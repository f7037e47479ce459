#!/usr/bin/env bash
# carelink against its database's own ceiling (BENCH.md, "The API under load"). Run by hand:
#   bench/api-load.sh            # DURATION=20 CLIENTS=16 SOAK_MINUTES=0 by default
# 1. pgbench: the SQL of one booking, and of reading a clinician's day (bench/load/*.sql), on a
#    PostgreSQL copy of a carelink database, same client count.
# 2. carelink (release) on that PostgreSQL and on SQLite, pinned to core 0, load from core 1:
#    booking = wrk POST /api/v1/visits (closed loop), reading a day = GET /clinicians/{id}/route
#    at a fixed 250 requests/s (open loop, Python) and at full speed (wrk).
# 3. RSS of each service before and after; then SOAK_MINUTES of reading at 250/s on both at once,
#    their RSS each minute (the memory check).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}; CLIENTS=${CLIENTS:-16}; SOAK_MINUTES=${SOAK_MINUTES:-0}
SERVICE_CPU=${SERVICE_CPU:-0}; LOAD_CPU=${LOAD_CPU:-1}; SCHEDULERS=${SCHEDULERS:-64}
PG=${CARELINK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
BIN=${CARELINK_BIN:-target/release/carelink}
[ -n "${CARELINK_BIN:-}" ] || cargo build --release --bin carelink >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS carelink_load WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
# Sixty weekdays of shifts, so exact-slot bookings (25 slots a clinician a day) do not run out of room.
days=$(python3 -c 'import datetime as d; t=d.date.today(); w=[t+d.timedelta(i) for i in range(1,100) if (t+d.timedelta(i)).weekday()<5]; print(",".join(map(str,w[:60])))')

serve() { # $1 = DATABASE_URL, $2 = port
  DATABASE_URL="$1" CARELINK_LOG__LEVEL=warn CARELINK_SERVER__WORKERS=1 CARELINK_DATABASE__POOL_SIZE=16 \
    taskset -c "$SERVICE_CPU" "$BIN" serve --listen "127.0.0.1:$2" > "$work/serve-$2.log" 2>&1 &
  pids+=($!); for _ in $(seq 1 100); do curl -fs "127.0.0.1:$2/healthz" >/dev/null && return; sleep 0.2; done
  echo "carelink did not start" >&2; exit 1
}
token() { curl -fs "127.0.0.1:$1/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"username\":\"$2\",\"password\":\"carelink-demo-2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# More clinicians on shift every weekday of the fortnight, so bookings do not run out of room.
setup() { # $1 = port
  local t; t=$(token "$1" sched01)
  for i in $(seq 1 12); do
    echo "bench-nurse-password" | DATABASE_URL="$2" "$BIN" user add --username "bench.nurse$i" --role clinician \
      --org WH-CL-01 --skills nursing --password-stdin >/dev/null
  done
  # Schedulers enough that none passes the per-user booking quota (1000 a minute) at full speed.
  for i in $(seq 1 "$SCHEDULERS"); do
    echo "carelink-demo-2026" | DATABASE_URL="$2" "$BIN" user add --username "bench.sched$i" --role scheduler \
      --org WH-CL-01 --password-stdin >/dev/null
  done
  local ids; ids=$(curl -fs "127.0.0.1:$1/api/v1/staff?role=clinician&limit=500" -H "Authorization: Bearer $t" \
    | python3 -c 'import sys,json; print(" ".join(s["id"] for s in json.load(sys.stdin)["items"] if s["username"].startswith("bench.")))')
  for id in $ids; do for d in ${days//,/ }; do
    curl -fs "127.0.0.1:$1/api/v1/shifts" -H "Authorization: Bearer $t" -H 'content-type: application/json' \
      -d "{\"clinician_id\":\"$id\",\"starts_at\":\"${d}T08:00:00+08:00\",\"ends_at\":\"${d}T17:00:00+08:00\",\"breaks\":[]}" >/dev/null
  done; done
}

measure() { # $1 = backend name, $2 = port
  local t resident clinician pid before
  t=$(token "$2" sched01); pid=${pids[-1]}; before=$(rss "$pid")
  resident=$(curl -fs "127.0.0.1:$2/api/v1/residents?limit=1" -H "Authorization: Bearer $t" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
  clinician=$(curl -fs "127.0.0.1:$2/api/v1/staff?role=clinician&limit=1" -H "Authorization: Bearer $t" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
  local day=${days%%,*} tokens="" i
  for i in $(seq 1 "$SCHEDULERS"); do tokens="$tokens${tokens:+,}$(token "$2" "bench.sched$i")"; done
  local nurses; nurses=$(curl -fs "127.0.0.1:$2/api/v1/staff?role=clinician&limit=500" -H "Authorization: Bearer $t" \
    | python3 -c 'import sys,json; print(",".join(s["id"] for s in json.load(sys.stdin)["items"] if s["username"].startswith("bench.")))')
  # Exact slots on the first 45 days (they fill in order), the best slot on the last 15.
  CLINICIANS=$nurses DAYS=$(echo "$days" | cut -d, -f1-45) TOKENS=$tokens RESIDENT=$resident WRK_THREADS=2 taskset -c "$LOAD_CPU" wrk -t2 -c"$CLIENTS" \
    -d"${DURATION}s" --latency -s bench/load/book-exact.lua "http://127.0.0.1:$2" > "$work/book-$1.txt" 2>&1
  DAYS=$(echo "$days" | cut -d, -f46-60) TOKENS=$tokens RESIDENT=$resident taskset -c "$LOAD_CPU" wrk -t2 -c"$CLIENTS" -d"${DURATION}s" \
    --latency -s bench/load/post-visit.lua "http://127.0.0.1:$2" > "$work/book-best-$1.txt" 2>&1
  taskset -c "$LOAD_CPU" wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -H "Authorization: Bearer $t" \
    "http://127.0.0.1:$2/api/v1/clinicians/$clinician/route?date=$day" > "$work/read-$1.txt" 2>&1
  local fixed; fixed=$(taskset -c "$LOAD_CPU" python3 bench/load/fixed-rate.py "http://127.0.0.1:$2/api/v1/clinicians/$clinician/route?date=$day" "$t" 250 "$DURATION")
  # For the soak at the end: the service, a clinician and a token to read their day with.
  echo "$pid $2 /api/v1/clinicians/$clinician/route?date=$day" >> "$work/soak-targets"
  python3 - "$1" "$work/book-$1.txt" "$work/book-best-$1.txt" "$work/read-$1.txt" "$fixed" "$before" "$(rss "$pid")" <<'PY'
import json, re, sys
name, book, book_best, read, fixed, before, after = sys.argv[1:]
def wrk(path):
    t = open(path).read()
    ms = lambda s: float(s[:-2]) if s.endswith("ms") else float(s[:-2]) / 1000 if s.endswith("us") else float(s[:-1]) * 1000
    pct = dict((p, ms(v)) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
    codes = dict((int(s), int(n)) for s, n in re.findall(r"status (\d+): (\d+)", t))
    if not codes:  # plain wrk counts only the answers that are not 2xx or 3xx
        total = int(re.search(r"(\d+) requests in", t).group(1))
        other = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
        codes = {"2xx_or_3xx": total - int(other.group(1)) if other else total, "other": int(other.group(1)) if other else 0}
    return {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
            "p50_ms": pct.get("50"), "p99_ms": pct.get("99"), "statuses": codes or None}
print(json.dumps({"backend": name, "booking": wrk(book), "booking_best_slot": wrk(book_best), "read_day": wrk(read),
                  "read_day_at_250": json.loads(fixed), "rss_kib_before": int(before), "rss_kib_after": int(after)}))
PY
}

pgbench_ceiling() { # $1 = database URL with bench_clinicians
  for script in booking read-day; do
    taskset -c "$LOAD_CPU" pgbench -n -c "$CLIENTS" -j 2 -T "$DURATION" -D clinicians=12 -f "bench/load/$script.sql" "$1" 2>/dev/null \
      | python3 -c '
import re,sys,json; t=sys.stdin.read()
print(json.dumps({"pgbench": sys.argv[1], "tps": float(re.search(r"tps = ([\d.]+)", t).group(1)),
  "latency_avg_ms": float(re.search(r"latency average = ([\d.]+)", t).group(1))}))' "$script"
  done
}

# PostgreSQL
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS carelink_load WITH (FORCE)" >/dev/null; psql "$PG/postgres" -qc "CREATE DATABASE carelink_load" >/dev/null
serve "$PG/carelink_load" 18181
setup 18181 "$PG/carelink_load"
psql "$PG/carelink_load" -qc "CREATE TABLE bench_clinicians AS SELECT row_number() OVER (ORDER BY id) AS n, id, organization_id AS clinic FROM users WHERE username LIKE 'bench.nurse%'" >/dev/null
pgbench_ceiling "$PG/carelink_load"
measure postgres 18181
# SQLite
serve "sqlite://$work/load.db" 18182
setup 18182 "sqlite://$work/load.db"
measure sqlite 18182
# The soak: both services (still running, their databases full from the runs above) read a day at
# 250 requests/s each for SOAK_MINUTES; their RSS is read at the start and every minute.
if [ "$SOAK_MINUTES" != 0 ]; then
  loads=()
  while read -r pid port path; do  # a fresh token: the soak outlasts the first ones
    taskset -c "$LOAD_CPU" python3 bench/load/fixed-rate.py "http://127.0.0.1:$port$path" "$(token "$port" sched01)" 250 \
      $((SOAK_MINUTES * 60)) > "$work/soak-$pid.json" &
    loads+=($!)
  done < "$work/soak-targets"
  samples=()
  for minute in $(seq 0 "$SOAK_MINUTES"); do
    [ "$minute" = 0 ] || sleep 60
    samples+=("$(while read -r pid _; do printf '%s ' "$(rss "$pid")"; done < "$work/soak-targets")")
  done
  for l in "${loads[@]}"; do wait "$l"; done
  python3 - "$work" "${samples[@]}" <<'PY'
import json, sys
work, samples = sys.argv[1], [list(map(int, s.split())) for s in sys.argv[2:]]
pids = [line.split()[0] for line in open(f"{work}/soak-targets")]
for i, name in enumerate(["postgres", "sqlite"][:len(pids)]):
    print(json.dumps({"soak": name, "rss_kib_each_minute": [s[i] for s in samples],
                      "reads": json.load(open(f"{work}/soak-{pids[i]}.json"))}))
PY
fi
