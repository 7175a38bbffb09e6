#!/usr/bin/env bash
# Builds and opens the callboard window; demo mode when no accounts are configured.
# Extra arguments go to the app: --config FILE, --data-dir DIR, --demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/src-tauri/install-deps.sh" app
(cd "$root/ui" && npm run build --silent)
cd "$root"
exec cargo run --locked -p callboard --bin callboard -- "$@"
