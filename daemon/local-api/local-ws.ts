// `GET /v1/ws`: the OpenMail WebSocket protocol served from the local store, so an agent written for
// wss://api.openmail.sh/v1/ws works unchanged against the local URL and token. Purely local fan-out: every
// client is fed from the hub and the store, never from its own upstream connection. Each client gets only the mail
// its principal may see; an inbox outside a narrowed token's is refused as OpenMail refuses another account's.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { canSee } from '../access/visibility.ts';
import type { EventHub } from '../hub.ts';
import { errorMessage, type Logger } from '../log.ts';
import { clientBudget, readClientMessage, type ClientFrame } from '../openmail-protocol/client-frames.ts';
import { CLIENT_BUDGET, CLOSE_GOING_AWAY, MAX_CLIENT_FRAME_BYTES, PING_INTERVAL_MS } from '../openmail-protocol/policy.ts';
import { closeWith, KEY_REVOKED, sendFrame } from '../openmail-protocol/server-frames.ts';
import { answerFrame, type ServerLog } from '../openmail-protocol/session.ts';
import { matches, type Subscription } from '../openmail-protocol/subscription.ts';
import type { MessageBudget, SlidingWindow } from '../rate-limit.ts';
import type { EventStore } from '../store/events.ts';
import { rawErrorResponse } from './http-json.ts';

export interface LocalWsDeps {
  events: EventStore;
  hub: EventHub;
  /** Protocol pings go out this often; a client that has not answered the previous one is dropped. */
  pingIntervalMs?: number;
  /** Client messages allowed per window, as OpenMail enforces; over it the connection is closed with 4029. */
  rateLimit?: MessageBudget;
  now?: () => number;
  /** Where a failure that no client can be told about goes. */
  log: Logger;
}

export interface LocalWs {
  /** Takes over an Upgrade request that already passed the server's token, Host, Origin and access checks. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): void;
  clientCount(): number;
  /** Closes the connections of the agent token `name` as OpenMail closes a revoked key's: an error, then 4001. */
  closeFor(name: string): void;
  /** Closes every client with 1001 (OpenMail's "going away": clients reconnect) and stops. */
  close(): Promise<void>;
}

const REPLAY_PAGE_SIZE = 200;
/** Past this many unsent bytes a live client is fed from the store at its own pace instead of buffered without bound. */
const HIGH_WATER_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

class Client {
  readonly ws: WebSocket;
  readonly principal: Principal;
  /** What the protocol asks of the store for this client: where a cursor is, and which inboxes are not its own. */
  readonly log: ServerLog<number>;
  readonly budget: SlidingWindow;
  subscription: Subscription | null = null;
  /** The last seq this client has been sent or passed over: everything after it is still due. */
  position = 0;
  /** While true the store pump owns delivery; live events are left for it to read from the store. */
  catchingUp = false;
  alive = true;

  constructor(ws: WebSocket, principal: Principal, log: ServerLog<number>, budget: MessageBudget) {
    this.ws = ws;
    this.principal = principal;
    this.log = log;
    this.budget = clientBudget(budget);
  }
}

export function createLocalWs(deps: LocalWsDeps): LocalWs {
  const { events, hub } = deps;
  const now = deps.now ?? Date.now;
  const budget = deps.rateLimit ?? CLIENT_BUDGET;
  const onError = (error: unknown): void => deps.log.error(`local WebSocket failed: ${errorMessage(error)}`);
  // The local store holds only the accounts' own mail, so every inbox in it is the owner's; a narrowed token's
  // are the ones it names.
  const logFor = (principal: Principal): ServerLog<number> => ({
    positionOf: (eventId) => events.seqOf(eventId),
    foreignInbox: (inboxIds) => (principal.inboxIds.length === 0 ? undefined : inboxIds.find((id) => !principal.inboxIds.includes(id))),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const clients = new Set<Client>();
  let closing: Promise<void> | null = null;

  const stopFanOut = hub.onCommitted((committed) => {
    const json = new Map<number, string>();
    for (const client of clients) deliverLive(client, committed, json);
  });

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, deps.pingIntervalMs ?? PING_INTERVAL_MS);
  heartbeat.unref();

  function deliverLive(client: Client, committed: readonly StoredEvent[], json: Map<number, string>): void {
    if (client.subscription === null || client.catchingUp || client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > HIGH_WATER_BYTES) {
      startPump(client);
      return;
    }
    for (const event of committed) {
      if (event.seq <= client.position) continue;
      client.position = event.seq;
      if (!matches(client.subscription, event) || !canSee(client.principal, event)) continue;
      let text = json.get(event.seq);
      if (text === undefined) {
        text = payloadJson(event);
        json.set(event.seq, text);
      }
      client.ws.send(text);
    }
  }

  function startPump(client: Client): void {
    pump(client).catch(onError);
  }

  /**
   * Sends every matching event after the client's position, page by page from the store, until none is left.
   * Live events committed meanwhile are in the store too, so the hand-over back to live delivery (in the same
   * tick as the empty page) has no gap, and the position check keeps it free of duplicates.
   */
  async function pump(client: Client): Promise<void> {
    if (client.catchingUp) return;
    client.catchingUp = true;
    try {
      while (client.subscription !== null && client.ws.readyState === WebSocket.OPEN) {
        const page = events.after(client.position, REPLAY_PAGE_SIZE);
        if (page.length === 0) return;
        const frames: string[] = [];
        for (const event of page) {
          client.position = event.seq;
          if (matches(client.subscription, event) && canSee(client.principal, event)) frames.push(payloadJson(event));
        }
        // Backpressure: the next page is read only once this one has been handed to the socket.
        await sendAll(client.ws, frames);
      }
    } finally {
      client.catchingUp = false;
    }
  }

  function handleFrame(client: Client, frame: ClientFrame): void {
    const wasSubscribed = client.subscription !== null;
    const answer = answerFrame(client.subscription, frame, client.log);
    client.subscription = answer.subscription;
    for (const reply of answer.frames) sendFrame(client.ws, reply);
    if (answer.replayAfter !== null) {
      client.position = answer.replayAfter;
      startPump(client);
    } else if (!wasSubscribed && client.subscription !== null) {
      client.position = events.latestSeq();
    }
  }

  /** Handled at once, so answers go out in the order the client's messages came in. */
  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    const inbound = readClientMessage(client.budget, data, isBinary, now());
    try {
      if (inbound.kind === 'over_budget') closeWith(client.ws, inbound.closing);
      else if (inbound.kind === 'refused') sendFrame(client.ws, inbound.error);
      else handleFrame(client, inbound.frame);
    } catch (error) {
      // A store failure ends this client's request, never the engine.
      onError(error);
    }
  }

  function attach(ws: WebSocket, principal: Principal): void {
    const client = new Client(ws, principal, logFor(principal), budget);
    clients.add(client);
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('pong', () => (client.alive = true));
    // A client that vanishes or sends garbage only ends its own connection; 'close' follows.
    ws.on('error', () => {});
    ws.on('close', () => clients.delete(client));
  }

  return {
    handleUpgrade(req, socket, head, principal) {
      if (closing !== null) {
        socket.end(rawErrorResponse(503, 'internal', 'Mailbridge is shutting down'));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, principal));
    },
    clientCount: () => clients.size,
    closeFor(name) {
      for (const client of clients) if (!client.principal.owner && client.principal.name === name) closeWith(client.ws, KEY_REVOKED);
    },
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        stopFanOut();
        await Promise.all([...clients].map((client) => closeClient(client.ws)));
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** Resolves once the last frame has been written out (or the socket is gone); yields to the loop when empty. */
function sendAll(ws: WebSocket, frames: readonly string[]): Promise<void> {
  if (frames.length === 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    frames.forEach((frame, i) => {
      ws.send(frame, i === frames.length - 1 ? () => resolve() : undefined);
    });
  });
}

/** The bare OpenMail payload: the local seq stays out, so clients see exactly what OpenMail sends. */
function payloadJson(event: StoredEvent): string {
  const { seq: _seq, ...payload } = event;
  return JSON.stringify(payload);
}

function closeClient(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    ws.close(CLOSE_GOING_AWAY, 'server shutting down');
  });
}
