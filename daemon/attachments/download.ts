// One attachment fetched into the file store: through the signed link the event carried while it is fresh, else
// through the provider's REST API with the account's key (daemon/providers/attachment-download.ts says how, per
// provider), paced within the account's requests a minute (the window catch-up uses too) and waiting out a short
// 429. The bytes go straight to a temp file and are kept only whole (daemon/store/attachment-blobs.ts). What went
// wrong comes back as a failure of a known kind, which the keeper turns into a retry, or into a final answer.
import type { MailAttachment, MailEvent } from '../../shared/event.ts';
import { errorMessage } from '../log.ts';
import { getAdapter } from '../providers/index.ts';
import type { AttachmentRequest } from '../providers/attachment-download.ts';
import { getSignedLink, restGetBytes, restGetJson, type ByteCallOptions, type ByteSink } from '../providers/rest-client.ts';
import type { RestFailureKind, RestResult } from '../providers/rest-result.ts';
import type { RestTarget } from '../providers/rest.ts';
import type { SlidingWindow } from '../rate-limit.ts';
import { SizeMismatchError, type BlobStore, type StoredBlob } from '../store/attachment-blobs.ts';

export interface DownloadJob {
  account: string;
  event: MailEvent;
  attachment: MailAttachment;
  /** When the event was committed (epoch ms): a link older than `linkFreshMs` is not tried. */
  storedAt: number;
}

export interface DownloadDeps {
  blobs: BlobStore;
  /** The account's REST base and key; null when the engine runs no such account with a key. */
  restTarget(account: string): RestTarget | null;
  /** The account's REST request window, shared with catch-up; null when it has none. */
  requestWindow(account: string): SlidingWindow | null;
  /** The largest file kept. */
  maxBytes: number;
  /** How long after the commit the event's own link is still worth a try (OpenMail's last about 15 minutes). */
  linkFreshMs: number;
  /** For one download, from the first byte asked for to the last. */
  timeoutMs: number;
  /** A 429 asking for at most this long is waited out; a longer one ends the download (to be retried later). */
  maxRateLimitWaitMs: number;
  now(): number;
  signal?: AbortSignal;
}

const MAX_RATE_LIMITED_TRIES = 3;

export type FailureKind =
  /** Over the per-file limit: never kept. */
  | 'too_large'
  /** Nothing in the mail says how to fetch it from the provider. */
  | 'unfetchable'
  /** The provider says it has no such file. */
  | 'not_found'
  /** The bytes came, but not as many as the mail said. */
  | 'size_mismatch'
  /** The file could not be written here: a full disk, a permission. */
  | 'storage'
  /** The provider asks to wait (429) longer than a download waits. */
  | 'throttled'
  /** The link and the provider could not be reached, or refused for now. */
  | 'unreachable';

export interface DownloadFailure {
  kind: FailureKind;
  message: string;
  /** What the provider asked for (a 429's Retry-After). */
  retryAfterMs: number | null;
}

export type DownloadOutcome = { ok: true; blob: StoredBlob; via: 'link' | 'provider' } | { ok: false; failure: DownloadFailure };

export async function downloadAttachment(job: DownloadJob, deps: DownloadDeps): Promise<DownloadOutcome> {
  const { attachment } = job;
  const name = JSON.stringify(attachment.filename);
  if (attachment.sizeBytes > deps.maxBytes) {
    return failure('too_large', `${name} is ${attachment.sizeBytes} bytes, more than the ${deps.maxBytes} kept per file`);
  }
  const options: ByteCallOptions = {
    limits: { timeoutMs: deps.timeoutMs, maxBytes: deps.maxBytes },
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  const sink = (body: AsyncIterable<Uint8Array>): Promise<StoredBlob> => deps.blobs.put(body, attachment.sizeBytes);
  let linkProblem: string | null = null;
  try {
    if (attachment.url !== undefined && deps.now() - job.storedAt < deps.linkFreshMs) {
      const viaLink = await getSignedLink(attachment.url, sink, options);
      if (viaLink.ok) return { ok: true, blob: viaLink.value, via: 'link' };
      linkProblem = viaLink.failure.message;
    }
    const target = deps.restTarget(job.account);
    if (target === null) {
      return failure('unreachable', withLink(`the account ${job.account} is not running with an API key, so its provider cannot be asked`, linkProblem));
    }
    const request = getAdapter(target.provider).attachments.request(job.event, attachment);
    if (request === null) {
      return failure('unfetchable', withLink(`the mail does not say how ${target.provider} serves ${name}`, linkProblem));
    }
    const window = deps.requestWindow(job.account);
    const call = (): Promise<RestResult<StoredBlob>> => paced(window, deps, () => fromProvider(target, request, sink, options));
    let answer = await call();
    for (let tries = 1; !answer.ok && answer.failure.kind === 'rate_limited' && tries < MAX_RATE_LIMITED_TRIES; tries++) {
      const wait = answer.failure.retryAfterMs ?? 1_000 * 2 ** (tries - 1);
      if (wait > deps.maxRateLimitWaitMs || deps.signal?.aborted) break;
      await sleep(wait, deps.signal);
      answer = await call();
    }
    if (answer.ok) return { ok: true, blob: answer.value, via: 'provider' };
    const { kind, message, retryAfterMs } = answer.failure;
    return failure(FAILURES[kind] ?? 'unreachable', withLink(message, linkProblem), retryAfterMs);
  } catch (error) {
    if (error instanceof SizeMismatchError) return failure('size_mismatch', `${name}: ${error.message}`);
    return failure('storage', `${name} could not be written to the attachment store: ${storageMessage(error)}`);
  }
}

/** The bytes through the provider's call: at the path itself, or through the link its JSON answer names. */
async function fromProvider(target: RestTarget, request: AttachmentRequest, sink: ByteSink<StoredBlob>, options: ByteCallOptions): Promise<RestResult<StoredBlob>> {
  if (request.kind === 'bytes') return restGetBytes(target, request.path, sink, options);
  const named = await restGetJson(target, request.path, options);
  if (!named.ok) return named;
  const link = request.link(named.value);
  if (link === null) return { ok: false, failure: { kind: 'malformed', status: null, retryAfterMs: null, message: `GET ${request.path}: the answer names no link` } };
  return getSignedLink(link, sink, options);
}

/** Waits for room in the account's request window (re-checked after each wait: downloads run side by side), then calls. */
async function paced<T>(window: SlidingWindow | null, deps: DownloadDeps, call: () => Promise<T>): Promise<T> {
  if (window !== null) {
    for (let wait = window.waitMs(deps.now()); wait > 0 && !deps.signal?.aborted; wait = window.waitMs(deps.now())) await sleep(wait, deps.signal);
    window.record(deps.now());
  }
  return call();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const FAILURES: Partial<Record<RestFailureKind, FailureKind>> = { not_found: 'not_found', too_large: 'too_large', rate_limited: 'throttled' };

function failure(kind: FailureKind, message: string, retryAfterMs: number | null = null): DownloadOutcome {
  return { ok: false, failure: { kind, message, retryAfterMs } };
}

function withLink(message: string, linkProblem: string | null): string {
  return linkProblem === null ? message : `${message} (and the mail's own link: ${linkProblem})`;
}

function storageMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  return code ? `${code} (${errorMessage(error)})` : errorMessage(error);
}
