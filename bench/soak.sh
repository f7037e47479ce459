#!/usr/bin/env bash
# Memory under steady load (BENCH.md, "no growth"): carelink (release) on a fresh SQLite or PostgreSQL
# database with the demo data, reading a clinician's day at RATE requests/s for MINUTES; its RSS and
# thread count every minute, one JSON line per variant. Variants run side by side, each its own
# service and database, so they see the same machine:
#   bench/soak.sh                                         # MINUTES=10 RATE=250 BACKEND=sqlite
#   VARIANTS="default;MALLOC_ARENA_MAX=2" bench/soak.sh   # environment settings per variant, ';' apart
# The services share SERVICE_CPU (default 0); the load runs on LOAD_CPU (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-10}; RATE=${RATE:-250}; BACKEND=${BACKEND:-sqlite}; VARIANTS=${VARIANTS:-default}
SERVICE_CPU=${SERVICE_CPU:-0}; LOAD_CPU=${LOAD_CPU:-1}
PG=${CARELINK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
BIN=${CARELINK_BIN:-target/release/carelink}
[ -n "${CARELINK_BIN:-}" ] || cargo build --release --bin carelink >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
work=$(mktemp -d); pids=(); dbs=()
cleanup() {
  for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
  for d in "${dbs[@]:-}"; do [ -z "$d" ] || psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
status() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

IFS=';' read -ra variants <<< "$VARIANTS"
port=18190; targets=()
for v in "${variants[@]}"; do
  port=$((port + 1))
  if [ "$BACKEND" = postgres ]; then
    db="carelink_soak_$port"; dbs+=("$db")
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; psql "$PG/postgres" -qc "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  else
    url="sqlite://$work/soak-$port.db"
  fi
  envs=(); [ "$v" = default ] || read -ra envs <<< "$v"
  env "${envs[@]}" DATABASE_URL="$url" CARELINK_LOG__LEVEL=warn CARELINK_SERVER__WORKERS=1 \
    taskset -c "$SERVICE_CPU" "$BIN" serve --listen "127.0.0.1:$port" > "$work/serve-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  token=$(curl -fs "127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"sched01","password":"carelink-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
  clinician=$(curl -fs "127.0.0.1:$port/api/v1/staff?role=clinician&limit=1" -H "Authorization: Bearer $token" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
  day=$(python3 -c 'import datetime as d; print(d.date.today() + d.timedelta(1))')
  targets+=("${pids[-1]}|$v|http://127.0.0.1:$port/api/v1/clinicians/$clinician/route?date=$day|$token")
done

loads=()
for t in "${targets[@]}"; do
  IFS='|' read -r pid _ url token <<< "$t"
  taskset -c "$LOAD_CPU" python3 bench/load/fixed-rate.py "$url" "$token" "$RATE" $((MINUTES * 60)) > "$work/load-$pid.json" &
  loads+=($!)
done
for minute in $(seq 0 "$MINUTES"); do
  [ "$minute" = 0 ] || sleep 60
  for t in "${targets[@]}"; do
    IFS='|' read -r pid _ _ _ <<< "$t"
    echo "$(status "$pid" VmRSS) $(status "$pid" Threads)" >> "$work/samples-$pid"
  done
done
for l in "${loads[@]}"; do wait "$l"; done
for t in "${targets[@]}"; do
  IFS='|' read -r pid v _ _ <<< "$t"
  python3 - "$v" "$BACKEND" "$work/samples-$pid" "$work/load-$pid.json" <<'PY'
import json, sys
variant, backend, samples, load = sys.argv[1:]
rows = [list(map(int, line.split())) for line in open(samples)]
print(json.dumps({"variant": variant, "backend": backend, "rss_kib_each_minute": [r[0] for r in rows],
                  "threads_each_minute": [r[1] for r in rows], "reads": json.load(open(load))}))
PY
done
