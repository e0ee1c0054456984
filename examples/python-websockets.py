"""An OpenMail WebSocket client in Python (the `websockets` package), pointed at Mailbridge."""
import asyncio
import json
import os

from websockets import connect

url = os.environ.get("MAILBRIDGE_WS_URL", "ws://127.0.0.1:4319/v1/ws")
token = os.environ["MAILBRIDGE_TOKEN"]


async def main():
    # ?token= works with every version of `websockets` (header arguments were renamed in 14.0).
    async with connect(f"{url}?token={token}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "event_types": ["message.received"]}))
        async for raw in ws:
            event = json.loads(raw)
            if event.get("event") == "message.received":
                print(event["event_id"], event["message"]["from"], event["message"]["subject"], flush=True)


asyncio.run(main())
