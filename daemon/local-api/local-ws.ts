// `GET /v1/ws`: the OpenMail WebSocket protocol served from the local store, so an agent written for
// wss://api.openmail.sh/v1/ws works unchanged against the local URL and token. Purely local fan-out: every
// client is fed from the hub and the store, never from its own upstream connection.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StoredEvent } from '../../shared/event.ts';
import type { EventHub } from '../hub.ts';
import type { EventStore } from '../store/events.ts';
import { SlidingWindow } from '../upstream/rate-limit.ts';
import { rawErrorResponse } from './http-json.ts';
import {
  matches,
  parseClientFrame,
  subscribe,
  subscribedFrame,
  unsubscribe,
  type ClientFrame,
  type Subscription,
} from './ws-subscriptions.ts';

export interface LocalWsDeps {
  events: EventStore;
  hub: EventHub;
  /** Protocol pings go out this often; a client that has not answered the previous one is dropped. */
  pingIntervalMs?: number;
  /** Client messages allowed per window, as OpenMail enforces; over it the connection is closed with 4029. */
  rateLimit?: { messages: number; perMs: number };
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface LocalWs {
  /** Takes over an Upgrade request that already passed the server's token, Host and Origin checks. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  /** Closes every client with 1001 (OpenMail's "going away": clients reconnect) and stops. */
  close(): Promise<void>;
}

export const DEFAULT_PING_INTERVAL_MS = 30_000;
export const OPENMAIL_CLIENT_RATE = { messages: 30, perMs: 10_000 };
export const CLOSE_RATE_LIMITED = 4029;
const CLOSE_GOING_AWAY = 1001;
/** Client frames are small commands; this refuses anything else before it is buffered (ws closes with 1009). */
const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
const REPLAY_PAGE_SIZE = 200;
/** Past this many unsent bytes a live client is fed from the store at its own pace instead of buffered without bound. */
const HIGH_WATER_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

class Client {
  readonly ws: WebSocket;
  readonly rate: SlidingWindow;
  subscription: Subscription | null = null;
  /** The last seq this client has been sent or passed over: everything after it is still due. */
  position = 0;
  /** While true the store pump owns delivery; live events are left for it to read from the store. */
  catchingUp = false;
  alive = true;
  /** Frames are handled one after another, as the client sent them, even when one has to wait. */
  queue: Promise<void> = Promise.resolve();

  constructor(ws: WebSocket, rate: { messages: number; perMs: number }) {
    this.ws = ws;
    this.rate = new SlidingWindow(rate.messages, rate.perMs);
  }
}

export function createLocalWs(deps: LocalWsDeps): LocalWs {
  const { events, hub } = deps;
  const now = deps.now ?? Date.now;
  const rate = deps.rateLimit ?? OPENMAIL_CLIENT_RATE;
  const onError = deps.onError ?? ((error: unknown) => console.error('mailbridge: local WebSocket failed:', error));
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
  }, deps.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
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
      if (!matches(client.subscription, event)) continue;
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
          if (matches(client.subscription, event)) frames.push(payloadJson(event));
        }
        // Backpressure: the next page is read only once this one has been handed to the socket.
        await sendAll(client.ws, frames);
      }
    } finally {
      client.catchingUp = false;
    }
  }

  async function handleFrame(client: Client, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'ping':
        sendFrame(client, { type: 'pong' });
        return;
      case 'ack':
        return;
      case 'unsubscribe':
        client.subscription = unsubscribe(client.subscription, frame.inboxIds);
        sendFrame(client, { type: 'unsubscribed', inbox_ids: frame.inboxIds });
        return;
      case 'subscribe': {
        const from = frame.lastEventId === null ? null : events.seqOf(frame.lastEventId);
        if (frame.lastEventId !== null && from === null) {
          sendFrame(client, { type: 'error', message: `unknown last_event_id: ${frame.lastEventId}` });
          return;
        }
        const wasSubscribed = client.subscription !== null;
        client.subscription = subscribe(client.subscription, frame.inboxIds, frame.eventTypes);
        sendFrame(client, subscribedFrame(client.subscription));
        if (from !== null) {
          client.position = from;
          startPump(client);
        } else if (!wasSubscribed) {
          client.position = events.latestSeq();
        }
        return;
      }
    }
  }

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    const at = now();
    if (client.rate.waitMs(at) > 0) {
      enqueue(client, () => {
        sendFrame(client, { type: 'error', message: `rate limit exceeded: at most ${rate.messages} messages per ${rate.perMs / 1000} s` });
        client.ws.close(CLOSE_RATE_LIMITED, 'rate limit exceeded');
      });
      return;
    }
    client.rate.record(at);
    if (isBinary) {
      enqueue(client, () => sendFrame(client, { type: 'error', message: 'messages must be JSON text frames' }));
      return;
    }
    const parsed = parseClientFrame(rawText(data));
    if (parsed.ok) enqueue(client, () => handleFrame(client, parsed.frame));
    else enqueue(client, () => sendFrame(client, { type: 'error', message: parsed.message }));
  }

  /** Answers go out in the order the client's messages came in, even behind a subscribe that has to look up its cursor. */
  function enqueue(client: Client, task: () => void | Promise<void>): void {
    client.queue = client.queue.then(task).catch(onError);
  }

  function attach(ws: WebSocket): void {
    const client = new Client(ws, rate);
    clients.add(client);
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('pong', () => (client.alive = true));
    // A client that vanishes or sends garbage only ends its own connection; 'close' follows.
    ws.on('error', () => {});
    ws.on('close', () => clients.delete(client));
  }

  return {
    handleUpgrade(req, socket, head) {
      if (closing !== null) {
        socket.end(rawErrorResponse(503, 'internal', 'Mailbridge is shutting down'));
        return;
      }
      wss.handleUpgrade(req, socket, head, attach);
    },
    clientCount: () => clients.size,
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

function sendFrame(client: Client, frame: object): void {
  if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(frame));
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

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
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
