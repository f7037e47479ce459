#!/usr/bin/env bash
# What open event streams cost the database (issue #19): one carelink instance on a fresh
# PostgreSQL database, N streams open (curl -N), and over WINDOW seconds the database's committed
# transactions per second (pg_stat_database.xact_commit) and the instance's outbox reads per
# second (/metrics), once the instance holds all N (their opening is not measured). Run by hand:
#   bench/streams.sh              # N in 1 100 1000 2000, WINDOW=10
#   bench/streams.sh 1 500        # other counts
set -euo pipefail
cd "$(dirname "$0")/.."
COUNTS=${*:-1 100 1000 2000}; WINDOW=${WINDOW:-10}; SETTLE=${SETTLE:-5}
PG=${CARELINK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
BIN=${CARELINK_BIN:-target/release/carelink}
[ -n "${CARELINK_BIN:-}" ] || cargo build --release --bin carelink >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d); pids=(); streams=()
cleanup() {
  for p in "${streams[@]:-}" "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS carelink_streams WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS carelink_streams WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "CREATE DATABASE carelink_streams" >/dev/null
port=18093
DATABASE_URL="$PG/carelink_streams" CARELINK_LOG__LEVEL=warn CARELINK_EVENTS__MAX_STREAMS_PER_USER=5000 \
  CARELINK_EVENTS__MAX_STREAMS=5000 "$BIN" serve --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -fs "127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"sched01","password":"carelink-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
commits() { psql "$PG/postgres" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'carelink_streams'"; }
reads() { curl -fs "127.0.0.1:$port/metrics" | awk '/^carelink_event_outbox_reads_total / {print $2}'; }
printf '%8s %18s %18s\n' streams "db commits/s" "outbox reads/s"
open=0
for n in $COUNTS; do
  while [ "$open" -lt "$n" ]; do
    curl -sN "127.0.0.1:$port/api/v1/events" -H "Authorization: Bearer $token" > /dev/null 2>&1 &
    streams+=($!); open=$((open + 1))
  done
  # Measure the streams open, not their opening: wait until the instance holds them all, then a bit.
  for _ in $(seq 1 600); do
    held=$(curl -fs "127.0.0.1:$port/metrics" | awk '/^carelink_event_streams / {print $2}')
    [ "${held:-0}" -ge "$n" ] && break; sleep 0.2
  done
  sleep "$SETTLE"
  c0=$(commits); r0=$(reads); sleep "$WINDOW"; c1=$(commits); r1=$(reads)
  printf '%8d %18.1f %18.1f\n' "$n" "$(echo "($c1 - $c0) / $WINDOW" | bc -l)" "$(echo "(${r1:-0} - ${r0:-0}) / $WINDOW" | bc -l)"
done
