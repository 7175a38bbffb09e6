#!/usr/bin/env bash
# Every check and test of callboard, as CI runs it: installs what it needs, then the UI's
# type check, linter and build; rustfmt and clippy; Rust unit and system tests (the keyring
# one against gnome-keyring); Playwright against callboard-server --demo in Chromium; the
# desktop window under Xvfb via tauri-driver.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "install dependencies"
src-tauri/install-deps.sh test

step "UI: type check, lint, unit tests, build"
(cd ui && npm run --silent check && npm run --silent lint && npm test && npm run --silent build)

step "cargo fmt --check"
cargo fmt --all --check

step "cargo build (all binaries)"
cargo build --locked --workspace --bins
target="${CARGO_TARGET_DIR:-$root/target}/debug"

step "cargo clippy -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --locked --workspace

step "search benchmark, reduced to 100,000 calls: the store fill, every query and the cold start still run"
cargo test --locked -p callboard-system-tests --bench search -- --calls 100000

step "live bench, reduced: routing answers beside a constant handler, under a flood, and webhook-to-UI still run"
cargo test --locked -p callboard-system-tests --bench live -- --rate 200 --secs 2 --blacklist 10000 --plans 1000

step "OS keyring: secrets through a real Secret Service (gnome-keyring, private D-Bus session)"
# The built test binary itself: cargo run under the session's environment would rebuild.
keyring_test="$(cargo test --locked -p callboard-system-tests --test keyring --no-run 2>&1 |
  sed -n 's/^ *Executable .*(\(.*\))$/\1/p')"
[ -x "$keyring_test" ] || { echo "cargo named no keyring test binary" >&2; exit 1; }
tests/with-secret-service.sh "$keyring_test" --ignored

work="$(mktemp -d)"
cleanup() { jobs -p | xargs -r kill 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Waits for a line matching $2 in file $1 (a server announcing its address), 60 s at most.
wait_for_line() {
  for _ in $(seq 300); do grep -m1 -o "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

step "browser tests: Playwright + Chromium against callboard-server --demo"
"$target/callboard-server" --demo --bind 127.0.0.1:0 --data-dir "$work/server" --ui-dir ui/dist >"$work/server.log" 2>&1 &
# The server's own line: the webhook listener logs an address of its own too.
url="$(wait_for_line "$work/server.log" 'listening on http://127\.0\.0\.1:[0-9]*' | sed 's/^listening on //')"
# The tests read a synced demo: wait for every account's first pass (its backfill) to end.
node -e '
  const deadline = Date.now() + 240000;
  let last = null;
  (async function poll() {
    try {
      const accounts = await (await fetch(process.argv[1] + "/api/accounts")).json();
      last = accounts.map((a) => ({ account: a.account, state: a.state, backfill: a.backfill, error: a.last_error?.message }));
      if (accounts.length > 0 && accounts.every((a) => a.state === "ok" && !a.backfill)) return;
    } catch (e) { last = String(e); }
    if (Date.now() > deadline) {
      console.error("the demo did not finish its first sync; the accounts said:", JSON.stringify(last, null, 1));
      process.exit(1);
    }
    setTimeout(poll, 250);
  })();' "$url" || { tail -n 60 "$work/server.log" >&2; exit 1; }
# The restart test starts servers of its own from the same binary and UI.
(cd tests/e2e && CALLBOARD_URL="$url" CALLBOARD_SERVER="$target/callboard-server" CALLBOARD_UI_DIR="$root/ui/dist" npm test)

step "desktop tests: the Tauri window under Xvfb via tauri-driver"
CALLBOARD_APP="$target/callboard" CALLBOARD_DATA_DIR="$work/desktop" DESKTOP_LOG="$work/driver.log" \
  xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- tests/desktop/run.sh

echo
echo "all checks passed in $(( $(date +%s) - started )) s"
