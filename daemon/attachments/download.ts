// One attachment fetched into the file store: through the signed link the event carried while it is fresh, else
// through the provider's REST API with the account's key (daemon/providers/attachment-download.ts says how, per
// provider). The bytes go straight to a temp file and are kept only whole (daemon/store/attachment-blobs.ts). What
// went wrong comes back as a failure of a known kind, which the keeper turns into a retry, or into a final answer.
import type { MailAttachment, MailEvent } from '../../shared/event.ts';
import { errorMessage } from '../log.ts';
import { getAdapter } from '../providers/index.ts';
import { getSignedLink, restGetBytes, restGetJson, type ByteCallOptions } from '../providers/rest-client.ts';
import type { RestResult } from '../providers/rest-result.ts';
import type { RestTarget } from '../providers/rest.ts';
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
  /** The largest file kept. */
  maxBytes: number;
  /** How long after the commit the event's own link is still worth a try (OpenMail's last about 15 minutes). */
  linkFreshMs: number;
  /** For one download, from the first byte asked for to the last. */
  timeoutMs: number;
  now(): number;
  signal?: AbortSignal;
}

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
    let answer: RestResult<StoredBlob>;
    if (request.kind === 'bytes') {
      answer = await restGetBytes(target, request.path, sink, options);
    } else {
      const named = await restGetJson(target, request.path, options);
      const link = named.ok ? request.link(named.value) : null;
      answer = !named.ok
        ? named
        : link === null
          ? { ok: false, failure: { kind: 'malformed', status: null, retryAfterMs: null, message: `GET ${request.path}: the answer names no link` } }
          : await getSignedLink(link, sink, options);
    }
    if (answer.ok) return { ok: true, blob: answer.value, via: 'provider' };
    const { kind, message, retryAfterMs } = answer.failure;
    return failure(kind === 'not_found' ? 'not_found' : kind === 'too_large' ? 'too_large' : 'unreachable', withLink(message, linkProblem), retryAfterMs);
  } catch (error) {
    if (error instanceof SizeMismatchError) return failure('size_mismatch', `${name}: ${error.message}`);
    return failure('storage', `${name} could not be written to the attachment store: ${storageMessage(error)}`);
  }
}

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
