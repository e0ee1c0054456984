// Commit batching: the events that arrive in one read of the socket are stored in one transaction, together with
// the cursor that may follow them, before anything downstream sees them.
import type { MailEvent } from '../../shared/event.ts';
import type { CommitResult } from '../store/events.ts';

export interface CommitBatchOptions {
  /** Durably stores events together with the cursor that follows them; must be synchronous. */
  commit: (events: readonly MailEvent[], cursor: string | null) => CommitResult;
  /** The cursor that may be persisted with every event added so far, asked at commit time. */
  cursor: () => string | null;
  committed: (cursor: string | null, result: CommitResult) => void;
  /** Nothing was stored: the events are dropped here, and the provider must send them again. */
  failed: (error: unknown, count: number) => void;
}

export class CommitBatch {
  readonly #o: CommitBatchOptions;
  #events: MailEvent[] = [];
  #scheduled = false;

  constructor(options: CommitBatchOptions) {
    this.#o = options;
  }

  add(event: MailEvent): void {
    this.#events.push(event);
    if (this.#scheduled) return;
    // Frames that arrive in one read are all handled before the immediate runs.
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flush();
    });
  }

  /** Commits what is waiting now, rather than after the current read. */
  flush(): void {
    const events = this.#events;
    if (events.length === 0) return;
    this.#events = [];
    const cursor = this.#o.cursor();
    let result: CommitResult;
    try {
      result = this.#o.commit(events, cursor);
    } catch (error) {
      this.#o.failed(error, events.length);
      return;
    }
    this.#o.committed(cursor, result);
  }
}
