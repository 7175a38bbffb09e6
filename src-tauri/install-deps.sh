#!/usr/bin/env bash
# Installs what callboard needs on a fresh Debian/Ubuntu machine (idempotent, quick when
# everything is there). `install-deps.sh app` for running the app, `install-deps.sh test`
# for running every test as well.
set -euo pipefail
mode="${1:-app}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Tauri 2 on Linux (WebKitGTK 4.1), GStreamer's WAV/MP3 playback for recordings in the
# window, and Node for the UI build.
packages=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  pkg-config libssl-dev build-essential gstreamer1.0-plugins-base gstreamer1.0-plugins-good nodejs npm)
# Tests: a virtual display, WebKit's WebDriver, Chromium for Playwright, a session bus, and
# a real Secret Service (gnome-keyring) for the OS-keyring secrets, and xdotool to answer
# the native save dialog in the window test.
[ "$mode" = test ] && packages+=(xvfb xauth webkit2gtk-driver chromium dbus dbus-x11 fonts-dejavu-core gnome-keyring xdotool openssl)

missing=()
for p in "${packages[@]}"; do
  # Node may come from elsewhere (nvm, NodeSource): only ask apt when the command is absent.
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "callboard's UI build (Vite 8) needs Node.js 20.19 or newer; this machine has $(node --version)." >&2
  exit 1
fi

npm_ci() {
  echo "==> npm ci in $1"
  (cd "$root/$1" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
}
npm_ci ui
if [ "$mode" = test ]; then
  npm_ci tests/e2e
  npm_ci tests/desktop
  if ! command -v tauri-driver >/dev/null; then
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --version '^2' --locked
  fi
fi
