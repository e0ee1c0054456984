#!/usr/bin/env bash
# Send mail through Mailbridge with an agent token that may only send from one inbox: the provider's API key stays
# in the keychain. The answer names the send's Idempotency-Key; a retry with it is answered again, never sent twice.
url=${MAILBRIDGE_URL:-http://127.0.0.1:4319}
account=${MAILBRIDGE_ACCOUNT:-default}
inbox=${MAILBRIDGE_INBOX:?set MAILBRIDGE_INBOX to the inbox to send from}
# Once per agent, shown once: keep the token where the agent keeps its secrets.
token=${MAILBRIDGE_AGENT_TOKEN:-$(npx mailbridge token create --name mailer --scope send --inbox "$inbox" --json | jq -r .token)}
mail='{"to":"ana@example.com","subject":"Hello from my agent","body":"Sent through Mailbridge."}'
send() {
  curl -sS -D "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "${@:2}" \
    --data "$mail" "$url/v1/accounts/$account/proxy/v1/inboxes/$inbox/send"
  echo
}
headers=$(mktemp)
send "$headers"
key=$(grep -i '^idempotency-key:' "$headers" | cut -d' ' -f2 | tr -d '\r')
send /dev/null -H "Idempotency-Key: $key" # a retry, say after a timeout: the same answer, and no second mail
rm "$headers"
