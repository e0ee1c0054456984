#!/usr/bin/env bash
# `npm test`: type-check, then every test inside a private, unlocked OS keychain session.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
exec test/with-keychain.sh npx vitest run "$@"
