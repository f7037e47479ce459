#!/usr/bin/env bash
# The optimiser on Solomon VRPTW instances beside PyVRP and OR-Tools, same time limit, same core,
# same convention (see ../shared/BENCH.md). Prints JSON lines (each with "solver"), then a table
# of distances and gaps to best-known with the mean gap per family. Results are kept in
# target/bench-results/solomon-<time>.jsonl (under $CARGO_TARGET_DIR if set).
#
# Usage: bench/solomon.sh [--time-limit S] [--seed N] [--no-peers] [FILE...]
#   default: all 56 instances in ../shared/bench/solomon at 30 s each (3 solvers: ~84 min).
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=30 seed=1 peers=yes files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) time_limit="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-peers) peers=no; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
data=../shared/bench/solomon
if [ ${#files[@]} -eq 0 ]; then
  files=("$data"/*.txt)
fi

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "time limit ${time_limit}s per instance and solver, seed ${seed}, pinned: ${pin[*]:-no}" >&2

cargo build --release --bin carelink-bench >&2
bench_bin="${CARGO_TARGET_DIR:-target}/release/carelink-bench"

if [ "$peers" = yes ]; then
  if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv >&2
  fi
  bench/.venv/bin/pip install --quiet pyvrp==0.14.1 ortools==9.15.6755 >&2
fi

results="${CARGO_TARGET_DIR:-target}/bench-results"
mkdir -p "$results"
out="$results/solomon-$(date +%Y%m%d-%H%M%S).jsonl"
for f in "${files[@]}"; do
  "${pin[@]}" "$bench_bin" solomon --time-limit "$time_limit" --seed "$seed" --best-known "$data/best_known.csv" "$f" \
    | sed 's/^{/{"solver":"carelink",/' | tee -a "$out"
  if [ "$peers" = yes ]; then
    "${pin[@]}" bench/.venv/bin/python bench/peers.py solve --time-limit "$time_limit" --seed "$seed" \
      --best-known "$data/best_known.csv" "$f" | tee -a "$out"
  fi
done
echo >&2 "results: $out"
echo
python3 bench/peers.py table "$out" --best-known "$data/best_known.csv"
