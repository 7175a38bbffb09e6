#!/usr/bin/env bash
# Runs a command with a real Secret Service: a private D-Bus session and gnome-keyring,
# its login keyring created and unlocked in a throwaway directory.
#   tests/with-secret-service.sh cargo test -p callboard-system-tests --test keyring -- --ignored
set -euo pipefail
if [ -z "${CALLBOARD_IN_SECRET_SERVICE:-}" ]; then
  home="$(mktemp -d)"
  trap 'rm -rf "$home"' EXIT
  mkdir -m 700 "$home/data" "$home/run"
  CALLBOARD_IN_SECRET_SERVICE=1 XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run" \
    dbus-run-session -- "$0" "$@"
  exit
fi
# The password unlocks (and first creates) the login keyring, the default collection.
printf 'callboard-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
