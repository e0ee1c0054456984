#!/usr/bin/env bash
# `npm test`: the system packages the tests use (installed when it may, else the one command to run), then lint,
# type-check, build the window and the Electron bundles once (the browser, packaging and dashboard tests use them),
# then every test inside a private, unlocked OS keychain session.
set -euo pipefail
cd "$(dirname "$0")/.."
test/system-deps.sh
npm run --silent lint
npm run --silent typecheck
npm run --silent build >/dev/null
exec test/with-keychain.sh npx vitest run "$@"
