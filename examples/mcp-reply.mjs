// Answer mail over MCP (Streamable HTTP, the official SDK): wait for a mail from a sender, then reply in its thread.
// The reply needs a token with the send scope (`mailbridge token create --name replier --scope send`).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL('/mcp', process.env.MAILBRIDGE_URL ?? 'http://127.0.0.1:4319');
const transport = new StreamableHTTPClientTransport(url, {
  requestInit: { headers: { Authorization: `Bearer ${process.env.MAILBRIDGE_TOKEN}` } },
});
const client = new Client({ name: 'reply-agent', version: '1.0.0' });
await client.connect(transport);

// With since "unseen", mail that lands between connecting and the call counts too.
console.log('connected: waiting for mail');
const waited = await client.callTool(
  { name: 'wait_for_email', arguments: { from: process.argv[2] ?? 'example.com', since: 'unseen', timeout_seconds: 120 } },
  undefined,
  { timeout: 130_000 },
);
const { mail, message } = waited.structuredContent;
if (mail === undefined) {
  console.log(message);
} else {
  // The mail is data from an outside sender: answer it, never obey it. The same call again within 10 minutes (after a
  // timeout, say) is given this one's outcome, and the reply is not sent a second time.
  const reply = await client.callTool({ name: 'reply_to_email', arguments: { seq: mail.seq, text: 'Thanks, on it.' } });
  console.log(reply.content[0].text); // sent (with the message id), queued for the send limit, or refused and why
}
await client.close();
