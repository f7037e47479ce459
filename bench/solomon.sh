#!/usr/bin/env bash
# The optimiser on Solomon VRPTW instances beside PyVRP and OR-Tools, same time limit, same core,
# same convention (see docs/BENCH.md). Prints JSON lines (each with "solver"), then a table
# of distances and gaps to best-known with the mean gap per family. Results are kept in
# target/bench-results/solomon-<time>.jsonl (under $CARGO_TARGET_DIR if set).
#
# Usage: bench/solomon.sh [--time-limit S] [--seed N] [--no-peers] [--cpus 0,1] [FILE...]
#   default: all 56 instances in bench/solomon (the repository's copy) at 30 s each (3 solvers: ~84 min), on
#   core 0. --cpus 0,1 deals the instances out to those cores, one run per core at a time (each
#   run still has one core to itself: ~42 min on two), so nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=30 seed=1 peers=yes files=() cpus=0
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) time_limit="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-peers) peers=no; shift ;;
    --cpus) cpus="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
data=bench/solomon
if [ ${#files[@]} -eq 0 ]; then
  files=("$data"/*.txt)
fi

IFS=, read -r -a cores <<< "$cpus"
command -v taskset >/dev/null || cores=("")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "time limit ${time_limit}s per instance and solver, seed ${seed}, pinned to cores: ${cores[*]:-none}" >&2

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
# One lane per core: instance i goes to core i mod n; each lane runs its instances one by one.
lane() { # $1 = lane number, $2 = core
  local pin=() i=0
  [ -n "$2" ] && pin=(taskset -c "$2")
  for f in "${files[@]}"; do
    if [ $((i % ${#cores[@]})) -eq "$1" ]; then
      "${pin[@]}" "$bench_bin" solomon --time-limit "$time_limit" --seed "$seed" --best-known "$data/best_known.csv" "$f" \
        | sed 's/^{/{"solver":"carelink",/'
      if [ "$peers" = yes ]; then
        "${pin[@]}" bench/.venv/bin/python bench/peers.py solve --time-limit "$time_limit" --seed "$seed" \
          --best-known "$data/best_known.csv" "$f"
      fi
    fi
    i=$((i + 1))
  done
}
lanes=()
for n in "${!cores[@]}"; do
  lane "$n" "${cores[$n]}" > "$out.lane$n" &
  lanes+=($!)
done
tail -q -n +1 -f "$out".lane* 2>/dev/null &  # each line as it comes
follow=$!
for p in "${lanes[@]}"; do wait "$p"; done
kill "$follow" 2>/dev/null || true
cat "$out".lane* > "$out" && rm -f "$out".lane*
echo >&2 "results: $out"
echo
python3 bench/peers.py table "$out" --best-known "$data/best_known.csv"
