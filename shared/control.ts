// What the window (and the browser dashboard, and next the MCP tools) can ask of the engine: every call is
// declared here once, with its request schema and its HTTP form, beside the IPC channels (shared/ipc.ts). The
// engine's HTTP routes, the IPC handlers' input checks and the window's HTTP client are all derived from
// CONTROL_ROUTES, and the checks at the bottom fail to compile when a ControlApi call has no entry.
import * as z from 'zod/mini';
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
import type { ForwardTargetSettings, Settings } from './settings.ts';
import { FORWARD_DELIVERY_LIMITS, FORWARD_ORDERS, FORWARD_RETRIES, type ForwardDelivery } from './forward-delivery.ts';
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

/** The editable part of settings; accounts and forward targets change through their own calls. */
export type SettingsPatch = Partial<Pick<Settings, 'port' | 'notifications' | 'retention' | 'launchAtLogin'>>;

/** A forward target's id (the window's shorthand), or a filter by target and status. */
export type DeadLettersRequest = string | DeadLettersQuery;

export interface ControlApi {
  status(): Promise<DaemonStatus>;
  history(query: HistoryQuery): Promise<HistoryResponse>;
  event(seq: number): Promise<HistoryItem | null>;
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
}

export type ControlName = keyof ControlApi;
export type ControlRequest<M extends ControlName> = Parameters<ControlApi[M]> extends [] ? void : Parameters<ControlApi[M]>[0];
export type ControlResponse<M extends ControlName> = Awaited<ReturnType<ControlApi[M]>>;
/** ControlApi seen one request per call: what a transport calls generically, by name. */
export type ControlCalls = { [M in ControlName]: (request: ControlRequest<M>) => Promise<ControlResponse<M>> };

// ---- Request schemas: the one runtime check of what a caller sends, at every boundary --------------------------

const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
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
    z.regex(ACCOUNT_NAME, 'account name must be 1-64 letters, digits, dots, dashes or underscores'),
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
  },
  (keys) => `these settings cannot be changed here: ${keys.join(', ')}`,
);

const deadLetterStatus = z.enum(['dead', 'retrying'], 'status must be one of dead, retrying');

const deadLettersSchema = z.optional(
  z.union([z.string(), closed({ target: filterText('target'), status: z.optional(deadLetterStatus) })]),
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
] as const satisfies readonly ControlName[];

type MissingCall = Exclude<ControlName, (typeof CONTROL_NAMES)[number]>;
export const everyCallListed: [MissingCall] extends [never] ? true : MissingCall = true;

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
  };
}
