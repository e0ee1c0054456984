#!/usr/bin/env bash
# A script that needs a sign-in code: `mailbridge wait` prints it when it arrives, or exits 124 after the timeout.
if code=$(npx mailbridge wait --from "${1:-github.com}" --code --timeout 120); then
  echo "got code $code"
else
  echo "no code (exit $?)" >&2
  exit 1
fi
