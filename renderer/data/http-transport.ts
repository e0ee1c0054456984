// The dashboard in a browser: the /v1 routes of the local endpoint with a Bearer token, live events from the SSE
// stream (read with fetch, so the token stays in a header), and status by polling. Attachments are fetched with the
// token in a header too, and handed to the browser as blob URLs, so the token never goes into a URL.
import { createParser } from 'eventsource-parser';
import {
  CONTROL_ROUTES,
  controlClient,
  requestTarget,
  type ControlName,
  type ControlRequest,
  type ControlResponse,
} from '../../shared/control.ts';
import { attachmentIdOf, attachmentPath, essenceOf, isPassiveType, OCTET_STREAM, safeFilename } from '../../shared/attachments.ts';
import type { StoredEvent } from '../../shared/event.ts';
import type { HistoryQuery } from '../../shared/local-api.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { isWebUrl } from '../format/external-url.ts';
import { ApiError } from './api-error.ts';
import type { DataLayer, KeptAttachment } from './data-layer.ts';
import { createListeners } from './listeners.ts';

export const STATUS_INTERVAL_MS = 2_000;
/** Used until the stream's own `retry:` hint arrives. */
export const RECONNECT_MS = 2_000;
/** A blob URL handed to the browser is released after this: long enough for a tab to load it or a save to start. */
export const BLOB_URL_LIFETIME_MS = 60_000;

export interface HttpTransportOptions {
  /** The endpoint's origin, e.g. `http://127.0.0.1:4319`. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  statusIntervalMs?: number;
  reconnectMs?: number;
  writeClipboard?: (text: string) => Promise<void>;
  openWindow?: (url: string) => void;
  /** Starts a download of `url` as `filename` (a click on a temporary `<a download>` by default). */
  download?: (url: string, filename: string) => void;
}

type Timer = ReturnType<typeof setTimeout>;

export function createHttpTransport(options: HttpTransportOptions): DataLayer {
  const { baseUrl, token } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = { Authorization: `Bearer ${token}` };

  /** `answers` lists error statuses whose body is a regular answer rather than an `{error}`. */
  async function send(method: string, path: string, body: unknown, answers: readonly number[]): Promise<Response> {
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

  // Method, path, where the request goes and how the answer reads all come from the call's one declaration.
  const api = controlClient(async <M extends ControlName>(name: M, request: ControlRequest<M>): Promise<ControlResponse<M>> => {
    const route = CONTROL_ROUTES[name];
    const target = requestTarget(route.path, route.request, request);
    const response = await send(route.method, target.path, target.body, route.answers ?? []);
    return route.read(await response.json(), response.status);
  });

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
  const download = options.download ?? clickDownload;

  /** The file's bytes from this endpoint (whatever origin local_url names), as a blob of the type it is handed on as. */
  async function attachmentBlob(attachment: KeptAttachment, type: string): Promise<string> {
    const id = attachmentIdOf(attachment.local_url);
    if (id === null) throw new ApiError(400, 'bad_request', `${attachment.filename} is not an attachment Mailbridge keeps`);
    const response = await send('GET', attachmentPath(id), undefined, []);
    const url = URL.createObjectURL(new Blob([await response.arrayBuffer()], { type }));
    setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
    return url;
  }

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
      openAttachment: async (attachment) => {
        if (!isPassiveType(attachment.contentType)) throw notShownInPlace(attachment);
        openWindow(await attachmentBlob(attachment, essenceOf(attachment.contentType)));
      },
      // As bytes with no type of their own, so the browser saves them rather than showing them.
      saveAttachment: async (attachment) => download(await attachmentBlob(attachment, OCTET_STREAM), safeFilename(attachment.filename)),
    },
  };
}

export function notShownInPlace(attachment: KeptAttachment): ApiError {
  return new ApiError(400, 'bad_request', `${attachment.filename} (${attachment.contentType}) could run code if shown here: save it instead`);
}

function clickDownload(url: string, filename: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.click();
}

/** `GET /v1/history` query string: empty and absent fields are left out. */
export function historySearch(query: HistoryQuery): string {
  return requestTarget('', CONTROL_ROUTES.history.request, query).path;
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
    const parser = createParser({
      onEvent: (message) => {
        const event = parseStoredEvent(message.data);
        if (event !== null) batch.push(event);
      },
      onRetry: (ms) => {
        retryMs = ms;
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      // The events of one chunk reach listeners as one batch.
      parser.feed(chunk.value);
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
