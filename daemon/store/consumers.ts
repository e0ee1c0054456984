// Named consumer cursors: an agent that reads as `consumer=<name>` resumes where it last acknowledged.
import type { Statement } from 'better-sqlite3';
import type { ConsumerStatus } from '../../shared/status.ts';
import type { Database } from './db.ts';

// An agent token's consumers are kept under `<token>:` (daemon/access/consumer-names.ts); a client's name has no colon.
const CONSUMER_NAME = /^(?:[A-Za-z0-9._-]{1,64}:)?[A-Za-z0-9._-]{1,64}$/;

/** Bad input from a client (a malformed name, an ack out of range): the HTTP layer answers 400 `bad_request`. */
export class ConsumerInputError extends Error {
  readonly code = 'bad_request';
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerInputError';
  }
}

interface ConsumerRow {
  name: string;
  acked_seq: number;
  updated_at: number;
  lag: number;
}

export class ConsumerStore {
  readonly #now: () => number;
  readonly #latestSeq: Statement<[], { seq: number }>;
  readonly #get: Statement<[string], { acked_seq: number }>;
  readonly #ack: Statement<[string, number, number]>;
  readonly #list: Statement<[number], ConsumerRow>;
  readonly #minAcked: Statement<[], { acked: number | null }>;
  readonly #remove: Statement<[string]>;
  readonly #removePrefixed: Statement<[number, string]>;

  constructor(db: Database, now: () => number = Date.now) {
    this.#now = now;
    // The events table's high-water mark, as EventStore.latestSeq() reads it.
    this.#latestSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    this.#get = db.prepare('SELECT acked_seq FROM consumers WHERE name = ?');
    // max() makes a late or repeated ack harmless: the position only ever moves forward.
    this.#ack = db.prepare(`
      INSERT INTO consumers (name, acked_seq, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq), updated_at = excluded.updated_at`);
    // Counting rows rather than subtracting seqs stays exact when retention has left gaps below a consumer.
    this.#list = db.prepare(`
      SELECT name, acked_seq, updated_at,
             (SELECT count(*) FROM events WHERE seq > consumers.acked_seq AND seq <= ?) AS lag
      FROM consumers ORDER BY name`);
    this.#minAcked = db.prepare('SELECT min(acked_seq) AS acked FROM consumers');
    this.#remove = db.prepare('DELETE FROM consumers WHERE name = ?');
    this.#removePrefixed = db.prepare('DELETE FROM consumers WHERE substr(name, 1, ?) = ?');
  }

  get(name: string): number | null {
    requireConsumerName(name);
    return this.#get.get(name)?.acked_seq ?? null;
  }

  /** Records that `name` has handled everything up to `seq`; returns its position afterwards. */
  ack(name: string, seq: number): number {
    requireConsumerName(name);
    if (!Number.isSafeInteger(seq) || seq < 0) throw new ConsumerInputError('seq must be a non-negative integer');
    const latest = this.#latestSeq.get()?.seq ?? 0;
    if (seq > latest) throw new ConsumerInputError(`seq ${seq} is past the latest committed event (${latest})`);
    this.#ack.run(name, seq, this.#now());
    return this.#get.get(name)?.acked_seq ?? seq;
  }

  list(latestSeq: number): ConsumerStatus[] {
    return this.#list.all(latestSeq).map((row) => ({
      name: row.name,
      ackedSeq: row.acked_seq,
      lag: row.lag,
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  /** The lowest acknowledged position, which retention must keep everything above; null without consumers. */
  minAcked(): number | null {
    return this.#minAcked.get()?.acked ?? null;
  }

  remove(name: string): boolean {
    requireConsumerName(name);
    return this.#remove.run(name).changes > 0;
  }

  /** Removes every consumer whose name starts with `prefix` (a revoked token's); returns how many. */
  removePrefixed(prefix: string): number {
    if (prefix === '') throw new ConsumerInputError('a consumer prefix must not be empty');
    return this.#removePrefixed.run(prefix.length, prefix).changes;
  }
}

function requireConsumerName(name: string): void {
  if (typeof name !== 'string' || !CONSUMER_NAME.test(name)) {
    throw new ConsumerInputError('consumer name must be 1-64 characters of letters, digits, ".", "_" or "-"');
  }
}
