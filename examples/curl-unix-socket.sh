#!/usr/bin/env bash
# The same loop over the Unix socket: only this user can open it, so no token is needed.
socket=${MAILBRIDGE_SOCKET:-${MAILBRIDGE_DATA_DIR:-$HOME/.config/Mailbridge}/run/mailbridge.sock}
after=0
while true; do
  page=$(curl -sf --unix-socket "$socket" "http://localhost/v1/events?after=$after&wait=30") || { sleep 1; continue; }
  jq -c '.events[]' <<<"$page"
  after=$(jq '.next_after' <<<"$page")
done
