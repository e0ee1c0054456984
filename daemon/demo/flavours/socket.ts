// How a flavoured demo's WebSocket differs from OpenMail's (docs/providers.md): where the handshake's key is
// read, myagentmail's `connected` greeting, each provider's own frames for what the OpenMail protocol module
// answers, no replay for AgentMail and myagentmail, and pushes rendered through the flavour's serialisers.
// Pure: the demo server owns the sockets.
import type { IncomingMessage } from 'node:http';
import type { MailEvent } from '../../../shared/event.ts';
import type { ProviderName } from '../../../shared/status.ts';
import { presentedKey } from '../../openmail-protocol/handshake.ts';
import type { ServerFrame } from '../../openmail-protocol/server-frames.ts';
import type { MailboxInbox } from '../mailbox.ts';
import { agentMailErrorFrame, agentMailEventFrame, agentMailSubscribedFrame, type ThreadView } from './agentmail.ts';
import {
  myAgentMailConnectedFrame,
  myAgentMailDataFrame,
  myAgentMailErrorFrame,
  myAgentMailEventFrame,
  myAgentMailSubscribedFrame,
} from './myagentmail.ts';

/** myagentmail's two push forms: its API reference's `{type:"event"}`, its blog's `{type, data}`, or the two in
 * turn (one push each). */
export type MyAgentMailPushForm = 'event' | 'data' | 'both';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The key a handshake presents where the flavour's provider reads it; '' when it presents none. */
export function socketKey(flavour: ProviderName, request: IncomingMessage, url: URL): string {
  if (flavour === 'openmail') return presentedKey(request, url);
  const header = request.headers['x-api-key'];
  const apiKey = flavour === 'myagentmail' ? (Array.isArray(header) ? header[0] : header) : undefined;
  return apiKey || (BEARER.exec(request.headers.authorization ?? '')?.[1] ?? url.searchParams.get('api_key') ?? '');
}

/** Only OpenMail replays after `last_event_id`. */
export function replays(flavour: ProviderName): boolean {
  return flavour === 'openmail';
}

/** What the server sends right after the handshake, if anything. */
export function greeting(flavour: ProviderName, inbox: MailboxInbox | undefined): Record<string, unknown> | null {
  return flavour === 'myagentmail' && inbox ? myAgentMailConnectedFrame(inbox) : null;
}

/** An OpenMail protocol answer in the flavour's words; null where the flavour's provider sends nothing. */
export function serverFrame(flavour: ProviderName, frame: ServerFrame): ServerFrame | Record<string, unknown> | null {
  if (flavour === 'openmail') return frame;
  switch (frame.type) {
    case 'subscribed':
      return flavour === 'agentmail'
        ? agentMailSubscribedFrame(frame.inbox_ids, frame.event_types)
        : myAgentMailSubscribedFrame(frame.inbox_ids, frame.event_types);
    case 'error':
      return flavour === 'agentmail' ? agentMailErrorFrame('ValidationError', frame.message) : myAgentMailErrorFrame(frame.message);
    // Neither documents an application ping of the client's, nor an unsubscribe.
    case 'pong':
    case 'unsubscribed':
      return null;
  }
}

/** The push of one event; null where the flavour's form cannot carry it. `sequence` counts this connection's
 * pushes, for the `both` form. */
export function pushFrame(
  flavour: ProviderName,
  event: MailEvent,
  thread: ThreadView | null,
  form: MyAgentMailPushForm,
  sequence: number,
): MailEvent | Record<string, unknown> | null {
  if (flavour === 'openmail') return event;
  if (flavour === 'agentmail') return agentMailEventFrame(event, thread);
  const data = form === 'data' || (form === 'both' && sequence % 2 === 1);
  return data ? myAgentMailDataFrame(event) : myAgentMailEventFrame(event);
}
