#!/usr/bin/env bash
# The care-programme engine over a district year (issue #14, docs/BENCH.md): builds carelink-bench
# in release, then runs `carelink-bench programmes` on a fresh SQLite file and on a fresh
# PostgreSQL database (created here and dropped afterwards, also when a run fails). Prints one
# JSON line per database on stdout; progress and the machine's load on stderr.
#
# Usage: bench/programmes.sh [--residents 20000] [--seed N] [--contracted 0.6] [--chronic 0.25]
#   CARELINK_BENCH_POSTGRES_URL: the server to create the database on
#   (default postgres://postgres@127.0.0.1:5432/postgres); BACKENDS="sqlite postgres" to choose.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in -h|--help) sed -n '2,9p' "$0"; exit 0 ;; esac
admin="${CARELINK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
backends="${BACKENDS:-sqlite postgres}"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cargo build --release --bin carelink-bench >&2
bench_bin="${CARGO_TARGET_DIR:-target}/release/carelink-bench"

name="carelink_programmes_$$_$(date +%s)"
sqlite_file="${TMPDIR:-/tmp}/$name.db"
server="${admin%/*}"
cleanup() {
  rm -f "$sqlite_file" "$sqlite_file-wal" "$sqlite_file-shm"
  if [[ " $backends " == *" postgres "* ]]; then
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

for backend in $backends; do
  case "$backend" in
    sqlite) url="sqlite://$sqlite_file" ;;
    postgres)
      psql -q "$admin" -c "CREATE DATABASE $name" >&2
      url="$server/$name" ;;
    *) echo "BACKENDS: sqlite or postgres, not $backend" >&2; exit 2 ;;
  esac
  echo "$backend: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$bench_bin" programmes "$@" "$url"
done
