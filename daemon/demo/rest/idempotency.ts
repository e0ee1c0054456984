// Idempotency keys as OpenMail documents them for sends: per account, kept 24 hours, and bound to the request
// body. The same key with the same body gets the first answer again (nothing is sent twice); the same key with
// another body is refused. Only answered sends are remembered, so a send refused by a limit can be retried.
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotencyCheck<T> = { kind: 'new' } | { kind: 'replay'; answer: T } | { kind: 'conflict' };

interface Entry<T> {
  bodyHash: string;
  answer: T;
  at: number;
}

export class IdempotencyKeys<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  check(key: string, body: Buffer): IdempotencyCheck<T> {
    this.#expire();
    const entry = this.#entries.get(key);
    if (!entry) return { kind: 'new' };
    return entry.bodyHash === hash(body) ? { kind: 'replay', answer: entry.answer } : { kind: 'conflict' };
  }

  remember(key: string, body: Buffer, answer: T): void {
    this.#entries.set(key, { bodyHash: hash(body), answer, at: this.#now() });
  }

  #expire(): void {
    const cutoff = this.#now() - IDEMPOTENCY_TTL_MS;
    // Map iteration follows insertion order, which is also age order.
    for (const [key, entry] of this.#entries) {
      if (entry.at > cutoff) break;
      this.#entries.delete(key);
    }
  }
}

function hash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
