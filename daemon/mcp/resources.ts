// Recent mail as MCP resources, declared once for both transports: `mailbridge://mail/recent` (the newest mail,
// which a client may subscribe to: it is told `notifications/resources/updated` when new mail commits, so an idle
// agent is woken rather than polling) and `mailbridge://mail/{seq}` (one mail, whole). What backs them is a
// MailResources: the engine's own (engine-resources.ts) or, for `mailbridge mcp`, the engine's over HTTP.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type ReadResourceResult, type Resource, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export const RECENT_MAIL_URI = 'mailbridge://mail/recent';
export const MAIL_URI_TEMPLATE = 'mailbridge://mail/{seq}';
/** How many mails the recent list holds, and how many single-mail resources a listing names. */
export const RECENT_MAIL_COUNT = 20;

export function mailUri(seq: number): string {
  return `mailbridge://mail/${seq}`;
}

/** The seq a single-mail URI names, or null for any other URI. */
export function seqOfMailUri(uri: string): number | null {
  const match = /^mailbridge:\/\/mail\/([1-9]\d{0,15})$/.exec(uri);
  return match === null ? null : Number(match[1]);
}

export interface MailResources {
  /** The single mails a listing names (the recent ones). */
  list(): Promise<Resource[]>;
  read(uri: string): Promise<ReadResourceResult>;
  subscribe(uri: string): Promise<void>;
  unsubscribe(uri: string): Promise<void>;
}

export function registerResources(server: McpServer, source: MailResources): void {
  server.registerResource(
    'recent-mail',
    RECENT_MAIL_URI,
    {
      title: 'Recent mail',
      description: `The ${RECENT_MAIL_COUNT} newest mails (sender, subject, seq), newest first. Subscribe to hear when new mail arrives.`,
      mimeType: 'application/json',
    },
    (uri) => source.read(uri.href),
  );
  server.registerResource(
    'mail',
    new ResourceTemplate(MAIL_URI_TEMPLATE, { list: async () => ({ resources: await source.list() }) }),
    { title: 'A mail', description: 'One mail with its whole body and attachment list.', mimeType: 'application/json' },
    (uri) => source.read(uri.href),
  );
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    await source.subscribe(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    await source.unsubscribe(request.params.uri);
    return {};
  });
}
