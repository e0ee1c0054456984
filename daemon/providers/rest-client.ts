// One REST call to a provider on an account's behalf, and the one place such a call is made: the URL from the
// account's REST target, its auth headers, a deadline, a cap on the answer's size, and the answer read as
// untrusted input. Whatever the provider or the network does, the caller gets a result it can act on (the value,
// or a failure of a known kind with a message fit for the status line); nothing is thrown past this boundary.
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

/** How long Retry-After may ask for before it is taken as malformed. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** Provider error text kept: enough for the status line, bounded because it is untrusted. */
const MAX_DETAIL = 200;
/** An error answer larger than this is classified by its status alone. */
const MAX_ERROR_BODY = 64 * 1024;

/** GET `path` (with its version prefix, segments already encoded) under the account's REST base, as JSON. */
export async function restGetJson(target: RestTarget, path: string, options: RestCallOptions = {}): Promise<RestResult<unknown>> {
  const limits = options.limits ?? DEFAULT_REST_LIMITS;
  const url = restUrl(target, path, options.query);
  const what = `GET ${path}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  timer.unref();
  // One listener, removed again: a long-lived signal must not collect one per call.
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    const response = await fetch(url, {
      headers: { ...target.headers, Accept: 'application/json' },
      // No call catch-up makes is answered with a redirect; following one could carry the key elsewhere.
      redirect: 'manual',
      signal: controller.signal,
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
    if (timedOut) return fail('timeout', null, `${what}: no answer within ${Math.round(limits.timeoutMs / 1000)} s`);
    if (options.signal?.aborted) return fail('network', null, `${what}: cancelled`);
    return fail('network', null, `${what}: ${networkMessage(error)}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
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
