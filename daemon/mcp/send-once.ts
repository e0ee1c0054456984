// A send tool's call, made once however often it is repeated: the stdio bridge reconnecting to a restarted engine,
// a client retrying after a timeout, or an agent calling again because it did not see the answer. Identical calls
// (the same principal, tool, account, inbox and mail) within the window share one Idempotency-Key, kept in SQLite
// (store/tool-sends.ts) so it outlives an engine restart; while one runs, an identical one waits for its answer
// instead of starting a second send; and once one went, the others are given its answer without calling the
// provider at all.
import { createHash, randomUUID } from 'node:crypto';
import type { ToolSends } from '../store/tool-sends.ts';

/** What a send tool answers: whether anything went, and whether this answer is a repeat's. */
export interface OnceAnswer {
  status: 'sent' | 'queued' | 'refused';
  repeated: boolean;
}

export class SendOnce {
  readonly #store: ToolSends;
  readonly #running = new Map<string, Promise<OnceAnswer>>();

  constructor(store: ToolSends) {
    this.#store = store;
  }

  get windowMs(): number {
    return this.#store.windowMs;
  }

  /**
   * Runs `send` with the call's Idempotency-Key, unless an identical call went already or is under way: then its
   * answer, marked `repeated`. A refused send is not kept, so a repeat tries again (with the same key).
   */
  async run<A extends OnceAnswer>(fingerprint: string, send: (idempotencyKey: string) => Promise<A>): Promise<A> {
    const running = this.#running.get(fingerprint) as Promise<A> | undefined;
    if (running !== undefined) return { ...(await running), repeated: true };
    const record = this.#store.claim(fingerprint, `mb-${randomUUID()}`);
    if (record.answer !== null) return { ...(JSON.parse(record.answer) as A), repeated: true };
    const sending = send(record.idempotencyKey).then((answer) => {
      if (answer.status !== 'refused') this.#store.settle(fingerprint, JSON.stringify({ ...answer, repeated: false }));
      return answer;
    });
    this.#running.set(fingerprint, sending);
    try {
      return await sending;
    } finally {
      this.#running.delete(fingerprint);
    }
  }
}

/** Who asked for which send: a hash, so neither the mail nor the token's name is kept with it. */
export function sendFingerprint(principal: string, tool: string, account: string, inboxId: string, mail: unknown): string {
  return createHash('sha256').update(JSON.stringify([principal, tool, account, inboxId, mail])).digest('hex');
}
