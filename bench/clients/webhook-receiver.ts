// A webhook handler as OpenMail asks receivers to write one: verify the signature over the raw body, reject
// stale timestamps, and deduplicate on X-Event-Id (deliveries are at-least-once). It can also misbehave on
// purpose: be down, answer slowly, or answer 500.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MailEvent } from '../../shared/event.ts';

const TOLERANCE_SECONDS = 300;

export type ReceiverMode = { kind: 'ok' } | { kind: 'slow'; delayMs: number } | { kind: 'fail' };

export class WebhookReceiver {
  readonly secret: string;
  readonly #server: http.Server;
  readonly #onEvent: (event: MailEvent, receivedAt: number) => void;
  readonly #handled = new Set<string>();
  #port = 0;
  #mode: ReceiverMode = { kind: 'ok' };
  #up = false;
  #failNext = 0;
  /** Deliveries of an event already handled: expected now and then (a retry after a lost acknowledgement). */
  repeats = 0;
  badSignatures = 0;
  refusedWhileFailing = 0;

  private constructor(secret: string, onEvent: (event: MailEvent, receivedAt: number) => void) {
    this.secret = secret;
    this.#onEvent = onEvent;
    this.#server = http.createServer((req, res) => this.#request(req, res));
    this.#server.keepAliveTimeout = 60_000;
  }

  static async start(secret: string, onEvent: (event: MailEvent, receivedAt: number) => void): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(secret, onEvent);
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks/mail`;
  }

  get handled(): number {
    return this.#handled.size;
  }

  setMode(mode: ReceiverMode): void {
    this.#mode = mode;
  }

  /** Answers the next `count` deliveries with 500, as a receiver that stumbles once, then as its mode says. */
  failNext(count: number): void {
    this.#failNext = count;
  }

  /** Stops listening and cuts open connections: deliveries fail with ECONNREFUSED until `up()`. */
  async down(): Promise<void> {
    if (!this.#up) return;
    this.#up = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Listens again, on the same port once one was chosen. */
  async up(): Promise<void> {
    if (this.#up) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#up = true;
  }

  async stop(): Promise<void> {
    await this.down();
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const at = performance.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const mode = this.#failNext > 0 ? { kind: 'fail' as const } : this.#mode;
      if (this.#failNext > 0) this.#failNext -= 1;
      if (mode.kind === 'fail') {
        this.refusedWhileFailing += 1;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"injected failure"}');
        return;
      }
      const finish = (): void => {
        const status = this.#handle(req, raw, at);
        res.writeHead(status).end();
      };
      if (mode.kind === 'slow') setTimeout(finish, mode.delayMs);
      else finish();
    });
  }

  #handle(req: http.IncomingMessage, raw: string, at: number): number {
    const timestamp = String(req.headers['x-timestamp'] ?? '');
    const signature = String(req.headers['x-signature'] ?? '');
    const eventId = String(req.headers['x-event-id'] ?? '');
    if (!this.#verify(timestamp, raw, signature)) {
      this.badSignatures += 1;
      return 401;
    }
    const event = JSON.parse(raw) as MailEvent;
    if (event.event_id !== eventId) {
      this.badSignatures += 1;
      return 400;
    }
    if (this.#handled.has(eventId)) {
      this.repeats += 1;
      return 200;
    }
    this.#handled.add(eventId);
    this.#onEvent(event, at);
    return 200;
  }

  #verify(timestamp: string, raw: string, signature: string): boolean {
    if (!/^\d{1,15}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return false;
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
    const expected = createHmac('sha256', this.secret).update(`${timestamp}.${raw}`).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
}
