// What one consumer received, and the verdict against what the provider emitted. A duplicate is an event
// handed out again to a cursor that had already moved past it; a named consumer's unacknowledged events may
// legitimately come again (that is at-least-once), and are counted apart.
export interface LedgerVerdict {
  name: string;
  received: number;
  lost: number;
  duplicated: number;
  /** Deliveries again of events the consumer had not (yet) acknowledged: expected, not an error. */
  redelivered: number;
  /** A few of the lost event ids, for the report. */
  lostSample: string[];
}

export class Ledger {
  readonly name: string;
  readonly #seen = new Map<string, number>();
  duplicated = 0;
  redelivered = 0;

  constructor(name: string) {
    this.name = name;
  }

  get size(): number {
    return this.#seen.size;
  }

  has(eventId: string): boolean {
    return this.#seen.has(eventId);
  }

  /**
   * One delivery. `seq` is the local position, when the transport carries it; `mayRepeatAbove` is the named
   * consumer's acknowledged seq at the time: anything after it may come again.
   */
  record(eventId: string, seq: number | null = null, mayRepeatAbove: number | null = null): void {
    const before = this.#seen.get(eventId);
    if (before === undefined) {
      this.#seen.set(eventId, seq ?? 0);
      return;
    }
    const legitimate = mayRepeatAbove !== null && seq !== null && seq === before && seq > mayRepeatAbove;
    if (legitimate) this.redelivered += 1;
    else this.duplicated += 1;
  }

  verdict(emitted: readonly string[]): LedgerVerdict {
    const missing = emitted.filter((id) => !this.#seen.has(id));
    return {
      name: this.name,
      received: this.#seen.size,
      lost: missing.length,
      duplicated: this.duplicated,
      redelivered: this.redelivered,
      lostSample: missing.slice(0, 5),
    };
  }
}
