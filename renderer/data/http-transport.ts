// The dashboard in a browser: the /v1 routes of the local endpoint with a Bearer token, live events from the SSE
// stream (read with fetch, so the token stays in a header), and status by polling.
import type {
  AddAccountRequest,
  AddAccountResponse,
  AddForwardTargetRequest,
  AddForwardTargetResponse,
  ControlApi,
  SettingsPatch,
} from '../../shared/control.ts';
import type { StoredEvent } from '../../shared/event.ts';
import type { HistoryItem, HistoryQuery, HistoryResponse, TestEventResponse } from '../../shared/local-api.ts';
import type { Settings } from '../../shared/settings.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { isWebUrl } from '../format/external-url.ts';
import { ApiError } from './api-error.ts';
import type { DeadLetter } from '../../shared/status.ts';
import type { DataLayer } from './data-layer.ts';
import { createListeners } from './listeners.ts';
import { createSseParser } from './sse-parser.ts';

export const STATUS_INTERVAL_MS = 2_000;
/** Used until the stream's own `retry:` hint arrives. */
export const RECONNECT_MS = 2_000;

export interface HttpTransportOptions {
  /** The endpoint's origin, e.g. `http://127.0.0.1:4319`. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  statusIntervalMs?: number;
  reconnectMs?: number;
  writeClipboard?: (text: string) => Promise<void>;
  openWindow?: (url: string) => void;
}

type Timer = ReturnType<typeof setTimeout>;

export function createHttpTransport(options: HttpTransportOptions): DataLayer {
  const { baseUrl, token } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = { Authorization: `Bearer ${token}` };

  /** `answers` lists error statuses whose body is a regular answer rather than an `{error}`. */
  async function call(method: string, path: string, body?: unknown, answers: readonly number[] = []): Promise<Response> {
    const init: RequestInit =
      body === undefined
        ? { method, headers: auth }
        : { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, init);
    } catch {
      throw new ApiError(0, 'unreachable', `Cannot reach Mailbridge at ${baseUrl}. Is it running?`);
    }
    if (!response.ok && !answers.includes(response.status)) throw await apiErrorFrom(response);
    return response;
  }

  const json = async <T>(method: string, path: string, body?: unknown, answers?: readonly number[]): Promise<T> =>
    (await (await call(method, path, body, answers)).json()) as T;

  const orNull = async <T>(promise: Promise<T>, missing: T): Promise<T> => {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return missing;
      throw error;
    }
  };

  const api: ControlApi = {
    status: () => json<DaemonStatus>('GET', '/v1/status'),
    history: (query: HistoryQuery) => json<HistoryResponse>('GET', `/v1/history${historySearch(query)}`),
    event: (seq: number) => orNull(json<HistoryItem | null>('GET', `/v1/events/${seq}`), null),
    settings: () => json<Settings>('GET', '/v1/settings'),
    updateSettings: (patch: SettingsPatch) => json<Settings>('PATCH', '/v1/settings', patch),
    // A key the provider refused is an answer (422 with `{ok:false,error}`), not a failed request.
    addAccount: (request: AddAccountRequest) => json<AddAccountResponse>('POST', '/v1/accounts', request, [422]),
    removeAccount: async (name: string) => {
      await call('DELETE', `/v1/accounts/${encodeURIComponent(name)}`);
    },
    addForwardTarget: (request: AddForwardTargetRequest) =>
      json<AddForwardTargetResponse>('POST', '/v1/forward-targets', request),
    removeForwardTarget: async (id: string) => {
      await call('DELETE', `/v1/forward-targets/${encodeURIComponent(id)}`);
    },
    deadLetters: async (targetId?: string) =>
      (await json<{ deliveries: DeadLetter[] }>('GET', `/v1/deliveries${targetId ? `?target=${encodeURIComponent(targetId)}` : ''}`)).deliveries,
    retryDelivery: (id: number) => orNull(call('POST', `/v1/deliveries/${id}/retry`).then(() => true), false),
    redeliver: async (seq: number) => (await json<{ queued: number }>('POST', `/v1/events/${seq}/redeliver`)).queued,
    reconnect: async () => {
      await call('POST', '/v1/reconnect');
    },
    testEvent: async () => (await json<TestEventResponse>('POST', '/v1/test-event')).event,
  };

  // Status: one poll loop while anyone listens to status or to the connection state.
  const statusListeners = createListeners<DaemonStatus>(() => poller.update(), () => poller.update());
  const connectionListeners = createListeners<ApiError | null>(() => poller.update(), () => poller.update());
  const poller = createPoller(options.statusIntervalMs ?? STATUS_INTERVAL_MS, {
    wanted: () => statusListeners.size + connectionListeners.size > 0,
    poll: api.status,
    onStatus: (status) => statusListeners.emit(status),
    onProblem: (problem) => connectionListeners.emit(problem),
  });

  const eventListeners = createListeners<readonly StoredEvent[]>(
    () => stream.open(),
    () => stream.close(),
  );
  const stream = createEventStream({
    baseUrl,
    headers: auth,
    fetch: doFetch,
    reconnectMs: options.reconnectMs ?? RECONNECT_MS,
    latestSeq: async () => (await api.status()).store.latestSeq,
    onEvents: (events) => eventListeners.emit(events),
  });

  const writeClipboard = options.writeClipboard ?? ((text: string) => navigator.clipboard.writeText(text));
  const openWindow = options.openWindow ?? ((url: string) => void window.open(url, '_blank', 'noopener,noreferrer'));

  return {
    transport: 'http',
    api,
    live: {
      onEvents: eventListeners.add,
      onStatus: statusListeners.add,
      // Notifications belong to the tray app; a browser tab never receives a click on one.
      onShowEvent: () => () => undefined,
      onConnection: connectionListeners.add,
    },
    host: {
      copyToken: () => writeClipboard(token),
      openExternal: async (url: string) => {
        if (!isWebUrl(url)) throw new ApiError(400, 'bad_request', 'Only http and https links can be opened');
        openWindow(url);
      },
    },
  };
}

/** `GET /v1/history` query string: empty and absent fields are left out. */
export function historySearch(query: HistoryQuery): string {
  const params = new URLSearchParams();
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') params.set(name, String(value));
  };
  add('q', query.q?.trim());
  add('before', query.before);
  add('limit', query.limit);
  add('account', query.account);
  add('inbox_id', query.inbox_id);
  add('event_type', query.event_type);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const fallback = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown };
    // The documented shape is {error:{code,message}}; a bare {error:"..."} still carries a message worth showing.
    const detail: { code?: unknown; message?: unknown } =
      typeof body.error === 'string' ? { message: body.error } : ((body.error ?? {}) as object);
    return new ApiError(
      response.status,
      typeof detail.code === 'string' ? detail.code : 'http_error',
      typeof detail.message === 'string' && detail.message !== '' ? detail.message : fallback,
    );
  } catch {
    return new ApiError(response.status, 'http_error', fallback);
  }
}

interface PollerHooks {
  wanted(): boolean;
  poll(): Promise<DaemonStatus>;
  onStatus(status: DaemonStatus): void;
  onProblem(problem: ApiError | null): void;
}

function createPoller(intervalMs: number, hooks: PollerHooks): { update(): void } {
  let timer: Timer | null = null;
  let running = false;
  let lastProblem: string | null | undefined;

  const tick = async (): Promise<void> => {
    let problem: ApiError | null = null;
    try {
      hooks.onStatus(await hooks.poll());
    } catch (error) {
      problem = error instanceof ApiError ? error : new ApiError(0, 'unreachable', String(error));
    }
    // Only changes are reported, so listeners see one "lost" and one "back", not one per poll.
    const key = problem === null ? null : `${problem.status}:${problem.message}`;
    if (key !== lastProblem) hooks.onProblem(problem);
    lastProblem = key;
    if (running) timer = setTimeout(() => void tick(), intervalMs);
  };

  return {
    update() {
      if (hooks.wanted() && !running) {
        running = true;
        void tick();
      } else if (!hooks.wanted() && running) {
        running = false;
        lastProblem = undefined;
        if (timer !== null) clearTimeout(timer);
        timer = null;
      }
    },
  };
}

interface StreamOptions {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  reconnectMs: number;
  latestSeq(): Promise<number>;
  onEvents(events: StoredEvent[]): void;
}

/**
 * Follows `GET /v1/stream` from the newest event at the time it opens. After a drop it reconnects with
 * Last-Event-ID, as EventSource would, so the engine replays whatever was committed in between.
 */
function createEventStream(options: StreamOptions): { open(): void; close(): void } {
  let controller: AbortController | null = null;
  let timer: Timer | null = null;
  let after: number | null = null;
  let lastSeq: number | null = null;
  let retryMs = options.reconnectMs;

  const connect = async (signal: AbortSignal): Promise<void> => {
    if (after === null) {
      const latest = await options.latestSeq();
      if (signal.aborted) return;
      after = latest;
    }
    lastSeq ??= after;
    const headers: Record<string, string> = { ...options.headers, Accept: 'text/event-stream' };
    if (lastSeq !== after) headers['Last-Event-ID'] = String(lastSeq);
    const response = await options.fetch(`${options.baseUrl}/v1/stream?after=${after}`, { headers, signal });
    if (!response.ok || response.body === null) throw await apiErrorFrom(response);
    let batch: StoredEvent[] = [];
    const parser = createSseParser((message) => {
      const event = parseStoredEvent(message.data);
      if (event !== null) batch.push(event);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      parser.push(chunk.value);
      retryMs = parser.retryMs ?? retryMs;
      if (batch.length === 0) continue;
      lastSeq = batch[batch.length - 1]?.seq ?? lastSeq;
      const ready = batch;
      batch = [];
      options.onEvents(ready);
    }
  };

  const run = (): void => {
    const current = new AbortController();
    controller = current;
    connect(current.signal)
      .catch(() => undefined)
      .finally(() => {
        if (controller !== current || current.signal.aborted) return;
        timer = setTimeout(run, retryMs);
      });
  };

  return {
    open() {
      if (controller === null) run();
    },
    close() {
      controller?.abort();
      controller = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      // The next subscriber starts from the newest event again, like a fresh page would.
      after = null;
      lastSeq = null;
    },
  };
}

function parseStoredEvent(data: string): StoredEvent | null {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const event = value as StoredEvent;
    return Number.isSafeInteger(event.seq) && typeof event.event === 'string' ? event : null;
  } catch {
    return null;
  }
}
