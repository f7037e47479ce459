#!/usr/bin/env bash
# A generated clinic week (issue #16): 5 days, 5 clinicians with a lunch break (two shifts a day),
# 150 visits, a third with windows over several days. carelink, PyVRP and OR-Tools one after
# another on the same core with the same time limit; every solution rechecked by
# bench/check_week.py, which prints the table. JSON lines kept in
# target/bench-results/week-<time>.jsonl, the instance beside them.
#
# Usage: bench/week.sh [--seeds "1 2"] [--time-limit S] [--clinicians 5] [--visits 150] [--days 5]
#                      [--no-peers] [--cpu C]
#   default: seed 1, 30 s per solver, pinned to core 0. CARELINK_BENCH=PATH skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds=1 time_limit=30 clinicians=5 visits=150 days=5 peers=yes cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds|--seed) seeds="$2"; shift 2 ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --clinicians) clinicians="$2"; shift 2 ;;
    --visits) visits="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --no-peers) peers=no; shift ;;
    --cpu) cpu="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "time limit ${time_limit}s per solver, seeds ${seeds}, pinned to core ${cpu}" >&2

bench_bin="${CARELINK_BENCH:-}"
if [ -z "$bench_bin" ]; then
  cargo build --release --bin carelink-bench >&2
  bench_bin="${CARGO_TARGET_DIR:-target}/release/carelink-bench"
fi
if [ "$peers" = yes ]; then
  if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv >&2
  fi
  bench/.venv/bin/pip install --quiet pyvrp==0.14.1 ortools==9.15.6755 >&2
fi

results="${CARGO_TARGET_DIR:-target}/bench-results"
mkdir -p "$results"
stamp=$(date +%Y%m%d-%H%M%S)
status=0
for seed in $seeds; do
  instance="$results/week-$stamp-s$seed.json"
  out="$results/week-$stamp-s$seed.jsonl"
  "${pin[@]}" "$bench_bin" week --seed "$seed" --clinicians "$clinicians" --visits "$visits" --days "$days" \
    --time-limit "$time_limit" --export "$instance" | tee "$out"
  if [ "$peers" = yes ]; then
    "${pin[@]}" bench/.venv/bin/python bench/peers_week.py solve --time-limit "$time_limit" --seed "$seed" \
      "$instance" | tee -a "$out"
  fi
  echo >&2 "results: $out (instance $instance)"
  echo
  python3 bench/check_week.py "$instance" "$out" || status=1
  echo
done
exit $status
