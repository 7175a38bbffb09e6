#!/usr/bin/env bash
# Inside Xvfb and a private D-Bus session: starts tauri-driver and runs the window tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log="${DESKTOP_LOG:-/tmp/tauri-driver.log}"
tauri-driver --port 4444 --native-port 4445 --native-driver "$(command -v WebKitWebDriver)" >"$log" 2>&1 &
driver=$!
trap 'kill $driver 2>/dev/null || true' EXIT
for _ in $(seq 150); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.2; done
cd "$here"
# On failure, the app's own log says what the window could not.
TAURI_DRIVER_URL=http://127.0.0.1:4444 npm test || {
  echo "--- tauri-driver and callboard log (last 100 lines of $log)" >&2
  tail -n 100 "$log" >&2
  exit 1
}
