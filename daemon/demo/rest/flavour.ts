// What each provider flavour of the demo's REST API supplies: how it reads the key, how it shapes an error, and
// its routes. A route is a pure function of the parsed request and the demo's state; the REST server owns
// sockets, faults, limits and timing.
import type { IncomingHttpHeaders } from 'node:http';
import type { DemoMailbox, MailboxAttachment, MailboxMessage } from '../mailbox.ts';
import type { IdempotencyKeys } from './idempotency.ts';

export interface RestRequest {
  method: string;
  /** Path segments, percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RestAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON; absent for an empty body. */
  json?: unknown;
  /** A file's bytes instead of JSON (myagentmail streams attachments), with its own Content-Type and Content-Disposition. */
  file?: { bytes: Buffer; contentType: string; filename: string };
  /** A listing page: the slow-pages fault delays these. */
  page?: boolean;
}

/** Errors the server itself gives, before any route: each flavour words them its provider's way. */
export type ServerError = 'missing_key' | 'wrong_key' | 'not_found' | 'rate_limited' | 'internal' | 'too_large';

export interface SendLimits {
  perMinute: number | null;
  perDay: number | null;
}

export interface RestContext {
  mailbox: DemoMailbox;
  /** An absolute URL on the demo for a path. */
  url(path: string): string;
  /** A fresh signed download link for an attachment. */
  attachmentLink(message: MailboxMessage, attachment: MailboxAttachment): string;
  /** When the link `attachmentLink` signs now expires (ISO 8601). */
  linkExpiry(): string;
  idempotency: IdempotencyKeys<RestAnswer>;
  /** Takes a send slot for the inbox: 0, or the seconds until one frees up (nothing taken). */
  takeSend(inboxId: string): number;
}

export interface RestFlavour {
  /** The key a request presents, read from the headers the provider documents; null when none. */
  key(headers: IncomingHttpHeaders): string | null;
  error(kind: ServerError, message: string): RestAnswer;
  /** The answer for a request, or null when no route matches (the server answers not_found). */
  route(request: RestRequest, context: RestContext): RestAnswer | null;
  /** Per-inbox send limits by default (the `rest` options override them). */
  sendLimits: SendLimits;
}

export type Handler = (params: Record<string, string>, request: RestRequest, context: RestContext) => RestAnswer;

/** A route: method, path pattern (`/v1/inboxes/:id`), handler. */
export type Route = readonly [string, string, Handler];

/** The first route that matches answers; null when none does. */
export function dispatch(routes: readonly Route[], request: RestRequest, context: RestContext): RestAnswer | null {
  for (const [method, pattern, handler] of routes) {
    const params = match(request, method, pattern);
    if (params) return handler(params, request, context);
  }
  return null;
}

/** The path parameters when the request matches `METHOD /a/:b/c`, else null. */
function match(request: RestRequest, method: string, pattern: string): Record<string, string> | null {
  if (request.method !== method) return null;
  const parts = pattern.split('/').slice(1);
  if (parts.length !== request.segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = request.segments[index]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return null;
  }
  return params;
}

export function bearer(headers: IncomingHttpHeaders): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1] ?? null;
}

/** A single-valued header, or null when absent or empty. */
export function header(request: RestRequest, name: string): string | null {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : null;
}

/** A whole-number query parameter within bounds: the default when absent, null when malformed or out of range. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | null {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}

/** The request body as a JSON object, or null when it is not one. */
export function jsonObject(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A recipient field given as one address or a list of them; null when it is neither. */
export function addressList(value: unknown): string[] | null {
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.map((item) => item.trim());
  return null;
}

export function retryAfter(answer: RestAnswer, seconds: number): RestAnswer {
  return { ...answer, headers: { ...answer.headers, 'Retry-After': String(seconds) } };
}
