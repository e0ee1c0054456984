// What the local API needs from the engine: the stores and hub for the agents' routes, the control calls
// (served at the routes shared/control.ts declares), and upgrade handlers (the OpenMail-compatible WebSocket).
// The routes themselves are fixed when the server starts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ControlApi } from '../../shared/control.ts';
import type { Access, Principal } from '../../shared/principal.ts';
import type { ProviderName } from '../../shared/status.ts';
import type { AgentTokens } from '../access/agent-tokens.ts';
import type { AttachmentKeeper } from '../attachments/keeper.ts';
import type { EventHub } from '../hub.ts';
import type { ProviderProxy } from '../proxy/proxy.ts';
import type { ConsumerStore } from '../store/consumers.ts';
import type { EventStore } from '../store/events.ts';
import type { ToolSends } from '../store/tool-sends.ts';

/**
 * Takes over a connection whose Upgrade request already passed the Host, Origin, token and access checks
 * (e.g. `wss.handleUpgrade(req, socket, head, ...)`), for `principal`. It owns `socket` from then on.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal) => void;

/** A WebSocket path: what it needs of the principal, checked before the handler sees the request. */
export interface UpgradeRoute {
  access: Access;
  handle: UpgradeHandler;
}

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Decoded `:name` segments of the route's path. */
  params: Readonly<Record<string, string>>;
  /** Who is asking, as the token (or the Unix socket) told the auth check. */
  principal: Principal;
}

/** Answers with `sendJson`, or throws `HttpError` or a `CodedError` for a JSON error; any other throw is a 500. */
export type RouteHandler = (request: RouteRequest) => void | Promise<void>;

export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * Under `/v1/` (or `/mcp`), so it is behind the token; `:name` marks a parameter segment: `/v1/deliveries/:id/retry`.
   * A last segment `:name*` takes the rest of the path, one segment or more, as sent (still percent-encoded).
   */
  path: string;
  /** What the principal needs: the owner, or a scope. The pipeline refuses the rest with 403 before `handle`. */
  access: Access;
  /** The largest request body the route reads (MAX_BODY_BYTES when absent); a larger `Expect: 100-continue` gets 413. */
  bodyLimit?: number;
  handle: RouteHandler;
}

/** An account that can send (it runs and has an API key), and the inboxes it is set to (empty: every inbox). */
export interface SendingAccount {
  name: string;
  provider: ProviderName;
  inboxIds: readonly string[];
}

export interface LocalApiContext {
  version: string;
  dataDir: string;
  events: EventStore;
  consumers: ConsumerStore;
  hub: EventHub;
  control: ControlApi;
  /** Agent tokens: the principal behind a presented token, and word when one is revoked. */
  agents: Pick<AgentTokens, 'resolve' | 'onRevoked'>;
  /** Calls to each account's provider REST API on an agent's behalf, with the account's key. */
  proxy: ProviderProxy;
  /** The accounts the proxy can send with now, for the send tools' defaults and their errors. */
  sendingAccounts(): readonly SendingAccount[];
  /** The MCP send tools' recent sends, so that a repeated call sends once. */
  toolSends: ToolSends;
  /** Kept attachments: opened (or fetched now) for a principal, and told when a kept file turns out damaged. */
  attachments: Pick<AttachmentKeeper, 'open' | 'damaged'>;
  /**
   * Keyed by path (e.g. '/v1/ws'). Read on every request, so a module may register after the server started.
   * An Upgrade request to any other path gets a 404.
   */
  upgrades?: Map<string, UpgradeRoute>;
  /** Where unexpected handler and server failures are reported (the client only sees a generic 500): the log. */
  onError: (error: unknown) => void;
}
