#!/usr/bin/env bash
# Same-day repair on the district day (issue #16): each clinic's day is planned and booked, then at
# 10:00 one clinician is absent (the one with the most visits left) or 3 urgent visits arrive;
# carelink's repair (replan) beside a re-plan from scratch of the same situation. Prints the JSON
# lines (kept in target/bench-results/repair-<time>.jsonl) and a table.
#
# Usage: bench/repair.sh [--seed N] [--time-limit S] [--clinics K] [--cpu C]
#   default: seed 1, 2 s per repair and per re-plan, all 22 clinics, pinned to core 0.
#   CARELINK_BENCH=PATH runs a binary kept aside instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=1 time_limit=2 clinics=22 cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --clinics) clinics="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "seed ${seed}, ${time_limit}s per repair and per re-plan, ${clinics} clinics, pinned to core ${cpu}" >&2

bench_bin="${CARELINK_BENCH:-}"
if [ -z "$bench_bin" ]; then
  cargo build --release --bin carelink-bench >&2
  bench_bin="${CARGO_TARGET_DIR:-target}/release/carelink-bench"
fi
results="${CARGO_TARGET_DIR:-target}/bench-results"
mkdir -p "$results"
out="$results/repair-$(date +%Y%m%d-%H%M%S).jsonl"
"${pin[@]}" "$bench_bin" repair --seed "$seed" --time-limit "$time_limit" --clinics "$clinics" | tee "$out"
echo >&2 "results: $out"
echo
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
cols = ["kept", "moved", "reassigned", "unplaced", "added", "urgent_placed", "shifted_over_30min", "started_changed"]
head = f"{'scenario':<9}{'how':<9}" + "".join(f"{c.replace('shifted_over_30min', '>30min').replace('started_changed', 'started!').replace('urgent_placed', 'urgent in'):>11}" for c in cols) \
    + f"{'+travel min':>12}{'s mean':>8}{'s max':>7}"
print(head)
print("-" * len(head))
for r in rows:
    if "summary" not in r:
        continue
    for how in ("repair", "scratch"):
        t = r[how]
        cells = ["-" if c == "urgent_placed" and r["summary"] != "urgent" else t[c] for c in cols]
        print(f"{r['summary']:<9}{how:<9}" + "".join(f"{v:>11}" for v in cells)
              + f"{t['added_travel_minutes']:>12.1f}{t['seconds_mean']:>8.2f}{t['seconds_max']:>7.2f}")
for r in rows:
    if "summary" in r:
        for how in ("repair", "scratch"):
            print(f"{r['summary']} {how}: unplaced because {r[how]['unplaced_reasons']}")
for r in rows:
    if "summary" in r and r["repair"].get("stages"):
        print(f"{r['summary']}: repairs ending in stage 1, 2, ...: {r['repair']['stages']}")
print(f"({rows[-1]['clinics']} clinics per scenario; counts are over all clinics; 'started!' must be 0)")
PY
