// The REST proxy: an agent calls its provider's REST API through Mailbridge, which adds the account's key (from
// the keychain or the environment, through Daemon.restTarget) so the key never reaches the agent. Every call is
// checked against the principal (scope, inboxes, senders), every send carries an Idempotency-Key (the agent's, or
// one made here and handed back) and waits for or is refused by the provider's send limit, and every call is
// recorded in the audit log. `forward` is the HTTP proxy; `send` is the same path for the send tools.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { CodedError, invalidRequest, notFoundError } from '../../shared/errors.ts';
import type { Principal } from '../../shared/principal.ts';
import { accessRefusal } from '../access/route-access.ts';
import { systemTimers, type Timers } from '../clock.ts';
import type { RestTarget } from '../providers/rest.ts';
import type { AuditLog, NewAuditEntry } from '../store/audit-log.ts';
import { type OutgoingMail, sendCall } from './outgoing-mail.ts';
import { inboxPathPattern, type ProviderPath, readProviderPath } from './provider-paths.ts';
import { MAX_SEND_QUEUE_MS, type SendLimit, SendLimiter, sendLimitedError } from './send-limits.ts';
import { callUpstream, readAnswer } from './upstream.ts';

/** OpenMail takes 25 MB of attachments in one multipart send; this leaves room for the encoding around them. */
export const MAX_PROXY_REQUEST_BYTES = 32 * 1024 * 1024;
/** Attachments come back through the proxy (myagentmail streams them); past this the answer is cut. */
export const MAX_PROXY_RESPONSE_BYTES = 64 * 1024 * 1024;
/** A typed call's JSON answer, read whole for the tools. */
const MAX_CALL_ANSWER_BYTES = 1024 * 1024;
export const UPSTREAM_TIMEOUT_MS = 30_000;

/** Where an account's proxy lives on the local endpoint. */
export function proxyPrefix(account: string): string {
  return `/v1/accounts/${encodeURIComponent(account)}/proxy`;
}

/**
 * The only request headers an agent's call passes on (its Idempotency-Key goes on too, checked, as the call's key);
 * the local token, cookies and any key of its own stay here.
 */
const PASSED_ON = ['accept', 'accept-encoding', 'accept-language', 'content-type', 'content-length', 'if-match', 'if-none-match'];
/** The only answer headers that come back, besides rate-limit ones. */
const PASSED_BACK = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-disposition',
  'content-language',
  'retry-after',
  'location',
  'etag',
  'last-modified',
  'cache-control',
  'link',
]);
const RATE_LIMIT_HEADER = /^(x-)?ratelimit-/;
/** What an agent may choose as an Idempotency-Key: printable ASCII, as providers take it. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Response headers Mailbridge adds: the key a send went with, and how long it waited for the send limit. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const QUEUED_HEADER = 'X-Mailbridge-Send-Queued-Ms';

export interface ProxyOptions {
  /** The account's REST base and the headers that carry its key; null for an unknown account or one without a key. */
  restTarget(account: string): RestTarget | null;
  audit: Pick<AuditLog, 'record'>;
  timers?: Timers;
  limiter?: SendLimiter;
  maxQueueMs?: number;
  upstreamTimeoutMs?: number;
}

export interface ForwardRequest {
  principal: Principal;
  account: string;
  method: string;
  /** The provider path as the agent sent it (percent-encoded), starting with `/`. */
  path: string;
  /** `?...` or empty; never carries the local token. */
  search: string;
  headers: IncomingHttpHeaders;
  body: Readable;
  res: ServerResponse;
}

/** A call the engine's own tools make on an agent's behalf: JSON in, JSON out. */
export interface ProviderCall {
  account: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The provider path, percent-encoded, with its query if any. */
  path: string;
  body?: Record<string, unknown>;
  /** Sends only: passed on, or made when null. */
  idempotencyKey?: string | null;
  /** For a path under no inbox (a thread): the inbox the caller found it in, which a narrowed token must have. */
  inboxId?: string;
}

export interface ProviderAnswer {
  /** The provider's status: for a send, 2xx is a send (or an earlier send with the same key, answered again). */
  status: number;
  ok: boolean;
  /** What a send went with: the caller's key, or the one made for it; null for other calls. */
  idempotencyKey: string | null;
  /** The provider's JSON answer (its own error shape when not ok), or its text when it is not JSON. */
  body: unknown;
  /** Seconds the provider asks to wait before trying again, when it says. */
  retryAfterSeconds: number | null;
  /** How long a send waited for a slot under the send limit. */
  queuedMs: number;
}

/** A send's answer always names its key: retrying with it cannot send twice. */
export interface SendResult extends ProviderAnswer {
  idempotencyKey: string;
}

export interface CallOptions {
  /** Who acted, for the audit log: the tool's name (`send_email`). */
  via?: string;
  signal?: AbortSignal;
}

/** What a call is, once checked: the account's target, the path, and a send's key. */
interface Prepared {
  target: RestTarget;
  path: ProviderPath;
  idempotencyKey: string | null;
}

export class ProviderProxy {
  readonly #restTarget: (account: string) => RestTarget | null;
  readonly #audit: Pick<AuditLog, 'record'>;
  readonly #timers: Timers;
  readonly #limiter: SendLimiter;
  readonly #maxQueueMs: number;
  readonly #timeoutMs: number;

  constructor(options: ProxyOptions) {
    this.#restTarget = options.restTarget;
    this.#audit = options.audit;
    this.#timers = options.timers ?? systemTimers;
    this.#limiter = options.limiter ?? new SendLimiter();
    this.#maxQueueMs = options.maxQueueMs ?? MAX_SEND_QUEUE_MS;
    this.#timeoutMs = options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS;
  }

  /** Forwards one HTTP request and streams the provider's answer back; a failure before the answer is thrown. */
  async forward(request: ForwardRequest): Promise<void> {
    const { principal, account, method, res } = request;
    const entry: NewAuditEntry = { token: principal.name, via: 'proxy', account, method, path: request.path, inboxId: null, status: null, idempotencyKey: null, note: null };
    const cancel = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) cancel.abort();
    };
    res.once('close', onClose);
    let upstream: IncomingMessage;
    let queuedMs: number;
    let prepared: Prepared;
    try {
      prepared = this.#prepare(principal, account, method, request.path, suppliedKey(request.headers), entry);
      queuedMs = await this.#sendSlot(prepared, cancel.signal);
      upstream = await callUpstream({
        url: new URL(`${prepared.target.baseUrl}${prepared.path.raw}${request.search}`),
        method,
        headers: { ...passedOn(request.headers), ...keyHeader(prepared), ...prepared.target.headers },
        body: method === 'GET' || method === 'DELETE' ? null : request.body,
        maxBodyBytes: MAX_PROXY_REQUEST_BYTES,
        timeoutMs: this.#timeoutMs,
        signal: cancel.signal,
      });
    } catch (error) {
      res.off('close', onClose);
      const gone = cancel.signal.aborted;
      this.#record({ ...entry, status: gone ? null : statusOf(error), note: gone ? 'the caller went away before the answer' : noteOf(error) });
      throw error;
    }
    const status = upstream.statusCode ?? 502;
    const declared = Number(upstream.headers['content-length'] ?? 0);
    if (declared > MAX_PROXY_RESPONSE_BYTES) {
      upstream.destroy();
      const error = new CodedError('bad_gateway', `the provider's answer is ${declared} bytes, more than the proxy passes (${MAX_PROXY_RESPONSE_BYTES})`);
      this.#record({ ...entry, status: 502, note: error.message });
      throw error;
    }
    res.writeHead(status, {
      ...passedBack(upstream.headers, prepared.target.baseUrl, proxyPrefix(account)),
      ...keyHeader(prepared),
      ...(queuedMs > 0 ? { [QUEUED_HEADER]: String(queuedMs) } : {}),
      'X-Content-Type-Options': 'nosniff',
    });
    this.#record({ ...entry, status, note: queuedNote(queuedMs) });
    let size = 0;
    upstream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PROXY_RESPONSE_BYTES) upstream.destroy();
    });
    // An answer cut short (past the cap, or by the provider) can only be passed on as a cut connection.
    upstream.on('error', () => res.destroy());
    upstream.on('close', () => {
      if (!upstream.complete) res.destroy();
    });
    upstream.pipe(res);
  }

  /**
   * Sends `mail` from `inboxId` of `account` for `principal`, as the send tools do. Safe to retry with the
   * `idempotencyKey` the result names (a new one is made when null).
   */
  async send(
    account: string,
    inboxId: string,
    mail: OutgoingMail,
    idempotencyKey: string | null,
    principal: Principal,
    options: CallOptions = {},
  ): Promise<SendResult> {
    const via = options.via ?? 'send';
    const { path, body } = this.#before({ token: principal.name, via, account, method: 'POST', path: '', inboxId, idempotencyKey }, () =>
      sendCall(this.#target(account).provider, inboxId, mail),
    );
    const answer = await this.call({ account, method: 'POST', path, body, idempotencyKey }, principal, { ...options, via });
    return { ...answer, idempotencyKey: answer.idempotencyKey as string };
  }

  /**
   * Marks a thread read where the provider has a call for it (OpenMail: `PATCH /v1/threads/{id}`). The thread's path
   * names no inbox, so the caller says which inbox it found the thread in (from mail the principal may see), and a
   * token narrowed to inboxes must have that one.
   */
  async markRead(account: string, inboxId: string, threadId: string, principal: Principal, options: CallOptions = {}): Promise<ProviderAnswer> {
    const via = options.via ?? 'mark_read';
    const path = `/v1/threads/${encodeURIComponent(threadId)}`;
    this.#before({ token: principal.name, via, account, method: 'PATCH', path, inboxId, idempotencyKey: null }, () => {
      const provider = this.#target(account).provider;
      if (provider !== 'openmail') throw invalidRequest(`marking mail read is not supported by ${provider}: Mailbridge marks mail read only through OpenMail's PATCH /v1/threads/{id}`);
    });
    return this.call({ account, method: 'PATCH', path, body: { is_read: true }, inboxId }, principal, { ...options, via });
  }

  /**
   * One JSON call to the account's provider for `principal`, with every check, key, limit and audit entry the HTTP
   * proxy has; the provider's answer comes back whole. Throws a CodedError when the principal may not make the call
   * (403), the account is unknown (404), the path or the mail does not fit (400), the send limit refuses it (429, a
   * SendLimitedError with retryAfterSeconds) or the provider cannot be reached (502); the provider's own refusals are
   * answers that are not ok.
   */
  async call(request: ProviderCall, principal: Principal, options: CallOptions = {}): Promise<ProviderAnswer> {
    const { account, method, path } = request;
    const entry: NewAuditEntry = {
      token: principal.name,
      via: options.via ?? 'call',
      account,
      method,
      path,
      inboxId: request.inboxId ?? null,
      status: null,
      idempotencyKey: request.idempotencyKey ?? null,
      note: null,
    };
    try {
      const prepared = this.#prepare(principal, account, method, path, request.idempotencyKey ?? null, entry, request.inboxId ?? null);
      const signal = options.signal ?? new AbortController().signal;
      const queuedMs = await this.#sendSlot(prepared, signal);
      const withBody = request.body !== undefined;
      const answer = await callUpstream({
        url: new URL(`${prepared.target.baseUrl}${prepared.path.raw}`),
        method,
        headers: {
          accept: 'application/json',
          ...(withBody ? { 'content-type': 'application/json' } : {}),
          ...keyHeader(prepared),
          ...prepared.target.headers,
        },
        body: withBody ? Buffer.from(JSON.stringify(request.body)) : null,
        maxBodyBytes: MAX_PROXY_REQUEST_BYTES,
        timeoutMs: this.#timeoutMs,
        signal,
      });
      const status = answer.statusCode ?? 502;
      const text = await readAnswer(answer, MAX_CALL_ANSWER_BYTES);
      this.#record({ ...entry, status, note: queuedNote(queuedMs) });
      return {
        status,
        ok: status >= 200 && status < 300,
        idempotencyKey: prepared.idempotencyKey,
        body: jsonOrText(text),
        retryAfterSeconds: retryAfterSeconds(answer.headers['retry-after']),
        queuedMs,
      };
    } catch (error) {
      this.#record({ ...entry, status: statusOf(error), note: noteOf(error) });
      throw error;
    }
  }

  /** Runs what a typed call works out before it calls; a refusal there is recorded like any other. */
  #before<T>(entry: Omit<NewAuditEntry, 'status' | 'note'>, work: () => T): T {
    try {
      return work();
    } catch (error) {
      this.#record({ ...entry, status: statusOf(error), note: noteOf(error) });
      throw error;
    }
  }

  #target(account: string): RestTarget {
    const target = this.#restTarget(account);
    if (target === null) throw notFoundError(`no running account named "${account}" with an API key`);
    return target;
  }

  /**
   * The checks every call passes before anything goes out: the account, the path, and what the principal may do.
   * The audit entry learns the inbox and the key as soon as they are known, so a refusal is recorded with them.
   */
  #prepare(
    principal: Principal,
    account: string,
    method: string,
    rawPath: string,
    supplied: string | null,
    entry: NewAuditEntry,
    vouchedInbox: string | null = null,
  ): Prepared {
    const target = this.#target(account);
    const read = readProviderPath(target.provider, method, rawPath);
    // A path under no inbox (a thread) counts as the inbox the engine's own caller found it in.
    const path = read.inboxId === null && vouchedInbox !== null ? { ...read, inboxId: vouchedInbox } : read;
    entry.inboxId = path.inboxId;
    entry.idempotencyKey = supplied;
    const refusal = proxyRefusal(principal, method, path, inboxPathPattern(target.provider));
    if (refusal !== null) throw new CodedError('forbidden', refusal);
    if (supplied !== null && !IDEMPOTENCY_KEY.test(supplied)) throw invalidRequest('Idempotency-Key must be 1-255 printable ASCII characters');
    // Tools and agents that give no key still get a send that is safe to retry: with the key handed back.
    const idempotencyKey = path.send ? (supplied ?? `mb-${randomUUID()}`) : supplied;
    entry.idempotencyKey = idempotencyKey;
    return { target, path, idempotencyKey };
  }

  /** Waits for a slot under the provider's send limit; 0 for calls that are no send or when one is free now. */
  async #sendSlot(prepared: Prepared, signal: AbortSignal): Promise<number> {
    const { target, path, idempotencyKey } = prepared;
    if (!path.send || path.inboxId === null || idempotencyKey === null) return 0;
    const limit = this.#limiter.limit(target.provider);
    const started = this.#timers.now();
    for (;;) {
      const now = this.#timers.now();
      const wait = this.#limiter.take(target.provider, target.account, path.inboxId, idempotencyKey, now);
      if (wait === 0) return now - started;
      if (now - started + wait > this.#maxQueueMs) throw sendLimitedError(target.provider, limit as SendLimit, path.inboxId, wait);
      await delay(this.#timers, wait, signal);
    }
  }

  #record(entry: NewAuditEntry): void {
    this.#audit.record(entry);
  }
}

/**
 * Null when the principal may make this call through the proxy, else the 403's message. Reads need `read` and
 * everything else `send`; a token narrowed to inboxes may call only paths under them; a token narrowed to senders
 * may only send, since the provider's answers cannot be filtered by sender.
 */
export function proxyRefusal(principal: Principal, method: string, path: ProviderPath, inboxPattern: string): string | null {
  const access = accessRefusal(method === 'GET' ? 'read' : 'send', principal, `${method} through the proxy`);
  if (access !== null) return access;
  if (principal.inboxIds.length > 0) {
    const inboxes = principal.inboxIds.join(', ');
    if (path.inboxId === null) {
      return `the token "${principal.name}" is limited to the inboxes ${inboxes}: through the proxy it may call only paths under ${inboxPattern} for one of them`;
    }
    if (!principal.inboxIds.includes(path.inboxId)) return `the token "${principal.name}" is limited to the inboxes ${inboxes}, and ${path.inboxId} is not one of them`;
  }
  if (principal.allowSenders.length > 0 && !path.send) {
    return (
      `the token "${principal.name}" sees only mail from some senders, and the provider's answers cannot be filtered so: ` +
      'it may only send through the proxy, and reads mail through /v1/events, /v1/stream and /v1/history'
    );
  }
  return null;
}

function suppliedKey(headers: IncomingHttpHeaders): string | null {
  const key = headers['idempotency-key'];
  return typeof key === 'string' ? key : null;
}

function keyHeader(prepared: Prepared): Record<string, string> {
  return prepared.idempotencyKey === null ? {} : { [IDEMPOTENCY_HEADER]: prepared.idempotencyKey };
}

function passedOn(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': 'Mailbridge' };
  for (const name of PASSED_ON) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The provider's answer headers an agent may see, with a redirect back into the provider's API kept on the proxy. */
function passedBack(headers: IncomingHttpHeaders, baseUrl: string, prefix: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !(PASSED_BACK.has(name) || RATE_LIMIT_HEADER.test(name))) continue;
    out[name] = name === 'location' && typeof value === 'string' ? proxiedLocation(value, baseUrl, prefix) : value;
  }
  return out;
}

function proxiedLocation(location: string, baseUrl: string, prefix: string): string {
  let resolved: URL;
  try {
    resolved = new URL(location, `${baseUrl}/`);
  } catch {
    return location;
  }
  return resolved.href.startsWith(`${baseUrl}/`) ? `${prefix}${resolved.href.slice(baseUrl.length)}` : resolved.href;
}

function statusOf(error: unknown): number | null {
  return error instanceof CodedError ? error.status : null;
}

function noteOf(error: unknown): string {
  return error instanceof CodedError ? error.message : 'internal error';
}

function queuedNote(queuedMs: number): string | null {
  return queuedMs > 0 ? `queued ${(queuedMs / 1000).toFixed(1)} s for the send limit` : null;
}

function retryAfterSeconds(header: string | undefined): number | null {
  if (header === undefined) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function delay(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new CodedError('bad_request', 'the request was cancelled'));
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(new CodedError('bad_request', 'the request was cancelled'));
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
