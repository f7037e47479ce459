#!/usr/bin/env bash
# Fuzzes the whole OpenAPI document with schemathesis, as a clinic scheduler and as a care-home
# user: 0 server errors, every response in the documented status codes, content types and schemas,
# and no object of another organisation returned (tests/fuzz/scope.py: ids in generated requests
# are often swapped for real ones, the user's own or another organisation's).
# Needs the debug binary (cargo test builds it) and Python 3 with venv; installs schemathesis into
# target/fuzz-venv. Bounded by example count so it fits CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CARELINK_BIN:-target/debug/carelink}
EXAMPLES=${FUZZ_EXAMPLES:-25}
VENV=target/fuzz-venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$work/fuzz.db" CARELINK_LOG__LEVEL=warn CARELINK_CONFIG_DIR=config \
  "$BIN" serve --listen "127.0.0.1:$port" > "$work/out.log" 2> "$work/err.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
token() {
  curl -fs "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"carelink-demo-2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'
}
# Objects of another clinic to look for besides the seed's: a visit request and a referral of WH-CL-04.
other=$(token sched02)
resident=$(curl -fs "$base/api/v1/residents?limit=1" -H "Authorization: Bearer $other" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
hospital=$(curl -fs "$base/api/v1/organizations?kind=hospital&limit=1" -H "Authorization: Bearer $other" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
day=$(python3 -c 'import datetime as d; print(d.date.today() + d.timedelta(days=1))')
curl -fs "$base/api/v1/visits" -H "Authorization: Bearer $other" -H 'content-type: application/json' -d "{\"resident_id\":\"$resident\",
  \"service_type\":\"blood_pressure_check\",\"window_start\":\"${day}T08:00:00+08:00\",\"window_end\":\"${day}T17:00:00+08:00\",\"auto_assign\":false}" >/dev/null
curl -fs "$base/api/v1/referrals" -H "Authorization: Bearer $other" -H 'content-type: application/json' -d "{\"resident_id\":\"$resident\",
  \"direction\":\"up\",\"to_organization_id\":\"$hospital\",\"reason\":\"复查\",\"diagnosis\":{\"text\":\"高血压\"},
  \"clinical_summary\":{\"past_history\":\"无\",\"treatment_so_far\":\"无\"}}" >/dev/null
status=0
for user in sched01 home01; do
  echo "== $user's own objects to fuzz: $(python3 tests/fuzz/scope.py seed "$base" "$user")"
  python3 tests/fuzz/scope.py forbidden "$base" "$user" > "$work/forbidden-$user.json"
  python3 tests/fuzz/scope.py own "$base" "$user" > "$work/own-$user.json"
  echo "== looking for $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/forbidden-$user.json") objects of other organisations"
  echo "== schemathesis as $user ($EXAMPLES examples per operation)"
  PYTHONPATH=tests/fuzz SCHEMATHESIS_HOOKS=scope CARELINK_FUZZ_FORBIDDEN="$work/forbidden-$user.json" CARELINK_FUZZ_OWN="$work/own-$user.json" \
  "$VENV/bin/schemathesis" run "$base/api/v1/openapi.json" -H "Authorization: Bearer $(token $user)" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,no_object_of_another_organisation \
    --phases examples,fuzzing -n "$EXAMPLES" -w 2 --seed 20261127 \
    --exclude-path /api/v1/events --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/refresh \
    --suppress-health-check all > "$work/st-$user.log" 2>&1 || true
  grep -E "✅|❌|🚫|generated|failures|errors in" "$work/st-$user.log" | grep -v "Loaded specification" || true
  # A failed check fails the run. A "Runtime Error" is schemathesis/hypothesis failing inside
  # itself (seen: "AST constructor recursion depth mismatch"): reported, but not ours to fail on.
  summary=$(tail -n 1 "$work/st-$user.log")
  if ! grep -q "generated" "$work/st-$user.log" || echo "$summary" | grep -Eq "[0-9]+ failures?"; then
    sed -n '/FAILURES/,/SUMMARY/p' "$work/st-$user.log" | head -80
    status=1
  elif grep -q "Runtime Error" "$work/st-$user.log"; then
    echo "note: schemathesis reported an internal runtime error (its own, not a check failure)"
  fi
done
# carelink's own errors (a 5xx logs its cause); actix's notes on malformed client headers are not ours.
if grep '"level":"ERROR"' "$work/err.log" | grep -q '"target":"carelink'; then
  echo "the service logged errors during fuzzing:"
  grep '"level":"ERROR"' "$work/err.log" | grep '"target":"carelink' | head -20
  status=1
fi
exit $status
