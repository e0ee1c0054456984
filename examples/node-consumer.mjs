// A Node agent with a named consumer: Mailbridge keeps its place, so a restart resumes where it left off.
const url = process.env.MAILBRIDGE_URL ?? 'http://127.0.0.1:4319';
const headers = { authorization: `Bearer ${process.env.MAILBRIDGE_TOKEN}`, 'content-type': 'application/json' };

for (;;) {
  const response = await fetch(`${url}/v1/events?consumer=my-agent&wait=30`, { headers });
  if (!response.ok) throw new Error(`Mailbridge answered ${response.status}: ${await response.text()}`);
  const { events, next_after } = await response.json();
  for (const event of events) {
    console.log(event.seq, event.event, event.message?.from, event.message?.subject);
  }
  // Acknowledge only after handling: a crash before this line means the events come again.
  await fetch(`${url}/v1/consumers/my-agent/ack`, { method: 'POST', headers, body: JSON.stringify({ seq: next_after }) });
}
