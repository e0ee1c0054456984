// An OpenMail WebSocket client, unchanged but for the URL and the key: point it at Mailbridge instead.
import WebSocket from 'ws';

const ws = new WebSocket(process.env.MAILBRIDGE_WS_URL ?? 'ws://127.0.0.1:4319/v1/ws', {
  headers: { Authorization: `Bearer ${process.env.MAILBRIDGE_TOKEN}` },
});

ws.on('open', () => {
  ws.send(JSON.stringify({ type: 'subscribe', event_types: ['message.received'] }));
});

ws.on('message', (data) => {
  const event = JSON.parse(data.toString());
  if (event.type === 'subscribed') return console.log('subscribed');
  if (event.event === 'message.received') {
    console.log(`${event.event_id}: ${event.message.from} -> ${event.message.subject}`);
  }
});
