#!/usr/bin/env bash
# The system parts `npm test` uses for real, checked before any test runs. Missing Debian packages are installed
# when this runs as root or with passwordless sudo; otherwise it stops with the one command that installs them.
set -euo pipefail

# package: what the tests use it for
packages=(
  "gnome-keyring:the OS keychain (Secret Service) the key tests store into"
  "dbus-daemon:the private D-Bus session the keychain runs in"
  "dbus-user-session:dbus-run-session, which starts that session"
  "libsecret-tools:secret-tool, to read what Mailbridge stored in the keychain"
  "chromium:the browser the dashboard tests drive"
  "fonts-liberation:fonts for the browser's screenshots"
  "python3-websockets:the Python WebSocket agent example"
  "curl:the shell agent examples"
  "jq:the shell agent examples"
  "nats-server:the JetStream broker the NATS sink tests publish into"
)

if ! command -v dpkg-query >/dev/null; then
  # Not Debian or Ubuntu: name the tools, since package names differ elsewhere.
  missing=()
  for tool in gnome-keyring-daemon dbus-run-session chromium python3 curl jq nats-server; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  ((${#missing[@]} == 0)) && exit 0
  echo "npm test needs these programs, which are missing: ${missing[*]} (install them with your system's package manager)." >&2
  exit 1
fi

missing=()
for entry in "${packages[@]}"; do
  package=${entry%%:*}
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$entry")
done
((${#missing[@]} == 0)) && exit 0

names=("${missing[@]%%:*}")
if ((EUID == 0)); then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "npm test needs Debian packages that are not installed:" >&2
  for entry in "${missing[@]}"; do echo "  ${entry%%:*}: ${entry#*:}" >&2; done
  echo "Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${names[*]}" >&2
  exit 1
fi

echo "Installing the Debian packages the tests use:"
for entry in "${missing[@]}"; do echo "  ${entry%%:*}: ${entry#*:}"; done
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${names[@]}" >/dev/null
