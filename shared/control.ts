// What the window (and the browser dashboard, and next the MCP tools) can ask of the engine: every call is
// declared here once, with its request schema and its HTTP form, beside the IPC channels (shared/ipc.ts). The
// engine's HTTP routes, the IPC handlers' input checks and the window's HTTP client are all derived from
// CONTROL_ROUTES, and the checks at the bottom fail to compile when a ControlApi call has no entry.
import * as z from 'zod/mini';
import { OWNER_NAME, type AgentTokenInfo, type CreatedToken, type CreateTokenRequest, type TokensResponse } from './agent-tokens.ts';
import { AUDIT_LIMIT, type AuditQuery, type AuditResponse } from './audit.ts';
import type { StoredEvent } from './event.ts';
import { invalidRequest, notFoundError } from './errors.ts';
import {
  HISTORY_LIMIT,
  MAX_FILTER_LENGTH,
  MAX_QUERY_LENGTH,
  type DeadLettersQuery,
  type DeliveriesResponse,
  type HistoryItem,
  type HistoryQuery,
  type HistoryResponse,
  type ReconnectResponse,
  type RedeliverResponse,
  type RemovedResponse,
  type RetryResponse,
  type TestEventResponse,
} from './local-api.ts';
import { NAME, NAME_RULE } from './names.ts';
import { FORWARD_DELIVERY_LIMITS, FORWARD_ORDERS, FORWARD_RETRIES, type ForwardDelivery } from './forward-delivery.ts';
import { SCOPES, type Access, type Principal } from './principal.ts';
import {
  NATS_PREFIX_PATTERN,
  NATS_STREAM_PATTERN,
  NATS_URL_PATTERN,
  type ForwardTargetSettings,
  type NatsSettings,
  type Settings,
} from './settings.ts';
import { PROVIDERS, type DaemonStatus, type DeadLetter, type ProviderName } from './status.ts';

export interface AddAccountRequest {
  name: string;
  provider: ProviderName;
  url?: string;
  /** The provider's REST base; empty or absent means the provider's own. */
  apiUrl?: string;
  inboxIds: string[];
  eventTypes: string[];
  /** Goes straight to the OS keychain; never stored in settings, never echoed back. */
  apiKey: string;
}

export type AddAccountResponse =
  | { ok: true; verified: boolean }
  | { ok: false; error: string };

export interface AddForwardTargetRequest {
  url: string;
  inboxIds: string[];
  eventTypes: string[];
  /** Retries, dead letters and ordering; what is left out takes DEFAULT_FORWARD_DELIVERY's value. */
  delivery?: Partial<ForwardDelivery>;
}

export interface AddForwardTargetResponse {
  target: ForwardTargetSettings;
  /** The signing secret, shown once; it lives in the keychain afterwards. */
  secret: string;
}

/** The editable part of settings; accounts, forward targets and the NATS sink change through their own calls. */
export type SettingsPatch = Partial<Pick<Settings, 'port' | 'notifications' | 'retention' | 'launchAtLogin' | 'engineName' | 'attachments'>>;

// ---- Publishing to NATS JetStream
export interface SetNatsSinkRequest extends NatsSettings {
  /** A .creds file's text, a password or a token: goes straight to the keychain. Absent keeps what is stored; '' removes it. */
  credentials?: string;
}

/** A forward target's id (the window's shorthand), or a filter by target and status. */
export type DeadLettersRequest = string | DeadLettersQuery;

export interface ControlApi {
  status(): Promise<DaemonStatus>;
  /** For `principal` (the owner when absent): a narrowed agent token gets only the mail it may see. */
  history(query: HistoryQuery, principal?: Principal): Promise<HistoryResponse>;
  event(seq: number, principal?: Principal): Promise<HistoryItem | null>;
  settings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  addAccount(request: AddAccountRequest): Promise<AddAccountResponse>;
  removeAccount(name: string): Promise<void>;
  addForwardTarget(request: AddForwardTargetRequest): Promise<AddForwardTargetResponse>;
  removeForwardTarget(id: string): Promise<void>;
  /** Dead letters of one forward target, or of all. */
  deadLetters(request?: DeadLettersRequest): Promise<DeadLetter[]>;
  retryDelivery(id: number): Promise<boolean>;
  /** Sends a stored event to the forward targets again. */
  redeliver(seq: number): Promise<number>;
  reconnect(): Promise<void>;
  testEvent(): Promise<StoredEvent>;

  // Agent tokens and the audit log of what agents did through the engine.
  tokens(): Promise<AgentTokenInfo[]>;
  /** The answer carries the token, the one time it is ever shown. */
  createToken(request: CreateTokenRequest): Promise<CreatedToken>;
  /** In force at once: the token's requests get 401 and its open streams end. False when there was no such token. */
  revokeToken(name: string): Promise<boolean>;
  audit(query?: AuditQuery): Promise<AuditResponse>;
  // ---- Publishing to NATS JetStream
  /** Publishes every event committed from now on into the described JetStream stream; answers the stored settings. */
  setNatsSink(request: SetNatsSinkRequest): Promise<Settings>;
  /** Stops publishing into JetStream and removes its credentials from the keychain. */
  removeNatsSink(): Promise<Settings>;
}

export type ControlName = keyof ControlApi;
export type ControlRequest<M extends ControlName> = Parameters<ControlApi[M]> extends [] ? void : Parameters<ControlApi[M]>[0];
export type ControlResponse<M extends ControlName> = Awaited<ReturnType<ControlApi[M]>>;
/** ControlApi seen one request per call: what a transport calls generically, by name, for the principal that asked. */
export type ControlCalls = { [M in ControlName]: (request: ControlRequest<M>, principal?: Principal) => Promise<ControlResponse<M>> };

// ---- Request schemas: the one runtime check of what a caller sends, at every boundary --------------------------

const MAX_FILTERS = 100;

/** A closed object: a field it does not know is refused by name rather than dropped. */
const closed = <Shape extends z.core.$ZodLooseShape>(shape: Shape, unknown: (keys: string[]) => string = (keys) => `unknown field: ${keys.join(', ')}`) =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? unknown(issue.keys) : 'expected an object') });

const positiveInt = (field: string) =>
  z.int(`${field} must be a positive integer`).check(z.minimum(1, `${field} must be a positive integer`));

const filterText = (field: string, max: number = MAX_FILTER_LENGTH) =>
  z.optional(z.string(`${field} must be a string`).check(z.maxLength(max, `${field} is longer than ${max} characters`)));

const filterList = (field: string) => {
  const message = `${field} must be a list of at most ${MAX_FILTERS} non-empty strings`;
  const item = z.string(message).check(z.minLength(1, message), z.maxLength(MAX_FILTER_LENGTH, message));
  return z._default(z.array(item, message).check(z.maxLength(MAX_FILTERS, message)), () => []);
};

const historyLimit = `limit must be an integer from 1 to ${HISTORY_LIMIT.max}`;

export const historyQuerySchema = closed({
  q: filterText('q', MAX_QUERY_LENGTH),
  before: z.optional(positiveInt('before')),
  limit: z.optional(z.int(historyLimit).check(z.minimum(1, historyLimit), z.maximum(HISTORY_LIMIT.max, historyLimit))),
  account: filterText('account'),
  inbox_id: filterText('inbox_id'),
  event_type: filterText('event_type'),
});

function protocolOf(url: string): string | null {
  try {
    return new URL(url).protocol;
  } catch {
    return null;
  }
}

// Empty means the provider's default URL.
const providerUrl = z.string('the provider URL must be a string').check(
  z.refine((url) => url === '' || protocolOf(url) !== null, 'the provider URL is not a valid URL'),
  z.refine((url) => url === '' || /^(wss?:)?$/.test(protocolOf(url) ?? ''), 'the provider URL must start with wss:// or ws://'),
);

// Empty means the provider's default REST base.
const restUrl = z.string('the REST API URL must be a string').check(
  z.refine((url) => url === '' || /^https?:$/.test(protocolOf(url) ?? ''), 'the REST API URL must start with https:// or http://'),
);

const addAccountSchema = closed({
  name: z.string('account name must be a string').check(
    z.regex(NAME, `account name must be ${NAME_RULE}`),
  ),
  provider: z.enum(PROVIDERS, `provider must be one of ${PROVIDERS.join(', ')}`),
  url: z.optional(providerUrl),
  apiUrl: z.optional(restUrl),
  inboxIds: filterList('inboxIds'),
  eventTypes: filterList('eventTypes'),
  // A blank key is an answer ({ ok: false }), like a rejected one, not a malformed request.
  apiKey: z._default(z.string('apiKey must be a string'), ''),
});

// ---- A forward target's delivery options (shared/forward-delivery.ts) ----
const boundedInt = (field: string, range: { min: number; max: number }) => {
  const message = `${field} must be a whole number from ${range.min} to ${range.max}`;
  return z.int(message).check(z.minimum(range.min, message), z.maximum(range.max, message));
};

const forwardDeliverySchema = closed({
  retry: z.optional(z.enum(FORWARD_RETRIES, `delivery.retry must be one of ${FORWARD_RETRIES.join(', ')}`)),
  maxAttempts: z.optional(boundedInt('delivery.maxAttempts', FORWARD_DELIVERY_LIMITS.maxAttempts)),
  maxAgeSeconds: z.optional(z.nullable(boundedInt('delivery.maxAgeSeconds', FORWARD_DELIVERY_LIMITS.maxAgeSeconds))),
  order: z.optional(z.enum(FORWARD_ORDERS, `delivery.order must be one of ${FORWARD_ORDERS.join(', ')}`)),
  concurrency: z.optional(boundedInt('delivery.concurrency', FORWARD_DELIVERY_LIMITS.concurrency)),
});
// ---- end of the delivery options ----

const addForwardTargetSchema = closed({
  url: z.string('url must be a string'),
  inboxIds: filterList('inboxIds'),
  eventTypes: filterList('eventTypes'),
  delivery: z.optional(forwardDeliverySchema),
});

const portMessage = 'port must be an integer from 0 to 65535';
const attachmentLimit = (field: string) => {
  const message = `${field} must be a whole number of bytes, at least 1`;
  return z.int(message).check(z.minimum(1, message));
};
const engineNameMessage = `engineName must be ${NAME_RULE}`;
const settingsPatchSchema = closed(
  {
    port: z.optional(z.int(portMessage).check(z.minimum(0, portMessage), z.maximum(65_535, portMessage))),
    notifications: z.optional(
      closed({
        enabled: z.boolean('notifications.enabled must be true or false'),
        mutedInboxes: z.array(z.string('notifications.mutedInboxes must be a list of inbox ids'), 'notifications.mutedInboxes must be a list of inbox ids'),
        pausedUntil: z.nullable(z.string('notifications.pausedUntil must be an ISO time or null')),
      }),
    ),
    retention: z.optional(
      closed({
        maxAgeDays: z.nullable(z.int('retention.maxAgeDays must be a whole number of days or null')),
        maxEvents: z.nullable(z.int('retention.maxEvents must be a whole number or null')),
      }),
    ),
    launchAtLogin: z.optional(z.boolean('launchAtLogin must be true or false')),
    engineName: z.optional(z.nullable(z.string('engineName must be a string or null').check(z.regex(NAME, engineNameMessage)))),
    attachments: z.optional(
      closed({
        maxFileBytes: attachmentLimit('attachments.maxFileBytes'),
        maxTotalBytes: attachmentLimit('attachments.maxTotalBytes'),
      }),
    ),
  },
  (keys) => `these settings cannot be changed here: ${keys.join(', ')}`,
);

// ---- Publishing to NATS JetStream
const natsLimit = (field: string, max: number) => {
  const message = `${field} must be a whole number from 1 to ${max}, or null for no limit`;
  return z.nullable(z.int(message).check(z.minimum(1, message), z.maximum(max, message)));
};

const setNatsSinkSchema = closed({
  url: z.string('url must be a string').check(
    z.regex(new RegExp(NATS_URL_PATTERN), 'url must start with nats:// or tls://'),
    z.refine((url) => protocolOf(url) !== null, 'url is not a valid URL'),
    z.refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), 'url must not carry a user or password: give the user apart, the password as credentials'),
    z.maxLength(2048, 'url is longer than 2048 characters'),
  ),
  user: z.nullable(z.string('user must be a string or null').check(z.minLength(1, 'user must not be empty'), z.maxLength(256, 'user is longer than 256 characters'))),
  stream: z.string('stream must be a string').check(z.regex(new RegExp(NATS_STREAM_PATTERN), 'stream must be 1-64 letters, digits, "-" or "_"')),
  subjectPrefix: z.string('subjectPrefix must be a string').check(
    z.regex(new RegExp(NATS_PREFIX_PATTERN), 'subjectPrefix must be subject tokens of letters, digits, "-" or "_" joined by dots'),
  ),
  maxAgeDays: natsLimit('maxAgeDays', 3650),
  maxBytes: natsLimit('maxBytes', Number.MAX_SAFE_INTEGER),
  credentials: z.optional(z.string('credentials must be a string').check(z.maxLength(65_536, 'credentials are longer than 64 KiB'))),
});

const deadLetterStatus = z.enum(['dead', 'retrying'], 'status must be one of dead, retrying');

const deadLettersSchema = z.optional(
  z.union([z.string(), closed({ target: filterText('target'), status: z.optional(deadLetterStatus) })]),
);

// Agent tokens and the audit log.

const tokenName = z.string('the token name must be a string').check(
  z.regex(NAME, `the token name must be ${NAME_RULE}`),
  z.refine((name) => name !== OWNER_NAME, `"${OWNER_NAME}" is the owner's own name: choose another`),
);

const senderPatterns = () => {
  const message = `allowSenders must be a list of at most ${MAX_FILTERS} addresses or patterns such as *@github.com`;
  const item = z.string(message).check(z.maxLength(MAX_FILTER_LENGTH, message), z.regex(/^[^\s<>@]*@[^\s<>@]+$/, message));
  return z._default(z.array(item, message).check(z.maxLength(MAX_FILTERS, message)), () => []);
};

const createTokenSchema = closed({
  name: tokenName,
  scope: z.enum(SCOPES, `scope must be one of ${SCOPES.join(', ')}`),
  inboxIds: filterList('inboxIds'),
  allowSenders: senderPatterns(),
});

const auditLimit = `limit must be an integer from 1 to ${AUDIT_LIMIT.max}`;
const auditQuerySchema = z.optional(
  closed({
    before: z.optional(positiveInt('before')),
    limit: z.optional(z.int(auditLimit).check(z.minimum(1, auditLimit), z.maximum(AUDIT_LIMIT.max, auditLimit))),
    token: filterText('token'),
  }),
);

/** For calls that take nothing: whatever was sent is dropped. */
const nothing = z.pipe(z.unknown(), z.transform((): void => undefined));

// ---- The table ---------------------------------------------------------------------------------------------------

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Query and path values arrive as text; `int` ones are read as numbers before the schema checks them. */
export type FieldKind = 'int' | 'text';
type QueryFields<T> = { [K in keyof T]-?: NonNullable<T[K]> extends number ? 'int' : 'text' };

/** Where a call's request travels over HTTP: nowhere, as the JSON body, as query fields, or as the path's one `:param`. */
export type RequestPlace<Req> =
  | { in: 'none' }
  | { in: 'body' }
  | { in: 'query'; fields: QueryFields<Extract<NonNullable<Req>, object>> }
  | { in: 'path'; kind: NonNullable<Req> extends number ? 'int' : 'text' };

/** The same, as both sides read it at run time (the table's entries are typed more closely). */
export type AnyRequestPlace =
  | { in: 'none' }
  | { in: 'body' }
  | { in: 'query'; fields: Readonly<Record<string, FieldKind>> }
  | { in: 'path'; kind: FieldKind };

export interface HttpAnswer<Body> {
  status: number;
  body: Body;
}

export interface ControlRoute<M extends ControlName, Body> {
  method: HttpMethod;
  /** Under /v1; a `:name` segment carries a path request. */
  path: string;
  request: RequestPlace<ControlRequest<M>>;
  schema: z.ZodMiniType<ControlRequest<M>>;
  /** The HTTP answer to a call's result; throws a CodedError when the result is an error over HTTP. */
  reply(response: ControlResponse<M>, request: ControlRequest<M>): HttpAnswer<Body>;
  /** The call's result from an HTTP answer: a 2xx, or one of `answers`. */
  read(body: Body, status: number): ControlResponse<M>;
  /** Error statuses that are results rather than failures. */
  answers?: readonly number[];
}

export type ControlRoutes = { [M in ControlName]: ControlRoute<M, unknown> };

const NONE = { in: 'none' } as const;
const BODY = { in: 'body' } as const;

export const CONTROL_ROUTES: ControlRoutes = {
  status: {
    method: 'GET',
    path: '/v1/status',
    request: NONE,
    schema: nothing,
    reply: (status): HttpAnswer<DaemonStatus> => ({ status: 200, body: status }),
    read: (body: DaemonStatus) => body,
  },
  history: {
    method: 'GET',
    path: '/v1/history',
    request: { in: 'query', fields: { q: 'text', before: 'int', limit: 'int', account: 'text', inbox_id: 'text', event_type: 'text' } },
    schema: historyQuerySchema,
    reply: (page): HttpAnswer<HistoryResponse> => ({ status: 200, body: page }),
    read: (body: HistoryResponse) => body,
  },
  event: {
    method: 'GET',
    path: '/v1/events/:seq',
    request: { in: 'path', kind: 'int' },
    schema: positiveInt('seq'),
    reply: (item, seq): HttpAnswer<HistoryItem> => {
      if (item === null) throw notFoundError(`no event with seq ${seq}`);
      return { status: 200, body: item };
    },
    read: (body: HistoryItem, status) => (status === 404 ? null : body),
    answers: [404],
  },
  settings: {
    method: 'GET',
    path: '/v1/settings',
    request: NONE,
    schema: nothing,
    reply: (settings): HttpAnswer<Settings> => ({ status: 200, body: settings }),
    read: (body: Settings) => body,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/v1/settings',
    request: BODY,
    schema: settingsPatchSchema,
    reply: (settings): HttpAnswer<Settings> => ({ status: 200, body: settings }),
    read: (body: Settings) => body,
  },
  addAccount: {
    method: 'POST',
    path: '/v1/accounts',
    request: BODY,
    schema: addAccountSchema,
    // A key the provider refused is an answer (422 with `{ok:false,error}`), not a failed request.
    reply: (result): HttpAnswer<AddAccountResponse> => ({ status: result.ok ? 201 : 422, body: result }),
    read: (body: AddAccountResponse) => body,
    answers: [422],
  },
  removeAccount: {
    method: 'DELETE',
    path: '/v1/accounts/:name',
    request: { in: 'path', kind: 'text' },
    schema: z.string('the account name must be a string'),
    reply: (_done, name): HttpAnswer<RemovedResponse> => ({ status: 200, body: { removed: name } }),
    read: () => undefined,
  },
  addForwardTarget: {
    method: 'POST',
    path: '/v1/forward-targets',
    request: BODY,
    schema: addForwardTargetSchema,
    reply: (added): HttpAnswer<AddForwardTargetResponse> => ({ status: 201, body: added }),
    read: (body: AddForwardTargetResponse) => body,
  },
  removeForwardTarget: {
    method: 'DELETE',
    path: '/v1/forward-targets/:id',
    request: { in: 'path', kind: 'text' },
    schema: z.string('the forward target id must be a string'),
    reply: (_done, id): HttpAnswer<RemovedResponse> => ({ status: 200, body: { removed: id } }),
    read: () => undefined,
  },
  deadLetters: {
    method: 'GET',
    path: '/v1/deliveries',
    request: { in: 'query', fields: { target: 'text', status: 'text' } },
    schema: deadLettersSchema,
    reply: (deliveries): HttpAnswer<DeliveriesResponse> => ({ status: 200, body: { deliveries } }),
    read: (body: DeliveriesResponse) => body.deliveries,
  },
  retryDelivery: {
    method: 'POST',
    path: '/v1/deliveries/:id/retry',
    request: { in: 'path', kind: 'int' },
    schema: positiveInt('id'),
    reply: (queued, id): HttpAnswer<RetryResponse> => {
      if (!queued) throw notFoundError(`no dead letter ${id} with an active target`);
      return { status: 202, body: { id, status: 'retrying' } };
    },
    read: (_body: RetryResponse, status) => status !== 404,
    answers: [404],
  },
  redeliver: {
    method: 'POST',
    path: '/v1/events/:seq/redeliver',
    request: { in: 'path', kind: 'int' },
    schema: positiveInt('seq'),
    reply: (queued): HttpAnswer<RedeliverResponse> => ({ status: 202, body: { queued } }),
    read: (body: RedeliverResponse) => body.queued,
  },
  reconnect: {
    method: 'POST',
    path: '/v1/reconnect',
    request: NONE,
    schema: nothing,
    reply: (): HttpAnswer<ReconnectResponse> => ({ status: 202, body: { reconnecting: true } }),
    read: () => undefined,
  },
  testEvent: {
    method: 'POST',
    path: '/v1/test-event',
    request: NONE,
    schema: nothing,
    reply: (event): HttpAnswer<TestEventResponse> => ({ status: 201, body: { event } }),
    read: (body: TestEventResponse) => body.event,
  },
  tokens: {
    method: 'GET',
    path: '/v1/tokens',
    request: NONE,
    schema: nothing,
    reply: (tokens): HttpAnswer<TokensResponse> => ({ status: 200, body: { tokens } }),
    read: (body: TokensResponse) => body.tokens,
  },
  createToken: {
    method: 'POST',
    path: '/v1/tokens',
    request: BODY,
    schema: createTokenSchema,
    reply: (created): HttpAnswer<CreatedToken> => ({ status: 201, body: created }),
    read: (body: CreatedToken) => body,
  },
  revokeToken: {
    method: 'DELETE',
    path: '/v1/tokens/:name',
    request: { in: 'path', kind: 'text' },
    schema: z.string('the token name must be a string'),
    reply: (revoked, name): HttpAnswer<RemovedResponse> => {
      if (!revoked) throw notFoundError(`no token named "${name}"`);
      return { status: 200, body: { removed: name } };
    },
    read: (_body: RemovedResponse, status) => status !== 404,
    answers: [404],
  },
  audit: {
    method: 'GET',
    path: '/v1/audit',
    request: { in: 'query', fields: { before: 'int', limit: 'int', token: 'text' } },
    schema: auditQuerySchema,
    reply: (page): HttpAnswer<AuditResponse> => ({ status: 200, body: page }),
    read: (body: AuditResponse) => body,
  },
  // ---- Publishing to NATS JetStream
  setNatsSink: {
    method: 'POST',
    path: '/v1/sinks/nats',
    request: BODY,
    schema: setNatsSinkSchema,
    reply: (settings): HttpAnswer<Settings> => ({ status: 200, body: settings }),
    read: (body: Settings) => body,
  },
  removeNatsSink: {
    method: 'DELETE',
    path: '/v1/sinks/nats',
    request: NONE,
    schema: nothing,
    reply: (settings): HttpAnswer<Settings> => ({ status: 200, body: settings }),
    read: (body: Settings) => body,
  },
};

export const CONTROL_NAMES = [
  'status',
  'history',
  'event',
  'settings',
  'updateSettings',
  'addAccount',
  'removeAccount',
  'addForwardTarget',
  'removeForwardTarget',
  'deadLetters',
  'retryDelivery',
  'redeliver',
  'reconnect',
  'testEvent',
  'tokens',
  'createToken',
  'revokeToken',
  'audit',
  'setNatsSink',
  'removeNatsSink',
] as const satisfies readonly ControlName[];

type MissingCall = Exclude<ControlName, (typeof CONTROL_NAMES)[number]>;
export const everyCallListed: [MissingCall] extends [never] ? true : MissingCall = true;

// ---- Who may make each call ----------------------------------------------------------------------------------------

/**
 * The calls an agent token may make, with the scope each needs; every other call is the owner's alone (the window's
 * calls, tokens and the audit log). The engine answers these for the principal that asked.
 */
export const AGENT_CALLS: Partial<Record<ControlName, Access>> = { history: 'read', event: 'read' };

export function callAccess(name: ControlName): Access {
  return AGENT_CALLS[name] ?? 'owner';
}

/** Checks what a caller sent against the call's schema; a mismatch is a `bad_request` naming the first problem. */
export function parseRequest<M extends ControlName>(name: M, raw: unknown): ControlRequest<M> {
  const result = CONTROL_ROUTES[name].schema.safeParse(raw);
  if (result.success) return result.data;
  throw invalidRequest(issueText(result.error.issues[0]));
}

function issueText(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid request';
  if (issue.code === 'invalid_union') {
    // Name the problem in the alternative that came closest: one whose value had the right type.
    const closest = issue.errors.find((branch) => branch[0]?.code !== 'invalid_type' || branch[0].path.length > 0);
    return closest === undefined ? 'expected one of the accepted forms' : issueText(closest[0]);
  }
  const field = issue.path.join('.');
  return field === '' || issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
}

/** The window's ControlApi over any transport that can make one call by name. */
export function controlClient(call: <M extends ControlName>(name: M, request: ControlRequest<M>) => Promise<ControlResponse<M>>): ControlApi {
  return {
    status: () => call('status', undefined),
    history: (query) => call('history', query),
    event: (seq) => call('event', seq),
    settings: () => call('settings', undefined),
    updateSettings: (patch) => call('updateSettings', patch),
    addAccount: (request) => call('addAccount', request),
    removeAccount: (name) => call('removeAccount', name),
    addForwardTarget: (request) => call('addForwardTarget', request),
    removeForwardTarget: (id) => call('removeForwardTarget', id),
    deadLetters: (request) => call('deadLetters', request),
    retryDelivery: (id) => call('retryDelivery', id),
    redeliver: (seq) => call('redeliver', seq),
    reconnect: () => call('reconnect', undefined),
    testEvent: () => call('testEvent', undefined),
    tokens: () => call('tokens', undefined),
    createToken: (request) => call('createToken', request),
    revokeToken: (name) => call('revokeToken', name),
    audit: (query) => call('audit', query),
    setNatsSink: (request) => call('setNatsSink', request),
    removeNatsSink: () => call('removeNatsSink', undefined),
  };
}

// ---- The HTTP form of a request, for every client of the local API (the window, the command line) -----------------

/** Where a call's request goes: into the path's `:param`, the query string, or the JSON body. */
export function requestTarget(path: string, place: AnyRequestPlace, request: unknown): { path: string; body?: unknown } {
  switch (place.in) {
    case 'none':
      return { path };
    case 'body':
      return { path, body: request };
    case 'path':
      return { path: path.replace(/:\w+/, encodeURIComponent(String(request))) };
    case 'query':
      return { path: `${path}${querySearch(Object.keys(place.fields), request)}` };
  }
}

/**
 * The query string for a request of query fields, in their declared order, leaving out absent and blank ones
 * (text is trimmed). A request that is a single value stands for the first field (a dead-letter target id).
 */
function querySearch(fields: readonly string[], request: unknown): string {
  const values = new Map<string, unknown>(
    typeof request === 'object' && request !== null ? Object.entries(request) : request === undefined ? [] : [[fields[0] ?? '', request]],
  );
  const params = new URLSearchParams();
  for (const field of fields) {
    const value = values.get(field);
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    if (text !== '') params.set(field, text);
  }
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}
