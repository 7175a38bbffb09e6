#!/usr/bin/env bash
# Inside Xvfb and a private D-Bus session: starts tauri-driver and runs the window tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log="${DESKTOP_LOG:-/tmp/tauri-driver.log}"
# The app saves recordings to the user's downloads folder: give it one of its own, named the
# XDG way (the app's environment is tauri-driver's).
scratch="$(mktemp -d)"
export XDG_CONFIG_HOME="$scratch/config" CALLBOARD_DOWNLOAD_DIR="$scratch/downloads"
mkdir -p "$XDG_CONFIG_HOME" "$CALLBOARD_DOWNLOAD_DIR"
echo "XDG_DOWNLOAD_DIR=\"$CALLBOARD_DOWNLOAD_DIR\"" >"$XDG_CONFIG_HOME/user-dirs.dirs"
tauri-driver --port 4444 --native-port 4445 --native-driver "$(command -v WebKitWebDriver)" >"$log" 2>&1 &
driver=$!
trap 'kill $driver 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 150); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.2; done
cd "$here"
# On failure, the driver's log and the app's own (in its data dir) say what went wrong.
TAURI_DRIVER_URL=http://127.0.0.1:4444 npm test || {
  for f in "$log" "${CALLBOARD_DATA_DIR:-/nonexistent}"/demo/logs/*.log; do
    [ -f "$f" ] || continue
    echo "--- last 100 lines of $f" >&2
    tail -n 100 "$f" >&2
  done
  exit 1
}
