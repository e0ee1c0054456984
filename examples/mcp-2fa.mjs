// Sign in with a one-time code over MCP (Streamable HTTP, the official SDK): connect, have the code sent, wait for it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL('/mcp', process.env.MAILBRIDGE_URL ?? 'http://127.0.0.1:4319');
const transport = new StreamableHTTPClientTransport(url, {
  requestInit: { headers: { Authorization: `Bearer ${process.env.MAILBRIDGE_TOKEN}` } },
});
const client = new Client({ name: 'sign-in-agent', version: '1.0.0' });
await client.connect(transport);

// Now click "send me a code" on the service. With since "unseen" the code counts even if it lands before the call.
console.log('connected: have the code sent now');
const result = await client.callTool(
  { name: 'wait_for_code', arguments: { from: process.argv[2] ?? 'github.com', since: 'unseen', timeout_seconds: 120 } },
  undefined,
  { timeout: 130_000 }, // the SDK gives up on a request after 60 s unless told otherwise
);
const answer = result.structuredContent;
if (answer.status === 'timeout') {
  console.log(answer.message);
} else {
  console.log(`code ${answer.code ?? '-'} link ${answer.link ?? '-'} from ${answer.mail.from}`);
  // Done with the code: mark its mail read at the provider (OpenMail; a token with the send scope).
  const marked = await client.callTool({ name: 'mark_read', arguments: { seq: answer.mail.seq } });
  console.log(marked.content[0].text);
}
await client.close();
