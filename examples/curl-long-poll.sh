#!/usr/bin/env bash
# Long-poll Mailbridge with curl and jq: one JSON line per event, resuming after the last seq seen.
url=${MAILBRIDGE_URL:-http://127.0.0.1:4319}
token=${MAILBRIDGE_TOKEN:-$(cat "${MAILBRIDGE_DATA_DIR:-$HOME/.config/Mailbridge}/token")}
after=0
while true; do
  page=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/events?after=$after&wait=30") || { sleep 1; continue; }
  jq -c '.events[]' <<<"$page"
  after=$(jq '.next_after' <<<"$page")
done
