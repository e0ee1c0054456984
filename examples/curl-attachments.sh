#!/usr/bin/env bash
# Save every attachment of new mail from its local_url: Mailbridge keeps each file, so this works long after the
# provider's own link has expired, and the agent needs neither that link nor the provider's key.
url=${MAILBRIDGE_URL:-http://127.0.0.1:4319}
token=${MAILBRIDGE_TOKEN:-$(cat "${MAILBRIDGE_DATA_DIR:-$HOME/.config/Mailbridge}/token")}
out=${1:-attachments}
after=0
while true; do
  page=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/events?after=$after&wait=30") || { sleep 1; continue; }
  jq -r '.events[] | .seq as $seq | (.message.attachments // []) | to_entries[] | select(.value.local_url)
         | [$seq, .key, .value.local_url] | @tsv' <<<"$page" |
    while IFS=$'\t' read -r seq index local_url; do
      # -J names the file from Content-Disposition, which Mailbridge cleaned of paths and control characters.
      mkdir -p "$out/$seq-$index" && (cd "$out/$seq-$index" && curl -sfOJ -H "Authorization: Bearer $token" "$local_url") &&
        echo "saved $out/$seq-$index/$(ls "$out/$seq-$index")"
    done
  after=$(jq '.next_after' <<<"$page")
done
