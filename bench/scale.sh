#!/usr/bin/env bash
# The optimiser beside PyVRP and OR-Tools on generated instances of 200 to 1,000 customers (Gehring &
# Homberger shape, `carelink-bench generate`), same time limit, same core, one run after another,
# every solution checked independently. Prints JSON lines (each with "solver"), then a table of
# distance, routes and feasibility per instance and solver, with carelink's gap to PyVRP and the
# mean per size. Results are kept in target/bench-results/scale-<time>.jsonl, the instances in
# target/bench-results/scale-instances/.
#
# Usage: bench/scale.sh [--sizes "200 400 1000"] [--shapes "random clustered mixed"]
#          [--horizons short] [--seeds "1"] [--time-limit S] [--no-ortools] [--no-peers] [--cpu N]
#   Time limit: 30 s per instance up to 400 customers, 60 s above, unless --time-limit is given.
#   Defaults: 9 instances (3 sizes x 3 shapes, short horizon, seed 1): about 12 minutes with
#   carelink and PyVRP, 18 with OR-Tools, on core 1. CARELINK_BENCH=PATH runs that binary instead
#   of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="200 400 1000" shapes="random clustered mixed" horizons=short seeds=1 time_limit=""
solvers=pyvrp,ortools cpu=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --horizons) horizons="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --no-ortools) solvers=pyvrp; shift ;;
    --no-peers) solvers=""; shift ;;
    --cpu) cpu="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "sizes: $sizes; shapes: $shapes; horizons: $horizons; seeds: $seeds; peers: ${solvers:-none}; pinned to core ${cpu}" >&2

if [ -n "${CARELINK_BENCH:-}" ]; then
  bench_bin="$CARELINK_BENCH"  # a binary kept aside, e.g. to compare before and after a change
else
  cargo build --release --bin carelink-bench >&2
  bench_bin="${CARGO_TARGET_DIR:-target}/release/carelink-bench"
fi
if [ -n "$solvers" ]; then
  if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv >&2
  fi
  bench/.venv/bin/pip install --quiet pyvrp==0.14.1 ortools==9.15.6755 >&2
fi

results="${CARGO_TARGET_DIR:-target}/bench-results"
instances="$results/scale-instances"
mkdir -p "$instances"
out="$results/scale-$(date +%Y%m%d-%H%M%S).jsonl"
: > "$out"
for n in $sizes; do
  limit="$time_limit"
  [ -z "$limit" ] && { if [ "$n" -gt 400 ]; then limit=60; else limit=30; fi; }
  for shape in $shapes; do
    for horizon in $horizons; do
      for seed in $seeds; do
        f="$instances/${shape}-${horizon}-${n}-${seed}.txt"
        "$bench_bin" generate --customers "$n" --seed "$seed" --shape "$shape" --horizon "$horizon" "$f"
        "${pin[@]}" "$bench_bin" solomon --time-limit "$limit" --seed 1 "$f" \
          | sed 's/^{/{"solver":"carelink",/' | tee -a "$out"
        if [ -n "$solvers" ]; then
          "${pin[@]}" bench/.venv/bin/python bench/peers.py solve --time-limit "$limit" --seed 1 \
            --solvers "$solvers" "$f" | tee -a "$out"
        fi
      done
    done
  done
done
echo >&2 "results: $out"
echo
python3 bench/peers.py compare "$out"
