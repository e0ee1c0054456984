// What the local API needs from the engine, and the two ways other modules plug into it without editing it:
// upgrade handlers (the OpenMail-compatible WebSocket) and extra routes (e.g. forwarding's retry endpoint).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StoredEvent } from '../../shared/event.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import type { EventHub } from '../hub.ts';
import type { ConsumerStore } from '../store/consumers.ts';
import type { EventStore } from '../store/events.ts';

/**
 * Takes over a connection whose Upgrade request already passed the Host, Origin and token checks
 * (e.g. `wss.handleUpgrade(req, socket, head, ...)`). It owns `socket` from then on.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Decoded `:name` segments of the route's path. */
  params: Readonly<Record<string, string>>;
}

/** Answers with `sendJson`, or throws `HttpError` for a JSON error; any other throw is a 500. */
export type RouteHandler = (request: RouteRequest) => void | Promise<void>;

export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/v1/`, so it is behind the token; `:name` marks a parameter segment: `/v1/deliveries/:id/retry`. */
  path: string;
  handle: RouteHandler;
}

export interface LocalApiContext {
  version: string;
  dataDir: string;
  events: EventStore;
  consumers: ConsumerStore;
  hub: EventHub;
  status(): DaemonStatus;
  /** Commits a synthetic `message.received` marked `test: true` through the real pipeline and returns it. */
  testEvent(): StoredEvent;
  /**
   * Keyed by path (e.g. '/v1/ws'). Read on every request, so a module may register after the server started.
   * An Upgrade request to any other path gets a 404.
   */
  upgrades?: Map<string, UpgradeHandler>;
  /** Extra routes, tried after the built-in ones; also read on every request. */
  routes?: LocalRoute[];
  /** Where unexpected handler failures are reported (the client only sees a generic 500). */
  onError?: (error: unknown) => void;
}
