// One delivery attempt, with exactly the headers OpenMail's webhooks carry, so an existing OpenMail webhook
// handler verifies and deduplicates it unchanged. Each target keeps its connections open between POSTs: a fresh
// connection per event cost more than the rest of the delivery (bench a: +12 ms at p99).
import http from 'node:http';
import https from 'node:https';
import { signPayload } from './signature.ts';

export interface WebhookRequest {
  url: string;
  secret: string;
  eventId: string;
  /** The raw JSON body; signed byte for byte as sent. */
  body: string;
  nowSeconds: number;
  timeoutMs: number;
  /** Aborts the attempt when forwarding stops. */
  signal: AbortSignal;
}

export type WebhookResult =
  | { outcome: 'delivered'; detail: string }
  | { outcome: 'failed'; detail: string }
  /** Forwarding stopped mid-attempt: neither a success nor a failure, the event is sent again later. */
  | { outcome: 'stopped'; detail: string };

/** Below Node's own 5 s server keep-alive, so we usually drop an idle connection before the receiver does. */
const IDLE_SOCKET_MS = 4_000;
/** A receiver's answer body is read and dropped so the connection can carry the next POST; past this it is cut. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** A receiver closing an idle connection just as a POST goes out on it: sent again at once on a new one. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** One target's connections: up to `maxSockets` POSTs at once, kept open between them. */
export class WebhookClient {
  readonly #http: http.Agent;
  #https: https.Agent | null = null;
  readonly #maxSockets: number;

  constructor(maxSockets: number) {
    this.#maxSockets = maxSockets;
    this.#http = new http.Agent(agentOptions(maxSockets));
  }

  post(request: WebhookRequest): Promise<WebhookResult> {
    return this.#send(request, true);
  }

  /** Closes every connection; a POST still in flight fails (its worker has stopped by then). */
  close(): void {
    this.#http.destroy();
    this.#https?.destroy();
  }

  #agent(url: URL): http.Agent {
    if (url.protocol === 'http:') return this.#http;
    this.#https ??= new https.Agent(agentOptions(this.#maxSockets));
    return this.#https;
  }

  #send(request: WebhookRequest, mayResend: boolean): Promise<WebhookResult> {
    if (request.signal.aborted) return Promise.resolve(STOPPED);
    const url = new URL(request.url);
    const timestamp = String(request.nowSeconds);
    return new Promise((resolve) => {
      let answered = false;
      const answer = (result: WebhookResult): void => {
        if (answered) return;
        answered = true;
        resolve(result);
      };
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: this.#agent(url),
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(request.body),
          'X-Timestamp': timestamp,
          'X-Signature': signPayload(request.secret, timestamp, request.body),
          'X-Event-Id': request.eventId,
        },
      });
      const onAbort = (): void => {
        answer(STOPPED);
        req.destroy();
      };
      // Runs until the answer's body is in too: a receiver that never finishes it does not keep the connection.
      const timer = setTimeout(() => {
        answer({ outcome: 'failed', detail: `no response within ${request.timeoutMs} ms` });
        req.destroy();
      }, request.timeoutMs);
      request.signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => {
        clearTimeout(timer);
        request.signal.removeEventListener('abort', onAbort);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        // Only the status matters. A redirect is the receiver's misconfiguration, not an acknowledgement: it is not followed.
        answer({ outcome: status >= 200 && status < 300 ? 'delivered' : 'failed', detail: `HTTP ${status}` });
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => {});
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return;
        if (mayResend && req.reusedSocket && error.code !== undefined && STALE_CONNECTION.has(error.code)) {
          answered = true;
          resolve(this.#send(request, false));
          return;
        }
        answer({ outcome: 'failed', detail: describeFailure(error) });
      });
      req.end(request.body);
    });
  }
}

const STOPPED: WebhookResult = { outcome: 'stopped', detail: 'forwarding stopped' };

function agentOptions(maxSockets: number): http.AgentOptions {
  return { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: IDLE_SOCKET_MS, scheduling: 'lifo', noDelay: true };
}

function describeFailure(error: NodeJS.ErrnoException): string {
  if (typeof error.code === 'string' && !error.message.startsWith(error.code)) return `${error.code}: ${error.message}`;
  return error.message;
}
