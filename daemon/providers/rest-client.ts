// One REST call to a provider on an account's behalf, and the one place such a call is made: the URL from the
// account's REST target, its auth headers, a deadline, a cap on the answer's size, and the answer read as
// untrusted input. Whatever the provider or the network does, the caller gets a result it can act on (the value,
// or a failure of a known kind with a message fit for the status line); nothing is thrown past this boundary.
// Files come the same way (an attachment's bytes, handed to a sink as they arrive), from a provider path with the
// key or from a signed link without it; only what the sink itself throws (a full disk) is thrown on.
import { errorMessage, mask } from '../log.ts';
import { readJsonFrame } from './frame-json.ts';
import type { RestFailure, RestFailureKind, RestQuery, RestResult } from './rest-result.ts';
import type { RestTarget } from './rest.ts';

export interface RestLimits {
  /** From sending the request to the last byte of the answer. */
  timeoutMs: number;
  /** Largest answer body read; a bigger one is refused as `too_large` without reading on. */
  maxBytes: number;
}

/** A page of 100 messages with their bodies fits easily; a provider answering more is refused, not buffered. */
export const DEFAULT_REST_LIMITS: RestLimits = { timeoutMs: 20_000, maxBytes: 16 * 1024 * 1024 };

export interface RestCallOptions {
  query?: RestQuery;
  limits?: RestLimits;
  /** Aborts the call (the account was removed, the engine stops): answered as a `network` failure. */
  signal?: AbortSignal;
}

/** A file's bytes: minutes rather than seconds, up to the largest file kept. */
export const DEFAULT_DOWNLOAD_LIMITS: RestLimits = { timeoutMs: 120_000, maxBytes: 25 * 1024 * 1024 };

/** Takes a file's bytes as they arrive. The body it reads throws only failures of the download, which the client
 * reports as such; anything else the sink throws (the disk is full) is its own and is thrown on. */
export type ByteSink<T> = (body: AsyncIterable<Uint8Array>) => Promise<T>;

export interface ByteCallOptions {
  limits?: RestLimits;
  signal?: AbortSignal;
}

/** How long Retry-After may ask for before it is taken as malformed. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** Provider error text kept: enough for the status line, bounded because it is untrusted. */
const MAX_DETAIL = 200;
/** An error answer larger than this is classified by its status alone. */
const MAX_ERROR_BODY = 64 * 1024;

/** A call's own signal: aborted by its timeout or by the caller's signal, whichever comes first. */
function callDeadline(timeoutMs: number, outer: AbortSignal | undefined): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  timer.unref();
  // One listener, removed again: a long-lived signal must not collect one per call.
  const onAbort = (): void => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  if (outer?.aborted) controller.abort();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** GET `path` (with its version prefix, segments already encoded) under the account's REST base, as JSON. */
export async function restGetJson(target: RestTarget, path: string, options: RestCallOptions = {}): Promise<RestResult<unknown>> {
  const limits = options.limits ?? DEFAULT_REST_LIMITS;
  const url = restUrl(target, path, options.query);
  const what = `GET ${path}`;
  const deadline = callDeadline(limits.timeoutMs, options.signal);
  try {
    const response = await fetch(url, {
      headers: { ...target.headers, Accept: 'application/json' },
      // No call catch-up makes is answered with a redirect; following one could carry the key elsewhere.
      redirect: 'manual',
      signal: deadline.signal,
    });
    if (response.status < 200 || response.status > 299) {
      // What an error answer says is read only so far: its status is what counts.
      const text = await readBody(response, MAX_ERROR_BODY);
      return failed(what, response, text === null ? '' : withoutKey(providerDetail(text), target));
    }
    const body = await readBody(response, limits.maxBytes);
    if (body === null) {
      return fail('too_large', response.status, `${what}: the answer is larger than ${limits.maxBytes} bytes`);
    }
    const parsed = readJsonFrame(body, limits.maxBytes);
    if (!parsed.ok) return fail('malformed', response.status, `${what}: ${parsed.reason.replace(/^frame/, 'the answer')}`);
    return { ok: true, value: parsed.value };
  } catch (error) {
    if (deadline.timedOut()) return fail('timeout', null, `${what}: no answer within ${Math.round(limits.timeoutMs / 1000)} s`);
    if (options.signal?.aborted) return fail('network', null, `${what}: cancelled`);
    return fail('network', null, `${what}: ${networkMessage(error)}`);
  } finally {
    deadline.dispose();
  }
}

/**
 * GET the bytes at `path` under the account's REST base, with its key, into `sink`. A redirect (OpenMail answers
 * with a 302 to a fresh signed link) is followed once, without the key: the link is its own credential, and the key
 * never goes to another host.
 */
export async function restGetBytes<T>(target: RestTarget, path: string, sink: ByteSink<T>, options: ByteCallOptions = {}): Promise<RestResult<T>> {
  const url = restUrl(target, path);
  const answer = await download(url, { ...target.headers, Accept: '*/*' }, `GET ${path}`, sink, options, target);
  return 'redirect' in answer ? getSignedLink(new URL(answer.redirect, url).href, sink, options) : answer;
}

/**
 * GET a signed link's bytes into `sink`, with no key at all. Only https is followed, or http to a loopback host (a
 * local test server); a link that was refused (403, as object stores answer an expired one) is `refused`.
 */
export async function getSignedLink<T>(link: string, sink: ByteSink<T>, options: ByteCallOptions = {}): Promise<RestResult<T>> {
  const url = followableLink(link);
  if (url === null) return fail('refused', null, 'the link is not one Mailbridge follows (https, or http to this machine, without credentials)');
  const answer = await download(url, { Accept: '*/*' }, `GET ${linkName(url)}`, sink, options, null);
  return 'redirect' in answer ? fail('refused', null, `GET ${linkName(url)}: the link redirects elsewhere`) : answer;
}

/** The link as a URL to fetch, or null when it is not http(s), carries credentials, or is plain http to another host. */
export function followableLink(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '') return null;
  if (url.protocol === 'https:') return url.href;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url.href : null;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A failure of the download itself, raised while the sink reads the body. */
class BodyFailure extends Error {
  readonly kind: RestFailureKind;
  constructor(kind: RestFailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

async function download<T>(
  url: string,
  headers: Readonly<Record<string, string>>,
  what: string,
  sink: ByteSink<T>,
  options: ByteCallOptions,
  /** The account whose key the request carries; null for a signed link. */
  keyed: RestTarget | null,
): Promise<RestResult<T> | { redirect: string }> {
  const limits = options.limits ?? DEFAULT_DOWNLOAD_LIMITS;
  const deadline = callDeadline(limits.timeoutMs, options.signal);
  const interrupted = (): RestResult<never> | null => {
    if (deadline.timedOut()) return fail('timeout', null, `${what}: no whole answer within ${Math.round(limits.timeoutMs / 1000)} s`);
    if (options.signal?.aborted) return fail('network', null, `${what}: cancelled`);
    return null;
  };
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'manual', signal: deadline.signal });
    } catch (error) {
      return interrupted() ?? fail('network', null, `${what}: ${networkMessage(error)}`);
    }
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (keyed === null || location === null) return fail('refused', response.status, `${what}: HTTP ${response.status} without a link to follow`);
      return { redirect: location };
    }
    if (response.status < 200 || response.status > 299) {
      const text = await readBody(response, MAX_ERROR_BODY).catch(() => null);
      if (keyed !== null) return failed(what, response, text === null ? '' : withoutKey(providerDetail(text), keyed));
      return linkFailed(what, response);
    }
    const declared = contentLength(response);
    if (declared !== null && declared > limits.maxBytes) {
      await response.body?.cancel();
      return fail('too_large', response.status, `${what}: the file is ${declared} bytes, more than the ${limits.maxBytes} taken`);
    }
    try {
      return { ok: true, value: await sink(guardedBody(response, what, limits.maxBytes, declared)) };
    } catch (error) {
      const cut = interrupted();
      if (cut !== null) return cut;
      if (error instanceof BodyFailure) return fail(error.kind, response.status, error.message);
      throw error;
    }
  } finally {
    deadline.dispose();
  }
}

/** The body, stopped at `maxBytes`, and checked against its declared length when it ends. */
async function* guardedBody(response: Response, what: string, maxBytes: number, declared: number | null): AsyncGenerator<Uint8Array> {
  if (!response.body) {
    if (declared !== null && declared > 0) throw new BodyFailure('malformed', `${what}: the answer has no body`);
    return;
  }
  const reader = response.body.getReader();
  let size = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new BodyFailure('network', `${what}: the answer was cut short (${networkMessage(error)})`);
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > maxBytes) throw new BodyFailure('too_large', `${what}: the file is larger than the ${maxBytes} bytes taken`);
      yield chunk.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (declared !== null && size !== declared) throw new BodyFailure('malformed', `${what}: ${size} bytes came of the ${declared} announced`);
}

function contentLength(response: Response): number | null {
  const header = response.headers.get('content-length');
  if (header === null || !/^\d{1,16}$/.test(header.trim())) return null;
  return Number(header.trim());
}

/** A signed link that does not answer with the file: an object store refuses an expired one with 403. */
function linkFailed(what: string, response: Response): RestResult<never> {
  const status = response.status;
  const said = `${what}: HTTP ${status}`;
  if (status === 401 || status === 403) return fail('refused', status, `${said}: the link was refused (it may have expired)`);
  if (status === 404) return fail('not_found', status, said);
  if (status === 429) {
    return { ok: false, failure: { kind: 'rate_limited', status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), message: said } };
  }
  return fail(status >= 500 ? 'server_error' : 'refused', status, said);
}

/** A link is named without its query: that is where its signature is. */
function linkName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** The account's REST base, the path and the query; undefined query values are left out. */
export function restUrl(target: RestTarget, path: string, query: RestQuery = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.append(key, String(value));
  const text = search.toString();
  return `${target.baseUrl}${path}${text ? `?${text}` : ''}`;
}

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function failed(what: string, response: Response, detail: string): RestResult<never> {
  const status = response.status;
  const said = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401 || status === 403) return fail('needs_key', status, `${said}: the provider rejected the API key`);
  if (status === 404) return fail('not_found', status, said);
  if (status === 429) {
    const failure: RestFailure = { kind: 'rate_limited', status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), message: said };
    return { ok: false, failure };
  }
  if (status >= 500) return fail('server_error', status, said);
  return fail('refused', status, said);
}

function fail(kind: RestFailureKind, status: number | null, message: string): RestResult<never> {
  return { ok: false, failure: { kind, status, retryAfterMs: null, message } };
}

/** The body as text, or null once it passes `maxBytes` (reading stops there). */
async function readBody(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a provider's error body says, whichever of its documented forms it takes; '' when it says nothing usable. */
function providerDetail(body: string): string {
  const parsed = readJsonFrame(body, MAX_ERROR_BODY);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return '';
  const value = parsed.value as Record<string, unknown>;
  const parts = [value.error, value.code, value.name, value.message].filter(
    (part, index, all): part is string => typeof part === 'string' && part !== '' && all.indexOf(part) === index,
  );
  return parts.join(': ').replace(/\p{Cc}/gu, ' ').slice(0, MAX_DETAIL);
}

/** A provider that echoes the key back in its error text does not get it shown. */
function withoutKey(text: string, target: RestTarget): string {
  let out = text;
  for (const value of Object.values(target.headers)) {
    const secret = value.replace(/^Bearer\s+/i, '');
    if (secret.length >= 4) out = out.split(secret).join(mask(secret));
  }
  return out;
}

/** undici's "fetch failed" hides the reason in `cause`. */
function networkMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return `${code} (${errorMessage(cause).slice(0, MAX_DETAIL)})`;
  return errorMessage(cause ?? error).slice(0, MAX_DETAIL);
}
