#!/usr/bin/env bash
# `npm test`: lint, type-check, build the window and the Electron bundles once (the browser, packaging and dashboard
# tests use them), then every test inside a private, unlocked OS keychain session.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint
npm run --silent typecheck
npm run --silent build >/dev/null
exec test/with-keychain.sh npx vitest run "$@"
