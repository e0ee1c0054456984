// Keeps every attachment of committed mail, in the background: shortly after a commit (never inside it) the new
// attachments get their rows, and a few downloads at a time fetch them into the file store, each retried with backoff
// until it is kept or can never be. What is pending lives in SQLite, so a restart carries on. Past the total limit the
// files kept longest go first; retention takes a file once no kept mail names it.
//
// The route and the MCP tool ask for a file here: a kept one is opened, anything else is fetched at once through the
// provider (joining a download already under way), and what cannot be had is a coded error that says why.
import type { FileHandle } from 'node:fs/promises';
import fs from 'node:fs/promises';
import { isAttachmentId } from '../../shared/attachments.ts';
import { CodedError, notFoundError } from '../../shared/errors.ts';
import type { MailAttachment, MailEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import type { AttachmentSettings } from '../../shared/settings.ts';
import type { AttachmentsStatus } from '../../shared/status.ts';
import { canSee } from '../access/visibility.ts';
import type { TimerHandle, Timers } from '../clock.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { RestTarget } from '../providers/rest.ts';
import type { SlidingWindow } from '../rate-limit.ts';
import type { BlobStore } from '../store/attachment-blobs.ts';
import type { AttachmentRow, AttachmentStore } from '../store/attachments.ts';
import { downloadAttachment, type DownloadFailure, type DownloadOutcome } from './download.ts';

export interface KeeperPolicy {
  /** Background downloads at once (a route's on-demand fetch does not wait for a slot). */
  concurrency: number;
  /** How long after a commit its attachments are looked for: commits close together are looked at once. */
  afterCommitMs: number;
  /** Events looked at per pass, in one transaction. */
  scanBatch: number;
  /** How long after the commit the event's own link is tried first (OpenMail's work for about 15 minutes). */
  linkFreshMs: number;
  /** One download, from the request to the last byte. */
  downloadTimeoutMs: number;
  /** After a failure: `baseMs`, doubling, at most `capMs` (longer if the provider's Retry-After says so). */
  retry: { baseMs: number; capMs: number };
  /** A provider that keeps saying it has no such file, or bytes that keep coming short: failed after this many tries. */
  triesBeforeGivingUp: number;
  /** How long a request for a file that is not kept waits for it to be fetched. */
  onDemandWaitMs: number;
  /** A provider's 429 asking for at most this long is waited out within the download. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_KEEPER_POLICY: KeeperPolicy = {
  concurrency: 3,
  afterCommitMs: 50,
  scanBatch: 2_000,
  linkFreshMs: 10 * 60_000,
  downloadTimeoutMs: 120_000,
  retry: { baseMs: 5_000, capMs: 10 * 60_000 },
  triesBeforeGivingUp: 3,
  onDemandWaitMs: 60_000,
  maxRateLimitWaitMs: 20_000,
};

export interface KeeperDeps {
  store: AttachmentStore;
  blobs: BlobStore;
  /** The account's REST base and key; null when the engine runs no such account with a key. */
  restTarget(account: string): RestTarget | null;
  /** The account's REST request window, shared with catch-up, so both together stay under the provider's limit. */
  requestWindow(account: string): SlidingWindow | null;
  timers: Timers;
  log: Logger;
  /** Counts or the last error changed: status is worth sending again. */
  onChange(): void;
}

/** A kept attachment, open for reading (the caller closes `file`). */
export interface KeptFile {
  file: FileHandle;
  size: number;
  sha256: string;
  filename: string;
  contentType: string;
  seq: number;
  index: number;
  event: MailEvent;
  attachment: MailAttachment;
}

export class AttachmentKeeper {
  readonly #deps: KeeperDeps;
  readonly #policy: KeeperPolicy;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Map<string, Promise<DownloadOutcome | null>>();
  #limits: AttachmentSettings;
  #background = 0;
  #registerTimer: TimerHandle | null = null;
  #pumpTimer: TimerHandle | null = null;
  #lastError: AttachmentsStatus['lastError'] = null;
  /** The kind of the last retry logged: one line per kind until a file is kept, since a provider that is offline
   * would otherwise log every pending file's every try. Status keeps the latest. */
  #loggedRetryKind: DownloadFailure['kind'] | null = null;
  #stopped = false;

  constructor(deps: KeeperDeps, limits: AttachmentSettings, policy: KeeperPolicy = DEFAULT_KEEPER_POLICY) {
    this.#deps = deps;
    this.#limits = limits;
    this.#policy = policy;
  }

  /** Clears what a killed run left (temp files, files the store never recorded) and carries on with what is pending. */
  start(): void {
    const { blobs, store } = this.#deps;
    blobs.open();
    for (const name of blobs.list()) if (!store.knowsFile(name)) this.#removeFile(name);
    this.afterRetention();
    this.#scheduleRegister(0);
  }

  /** Called after every commit that stored events. */
  noteCommitted(): void {
    this.#scheduleRegister(this.#policy.afterCommitMs);
  }

  /** The machine woke or the network came back: whatever waits for a retry is tried now. */
  wake(): void {
    if (this.#stopped) return;
    this.#deps.store.retryNow();
    this.#pump();
  }

  setLimits(limits: AttachmentSettings): void {
    this.#limits = limits;
    this.#evict(new Set());
    this.#deps.onChange();
  }

  /** Retention removed events: their attachments' rows went with them, and files no kept mail names go now. */
  afterRetention(): void {
    for (const sha256 of this.#deps.store.unreferencedFiles()) this.#removeFile(sha256);
  }

  status(): AttachmentsStatus {
    return {
      ...this.#deps.store.counts(),
      maxFileBytes: this.#maxFileBytes(),
      maxTotalBytes: this.#limits.maxTotalBytes,
      lastError: this.#lastError,
    };
  }

  /**
   * The attachment `id` names, whole and open, for `principal`: a kept file at once, anything else fetched now. An id
   * that names nothing this principal may see is `not_found`; a file that cannot be had is a coded error saying why.
   */
  async open(id: string, principal: Principal): Promise<KeptFile> {
    const missing = notFoundError(`no attachment ${id}: its mail may have been removed by retention, or this token may not see it`);
    if (!isAttachmentId(id)) throw missing;
    let row = this.#row(id);
    if (row === null || !canSee(principal, row.event)) throw missing;
    // A kept file may turn out missing or damaged: then it is fetched again, once.
    for (let round = 0; round < 2; round++) {
      if (row.state === 'kept' && row.sha256 !== null) {
        const kept = await this.#openKept(row);
        if (kept !== null) return kept;
        this.#deps.store.forgetFile(row.id);
      }
      const evicted = row.state === 'evicted';
      const outcome = await this.#fetchWithin(id, this.#policy.onDemandWaitMs);
      row = this.#deps.store.row(id);
      if (row === null) throw missing;
      if (row.state === 'kept') continue;
      throw unavailable(outcome, evicted ? this.#limits.maxTotalBytes : null);
    }
    throw new CodedError('bad_gateway', 'the attachment was fetched, but its file could not be read back');
  }

  /** A kept file whose bytes did not match their hash: every mail that named it fetches it again. */
  damaged(sha256: string): void {
    for (const id of this.#deps.store.dropFile(sha256)) this.#deps.log.warn(`attachment ${id}: its kept file was damaged; fetching it again`);
    this.#removeFile(sha256);
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#registerTimer !== null) this.#deps.timers.clearTimeout(this.#registerTimer);
    if (this.#pumpTimer !== null) this.#deps.timers.clearTimeout(this.#pumpTimer);
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  #maxFileBytes(): number {
    return Math.min(this.#limits.maxFileBytes, this.#limits.maxTotalBytes);
  }

  /** The row, after adding the rows of whatever was committed since the last pass (a request may be that quick). */
  #row(id: string): AttachmentRow | null {
    const { store } = this.#deps;
    const row = store.row(id);
    if (row !== null) return row;
    while (store.registerPending(this.#policy.scanBatch).more);
    return store.row(id);
  }

  #scheduleRegister(ms: number): void {
    if (this.#stopped || this.#registerTimer !== null) return;
    this.#registerTimer = this.#deps.timers.setTimeout(() => this.#register(), ms);
  }

  #register(): void {
    this.#registerTimer = null;
    let more = false;
    try {
      const pass = this.#deps.store.registerPending(this.#policy.scanBatch);
      more = pass.more;
      if (pass.added > 0) this.#deps.onChange();
    } catch (error) {
      this.#deps.log.warn(`attachments: could not note the attachments of new mail (will retry): ${errorMessage(error)}`);
      this.#scheduleRegister(this.#policy.retry.baseMs);
      return;
    }
    if (more) this.#scheduleRegister(0);
    this.#pump();
  }

  /** Starts due downloads while slots are free; otherwise waits for the next one to fall due. */
  #pump(): void {
    if (this.#stopped) return;
    if (this.#pumpTimer !== null) {
      this.#deps.timers.clearTimeout(this.#pumpTimer);
      this.#pumpTimer = null;
    }
    const free = this.#policy.concurrency - this.#background;
    if (free <= 0) return;
    // One reading of the clock for both questions: read twice, a row due in between is neither started nor waited for.
    const now = this.#deps.timers.now();
    const due = this.#deps.store.due(free + this.#inFlight.size, now).filter((id) => !this.#inFlight.has(id)).slice(0, free);
    for (const id of due) {
      this.#background += 1;
      void this.#fetch(id).finally(() => {
        this.#background -= 1;
        this.#pump();
      });
    }
    if (due.length > 0) return;
    const next = this.#deps.store.nextDueAt();
    // Due rows that are all in flight wake the pump when they finish (#fetch).
    if (next !== null && next > now) this.#pumpTimer = this.#deps.timers.setTimeout(() => this.#pump(), next - now);
  }

  /** One download per attachment at a time: a request and the background join the same one. */
  #fetch(id: string): Promise<DownloadOutcome | null> {
    let running = this.#inFlight.get(id);
    if (running === undefined) {
      running = this.#download(id).finally(() => {
        this.#inFlight.delete(id);
        // A pump that ran meanwhile skipped this row as in flight and set no timer for it: the next try is due now.
        this.#pump();
      });
      this.#inFlight.set(id, running);
    }
    return running;
  }

  async #fetchWithin(id: string, ms: number): Promise<DownloadOutcome | null> {
    let timer: TimerHandle | null = null;
    const late = new Promise<'late'>((resolve) => (timer = this.#deps.timers.setTimeout(() => resolve('late'), ms)));
    try {
      const outcome = await Promise.race([this.#fetch(id), late]);
      if (outcome === 'late') {
        throw new CodedError('bad_gateway', `the provider has not sent the attachment within ${Math.round(ms / 1000)} s; it is still being fetched: try again shortly`);
      }
      return outcome;
    } finally {
      if (timer !== null) this.#deps.timers.clearTimeout(timer);
    }
  }

  /** Null when there was nothing to do (the mail went, or the file is kept already). */
  async #download(id: string): Promise<DownloadOutcome | null> {
    const { store, blobs } = this.#deps;
    const row = store.row(id);
    if (row === null || this.#stopped) return null;
    if (row.state === 'kept' && row.sha256 !== null && blobs.size(row.sha256) !== null) return null;
    const attachment = row.event.message?.attachments?.[row.index];
    if (attachment === undefined) {
      store.fail(id, 'its mail holds no such attachment', null);
      return null;
    }
    const outcome = await downloadAttachment(
      { account: row.account, event: row.event, attachment, storedAt: row.storedAt },
      {
        blobs,
        restTarget: this.#deps.restTarget,
        requestWindow: this.#deps.requestWindow,
        maxBytes: this.#maxFileBytes(),
        linkFreshMs: this.#policy.linkFreshMs,
        timeoutMs: this.#policy.downloadTimeoutMs,
        maxRateLimitWaitMs: this.#policy.maxRateLimitWaitMs,
        now: this.#deps.timers.now,
        signal: this.#stopping.signal,
      },
    );
    // A download cut short by the engine stopping stays pending, as it was.
    if (this.#stopped) return outcome;
    if (outcome.ok) {
      store.keep(id, outcome.blob.sha256, outcome.blob.size);
      this.#lastError = null;
      this.#loggedRetryKind = null;
      this.#evict(new Set([outcome.blob.sha256]));
    } else {
      this.#failed(row, outcome.failure);
    }
    this.#deps.onChange();
    return outcome;
  }

  #failed(row: AttachmentRow, failure: DownloadFailure): void {
    const tries = row.attempts + 1;
    const final =
      failure.kind === 'too_large' ||
      failure.kind === 'unfetchable' ||
      ((failure.kind === 'not_found' || failure.kind === 'size_mismatch') && tries >= this.#policy.triesBeforeGivingUp);
    const { baseMs, capMs } = this.#policy.retry;
    const delay = Math.max(Math.min(capMs, baseMs * 2 ** Math.min(row.attempts, 30)), failure.retryAfterMs ?? 0);
    const now = this.#deps.timers.now();
    this.#deps.store.fail(row.id, failure.message, final ? null : now + delay);
    this.#lastError = { at: new Date(now).toISOString(), message: failure.message };
    const what = `attachment ${row.id} of mail ${row.seq}`;
    if (final) this.#deps.log.warn(`${what} will not be kept: ${failure.message}`);
    else if (this.#loggedRetryKind !== failure.kind) {
      this.#loggedRetryKind = failure.kind;
      this.#deps.log.info(`${what} not fetched (try ${tries}, again in ${Math.round(delay / 1000)} s; more like it only in the status): ${failure.message}`);
    }
  }

  async #openKept(row: AttachmentRow): Promise<KeptFile | null> {
    const attachment = row.event.message?.attachments?.[row.index];
    if (attachment === undefined || row.sha256 === null) return null;
    let file: FileHandle;
    try {
      file = await fs.open(this.#deps.blobs.path(row.sha256), 'r');
    } catch {
      return null;
    }
    const { size } = await file.stat();
    if (size !== attachment.sizeBytes) {
      await file.close();
      return null;
    }
    return {
      file,
      size,
      sha256: row.sha256,
      filename: attachment.filename,
      contentType: attachment.contentType,
      seq: row.seq,
      index: row.index,
      event: row.event,
      attachment,
    };
  }

  #evict(keep: ReadonlySet<string>): void {
    const gone = this.#deps.store.evict(this.#limits.maxTotalBytes, keep);
    if (gone.length === 0) return;
    this.#deps.log.info(`attachments: ${gone.length} file(s) removed to stay under ${this.#limits.maxTotalBytes} bytes`);
    for (const sha256 of gone) this.#removeFile(sha256);
  }

  /** A file open elsewhere may not go at once on every system; the next start removes what the store no longer knows. */
  #removeFile(sha256: string): void {
    try {
      this.#deps.blobs.remove(sha256);
    } catch (error) {
      this.#deps.log.warn(`attachments: could not remove a file (the next start will): ${errorMessage(error)}`);
    }
  }
}

/** What a request is told when the file could not be had. */
function unavailable(outcome: DownloadOutcome | null, evictedUnder: number | null): CodedError {
  const failure = outcome === null || outcome.ok ? null : outcome.failure;
  const why = failure?.message ?? 'it could not be fetched';
  const message =
    evictedUnder === null ? why : `it was removed to keep the attachment store under ${evictedUnder} bytes, and fetching it again failed: ${why}`;
  switch (failure?.kind) {
    case 'too_large':
    case 'storage':
      return new CodedError('insufficient_storage', message);
    case 'not_found':
    case 'unfetchable':
      return new CodedError('not_found', message);
    case 'throttled':
      return new CodedError('too_many_requests', `the provider asks Mailbridge to slow down; try again shortly: ${message}`);
    default:
      return new CodedError('bad_gateway', message);
  }
}
