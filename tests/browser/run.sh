#!/usr/bin/env bash
# Runs the browser tests (the staff console, then the clinicians' field app): starts carelink on a fresh SQLite database with the demo data on a
# free port, waits for /healthz, runs tests/browser/console.test.mjs and field.test.mjs in Debian's Chromium, stops the
# service, and exits with the test's status.
#
#   tests/browser/run.sh                                   # uses target/debug/carelink
#   CARELINK_BIN=target/release/carelink tests/browser/run.sh
#   BROWSER_SUITES=field tests/browser/run.sh              # one suite only
#
# Needs node (20+) and npm, /usr/bin/chromium (installed with apt-get when missing and run as root)
# and the binary. The console and field files are served from the work tree (console/, field/), so a
# binary built earlier still tests the current files; CARELINK_CONSOLE_DIR= and CARELINK_FIELD_DIR=
# (empty) test the embedded copies.
# Access tokens live 1 minute here (CARELINK_AUTH__ACCESS_TOKEN_MINUTES), so the console refreshes
# its token during the test. Screenshots: target/browser-screenshots/*.png.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CARELINK_BIN:-target/debug/carelink}
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
if [[ ! -x "$bin" ]]; then
  echo "run.sh: no carelink binary at $bin (build it, or set CARELINK_BIN)" >&2
  exit 2
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "run.sh: node and npm are needed" >&2; exit 2; }

as_root() { [[ $(id -u) -eq 0 ]]; }
if [[ ! -x /usr/bin/chromium ]]; then
  if as_root && command -v apt-get >/dev/null; then
    echo "run.sh: installing chromium from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "run.sh: /usr/bin/chromium is missing (apt-get install chromium)" >&2
    exit 2
  fi
fi
# Screenshots of a Chinese UI need a CJK font; the test itself does not (best effort).
if as_root && command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 \
    || echo "run.sh: no CJK font (fonts-noto-cjk): Chinese text will be boxes in the screenshots" >&2
fi

if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carelink-browser.XXXXXX")
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url="http://127.0.0.1:$port"

DATABASE_URL="sqlite://$tmp/carelink.db" \
CARELINK_CONFIG_DIR="${CARELINK_CONFIG_DIR:-$root/config}" \
CARELINK_CONSOLE_DIR="${CARELINK_CONSOLE_DIR-$root/console}" \
CARELINK_FIELD_DIR="${CARELINK_FIELD_DIR-$root/field}" \
CARELINK_LOG__LEVEL="${CARELINK_LOG__LEVEL:-warn}" \
CARELINK_AUTH__ACCESS_TOKEN_MINUTES="${CARELINK_AUTH__ACCESS_TOKEN_MINUTES:-1}" \
CARELINK_SERVER__SHUTDOWN_TIMEOUT_SECONDS="${CARELINK_SERVER__SHUTDOWN_TIMEOUT_SECONDS:-1}" \
  "$bin" serve --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!

ready=0
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if node -e "fetch('$url/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then ready=1; break; fi
  sleep 0.5
done
if [[ $ready -ne 1 ]]; then
  echo "run.sh: carelink did not become healthy at $url; its log:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

status=0
for suite in ${BROWSER_SUITES:-console field}; do
  (cd "$here" && CARELINK_URL="$url" node "$suite.test.mjs") || { status=$?; break; }
done
if [[ $status -ne 0 ]]; then
  echo "--- carelink log (last 40 lines) ---" >&2
  tail -n 40 "$tmp/server.log" >&2
fi
exit $status
