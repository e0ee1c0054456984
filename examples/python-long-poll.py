"""Long-poll Mailbridge from Python with only the standard library."""
import json
import os
import urllib.request

url = os.environ.get("MAILBRIDGE_URL", "http://127.0.0.1:4319")
token = os.environ["MAILBRIDGE_TOKEN"]
after = 0
while True:
    request = urllib.request.Request(
        f"{url}/v1/events?after={after}&wait=30",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=40) as response:
        page = json.load(response)
    for event in page["events"]:
        message = event.get("message") or {}
        print(event["seq"], event["event"], message.get("from"), message.get("subject"), flush=True)
    after = page["next_after"]
