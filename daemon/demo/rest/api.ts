// The demo provider's REST API: one handler on the demo's HTTP server in front of the chosen provider flavour's
// routes, over the same mailbox the demo pushes from. It keeps the provider's limits (requests a minute per
// account, sends per inbox), hands out signed attachment links that expire, serves the bytes behind them, and
// carries the REST faults: down (refused or 500), throttled (429 with Retry-After) and slow pages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create as contentDisposition } from 'content-disposition';
import type { MailEvent } from '../../../shared/event.ts';
import type { ProviderName } from '../../../shared/status.ts';
import { attachmentBytes } from '../attachment-files.ts';
import { DemoMailbox, type MailboxAttachment, type MailboxMessage } from '../mailbox.ts';
import { AGENTMAIL_REST } from './agentmail.ts';
import { retryAfter, type RestAnswer, type RestContext, type RestFlavour, type SendLimits } from './flavour.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { MYAGENTMAIL_REST } from './myagentmail.ts';
import { OPENMAIL_REST } from './openmail.ts';
import { RateWindow } from './rate-window.ts';
import { DEFAULT_LINK_TTL_MS, LinkSigner } from './signed-links.ts';

export interface DemoRestOptions {
  /** Authenticated API requests a minute, per account (OpenMail: 1,000); over it, 429 with Retry-After. */
  requestsPerMinute?: number;
  /** Sends a minute and a day per inbox; null for no limit. By default the flavour's: OpenMail 10 and 200,
   * none for the others. */
  sendsPerMinute?: number | null;
  sendsPerDay?: number | null;
  /** How long a signed attachment link works (OpenMail: 15 minutes). */
  attachmentLinkTtlMs?: number;
  /** Messages kept for listing; the oldest go first. */
  mailboxLimit?: number;
}

/** `refused`: the demo takes no new connections (the server does that part); `error`: every API call gets 500. */
export type RestDownMode = 'refused' | 'error';

export interface RestApiOptions extends DemoRestOptions {
  flavour: ProviderName;
  inboxes: readonly { id: string; address: string }[];
  /** Whether a presented key (null: none) is accepted right now. */
  accepts(key: string | null): boolean;
  /** The demo's HTTP origin, for absolute links. */
  origin(): string;
  now?: () => number;
}

const FLAVOURS: Record<ProviderName, RestFlavour> = {
  openmail: OPENMAIL_REST,
  agentmail: AGENTMAIL_REST,
  myagentmail: MYAGENTMAIL_REST,
};

/** Signed links live outside every provider's API paths, as object storage would. */
const STORAGE = 'storage';
const MAX_BODY_BYTES = 1024 * 1024;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export class DemoRestApi {
  readonly mailbox: DemoMailbox;
  readonly #flavour: RestFlavour;
  readonly #accepts: (key: string | null) => boolean;
  readonly #origin: () => string;
  readonly #now: () => number;
  readonly #linkTtlMs: number;
  readonly #signer: LinkSigner;
  readonly #requests: RateWindow;
  readonly #sendLimits: SendLimits;
  readonly #sendWindows = new Map<string, RateWindow[]>();
  readonly #context: RestContext;
  #down: RestDownMode | null = null;
  #throttledUntil = 0;
  #pageDelayMs = 0;
  /** While set, file downloads send this many bytes and then hold the rest back. */
  #stallAfter: number | null = null;
  readonly #stalled = new Set<() => void>();

  constructor(options: RestApiOptions) {
    this.#now = options.now ?? Date.now;
    this.#flavour = FLAVOURS[options.flavour];
    this.#accepts = options.accepts;
    this.#origin = options.origin;
    this.#linkTtlMs = options.attachmentLinkTtlMs ?? DEFAULT_LINK_TTL_MS;
    this.#signer = new LinkSigner(this.#linkTtlMs, this.#now);
    this.#requests = new RateWindow(options.requestsPerMinute ?? 1_000, MINUTE_MS, this.#now);
    this.#sendLimits = {
      perMinute: options.sendsPerMinute === undefined ? this.#flavour.sendLimits.perMinute : options.sendsPerMinute,
      perDay: options.sendsPerDay === undefined ? this.#flavour.sendLimits.perDay : options.sendsPerDay,
    };
    this.mailbox = new DemoMailbox({
      inboxes: options.inboxes,
      now: this.#now,
      ...(options.mailboxLimit !== undefined && { limit: options.mailboxLimit }),
    });
    this.#context = {
      mailbox: this.mailbox,
      url: (path) => `${this.#origin()}${path}`,
      attachmentLink: (message, file) => this.#link(message, file),
      linkExpiry: () => new Date(this.#now() + this.#linkTtlMs).toISOString(),
      idempotency: new IdempotencyKeys<RestAnswer>(this.#now),
      takeSend: (inboxId) => this.#takeSend(inboxId),
    };
  }

  /** Records an event's message in the mailbox and answers the event as pushed: its attachment links are
   * signed links to this demo, which expire like OpenMail's. */
  receive(event: MailEvent): MailEvent {
    const message = this.mailbox.receive(event);
    const attachments = event.message?.attachments;
    if (!message || !event.message || !attachments || attachments.length === 0) return event;
    const signed = attachments.map((attachment, index) => {
      const file = message.attachments[index];
      return file ? { ...attachment, url: this.#link(message, file) } : attachment;
    });
    return { ...event, message: { ...event.message, attachments: signed } };
  }

  setDown(mode: RestDownMode | null): void {
    this.#down = mode;
  }

  /** Every API call answers 429 for the next `seconds`, with a Retry-After counting down to the end. */
  throttle(seconds: number): void {
    this.#throttledUntil = this.#now() + seconds * 1000;
  }

  /** Each listing page waits this long before it is answered. */
  setPageDelay(ms: number): void {
    this.#pageDelayMs = ms;
  }

  /** Every attachment link handed out so far (pushed or redirected to) stops working. */
  expireLinks(): void {
    this.#signer.expireAll();
  }

  /** File downloads send `afterBytes` and hold back the rest (null: whole again, and those held back finish). */
  stallDownloads(afterBytes: number | null): void {
    this.#stallAfter = afterBytes;
    if (afterBytes !== null) return;
    for (const finish of this.#stalled) finish();
    this.#stalled.clear();
  }

  serve(request: IncomingMessage, response: ServerResponse): void {
    this.#handle(request, response).catch(() => {
      if (!response.headersSent) write(response, this.#flavour.error('internal', 'Internal server error'));
      else response.destroy();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(`http://demo${request.url ?? '/'}`);
    const segments = url.pathname.split('/').slice(1).map(decodeSegment);
    if (segments[0] === STORAGE) return this.#download(request.method ?? 'GET', url, segments, response);
    // Connections already open when the demo stopped accepting new ones are cut before any answer.
    if (this.#down === 'refused') return void request.socket.destroy();
    if (this.#down === 'error') return write(response, this.#flavour.error('internal', 'Internal server error'));
    const throttled = Math.ceil((this.#throttledUntil - this.#now()) / 1000);
    if (throttled > 0) return write(response, retryAfter(this.#flavour.error('rate_limited', 'Too many requests'), throttled));
    const key = this.#flavour.key(request.headers);
    if (!this.#accepts(key)) {
      const kind = key === null ? 'missing_key' : 'wrong_key';
      return write(response, this.#flavour.error(kind, key === null ? 'Missing API key' : 'Invalid API key'));
    }
    const wait = this.#requests.take();
    if (wait > 0) return write(response, retryAfter(this.#flavour.error('rate_limited', 'Rate limit exceeded'), wait));
    const body = await readBody(request, MAX_BODY_BYTES);
    if (!body) return write(response, this.#flavour.error('too_large', 'Request body too large'), true);
    const parsed = { method: request.method ?? 'GET', segments, query: url.searchParams, headers: request.headers, body };
    const answer = this.#flavour.route(parsed, this.#context) ?? this.#flavour.error('not_found', 'Not found');
    if (answer.page && this.#pageDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#pageDelayMs));
    if (answer.file) this.#sendFile(response, answer.file.bytes, answer.file.contentType, answer.file.filename);
    else write(response, answer);
  }

  /** A signed link's bytes, answered as object storage answers: XML errors, 403 once the link has expired. */
  #download(method: string, url: URL, segments: string[], response: ServerResponse): void {
    if (method !== 'GET' && method !== 'HEAD') return storageError(response, 405, 'MethodNotAllowed', 'Method not allowed');
    const check = this.#signer.check(url.pathname, url.searchParams);
    if (check === 'invalid') return storageError(response, 403, 'SignatureDoesNotMatch', 'The request signature does not match');
    if (check === 'expired') return storageError(response, 403, 'AccessDenied', 'Request has expired');
    const [, messageId = '', attachmentId = ''] = segments;
    const file = this.mailbox.message(messageId)?.attachments.find((each) => each.id === attachmentId);
    if (!file) return storageError(response, 404, 'NoSuchKey', 'The specified key does not exist');
    this.#sendFile(response, attachmentBytes(file), file.contentType, null);
  }

  #sendFile(response: ServerResponse, bytes: Buffer, contentType: string, filename: string | null): void {
    response.writeHead(200, {
      'content-type': contentType,
      'content-length': String(bytes.length),
      ...(filename !== null && { 'content-disposition': contentDisposition(filename) }),
    });
    const stallAfter = this.#stallAfter;
    if (stallAfter === null || stallAfter >= bytes.length) return void response.end(bytes);
    response.write(bytes.subarray(0, stallAfter));
    const finish = (): void => void response.end(bytes.subarray(stallAfter));
    this.#stalled.add(finish);
    response.once('close', () => this.#stalled.delete(finish));
  }

  #link(message: MailboxMessage, file: MailboxAttachment): string {
    const path = `/${STORAGE}/${[message.id, file.id, file.filename].map(encodeURIComponent).join('/')}`;
    // Signed exactly as a client will send it back: in URL-normalised form.
    return `${this.#origin()}${this.#signer.sign(new URL(`http://demo${path}`).pathname)}`;
  }

  #takeSend(inboxId: string): number {
    let windows = this.#sendWindows.get(inboxId);
    if (!windows) {
      const { perMinute, perDay } = this.#sendLimits;
      windows = [
        ...(perMinute === null ? [] : [new RateWindow(perMinute, MINUTE_MS, this.#now)]),
        ...(perDay === null ? [] : [new RateWindow(perDay, DAY_MS, this.#now)]),
      ];
      this.#sendWindows.set(inboxId, windows);
    }
    const wait = Math.max(0, ...windows.map((window) => window.wait()));
    if (wait === 0) for (const window of windows) window.take();
    return wait;
  }
}

/** A malformed escape stays as it came, so it matches no route and no id. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The whole body, or null once it passes `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) resolve(null);
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function write(response: ServerResponse, answer: RestAnswer, close = false): void {
  if (response.destroyed) return;
  const body = answer.json === undefined ? '' : JSON.stringify(answer.json);
  response.writeHead(answer.status, {
    ...(answer.json !== undefined && { 'content-type': 'application/json' }),
    'content-length': String(Buffer.byteLength(body)),
    ...(close && { connection: 'close' }),
    ...answer.headers,
  });
  response.end(body);
}

function storageError(response: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}
