// An OpenMail webhook handler, unchanged: run Mailbridge with --forward-to http://127.0.0.1:8787/webhook.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
const seen = new Set();

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const timestamp = req.headers['x-timestamp'] ?? '';
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    const given = String(req.headers['x-signature'] ?? '');
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
    if (!fresh || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      res.writeHead(401).end();
      return;
    }
    const eventId = req.headers['x-event-id'];
    if (!seen.has(eventId)) {
      seen.add(eventId);
      const event = JSON.parse(body);
      console.log(`${event.event_id}: ${event.message?.from} -> ${event.message?.subject}`);
    }
    res.writeHead(200).end();
  });
}).listen(Number(process.env.PORT ?? 8787), '127.0.0.1');
