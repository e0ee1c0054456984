#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# so keychain tests use the real OS store without touching the developer's own keyring.
set -euo pipefail
if [[ -n "${MAILBRIDGE_IN_KEYRING_SESSION:-}" ]]; then exec "$@"; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "with-keychain: $tool is missing (apt-get install dbus-daemon gnome-keyring)" >&2; exit 1; }
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export MAILBRIDGE_IN_KEYRING_SESSION=1 XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c 'printf "throwaway-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' keyring "$@"
