#!/usr/bin/env bash
# Availability latency and booking throughput on a generated district day (see benches/visits.rs).
# Usage: bench/visits.sh [--backend sqlite|postgres|both] [--clients 16] [--seconds 10] [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench visits -- "$@"
