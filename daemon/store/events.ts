// The durable event log: every committed event gets a local, monotonic, never-reused seq.
import type { Statement } from 'better-sqlite3';
import { MESSAGE_RECEIVED, type EventRecord, type MailEvent, type StoredEvent } from '../../shared/event.ts';
import type { PublishCommitted } from '../hub.ts';
import type { Database } from './db.ts';
import { SearchIndex } from './search-index.ts';

export interface EventFilter {
  inboxId?: string;
  eventType?: string;
  account?: string;
}

export interface HistoryOptions extends EventFilter {
  /** Free text, matched against subject, from, to and body. */
  q?: string;
  /** Only events with a smaller seq (paging backwards). */
  before?: number;
  limit: number;
}

export interface RetentionOptions {
  maxAgeMs: number | null;
  maxEvents: number | null;
  now: number;
  /** The lowest position some consumer or queue still needs: nothing above it is ever deleted. */
  protectAfterSeq: number;
  /** Rows per transaction, so retention never holds the write lock for long. */
  batchSize?: number;
}

/** A committed event as stored: the payload is the JSON committed (without `seq`, its attachment URLs under the current
 * endpoint), for readers that hand it on rather than look into it (webhook bodies, JetStream messages). */
export interface RawEvent {
  seq: number;
  account: string;
  eventId: string;
  eventType: string;
  inboxId: string | null;
  /** The mail's key, where its provider gives one (the store's second dedupe rule). */
  messageKey: string | null;
  payload: string;
}

export interface CommitResult {
  /** The newly inserted events with their seq, in the order given. */
  stored: StoredEvent[];
  /** Events skipped because the account already held their event id, or an event of their type with their
   * message key. */
  duplicates: number;
}

/** The key that makes two events of one account and type one mail (daemon/providers/message-key.ts), or null. */
export type MessageKeyOf = (account: string, event: MailEvent) => string | null;

interface EventRow {
  seq: number;
  account: string;
  stored_at: number;
  payload: string;
}

const DEFAULT_RETENTION_BATCH = 500;
// A search first indexes what the background indexer has not reached yet, up to this many events (a few ms).
const SEARCH_CATCH_UP = 2_000;

// Filter keys and the indexed columns they match.
const FILTER_COLUMNS = { account: 'account', inboxId: 'inbox_id', eventType: 'event_type' } as const;
type FilterKey = keyof typeof FILTER_COLUMNS;
const FILTER_KEYS = Object.keys(FILTER_COLUMNS) as FilterKey[];

export class EventStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #statements = new Map<string, Statement>();
  readonly #insert: Statement<[Record<string, unknown>], { seq: number }>;
  readonly #upsertCursor: Statement<[string, string | null, number]>;
  readonly #readCursor: Statement<[string], { last_event_id: string | null }>;
  readonly #latestSeq: Statement<[], { seq: number }>;
  readonly #oldestSeq: Statement<[], { seq: number | null }>;
  readonly #count: Statement<[], { n: number }>;
  /** Status asks for the count many times a second while events flow; COUNT(*) is a scan. */
  #knownCount: number | null = null;
  readonly #get: Statement<[number], EventRow>;
  readonly #seqOf: Statement<[string], { seq: number | null }>;
  readonly #holdsEventId: Statement<[string, string], { n: number }>;
  readonly #holdsKey: Statement<[string, string, string], { n: number }>;
  readonly #recentOccurred: Statement<[string, string, number], { occurred_at: string }>;
  readonly #unkeyed: Statement<[string, number, number], { seq: number; payload: string }>;
  readonly #setKey: Statement<[string, number]>;
  readonly #messageKey: MessageKeyOf;
  readonly #search: SearchIndex;
  readonly #commit: (account: string, events: readonly MailEvent[], cursor: string | null | undefined) => CommitResult;
  readonly #publish: PublishCommitted;
  /** How a payload is read back (the committed JSON itself unless the engine says otherwise). */
  #view: (payload: string) => string = (payload) => payload;

  /**
   * `publish` is the hub's publishing side: the commit path is the only caller (none for a read-only store).
   * `messageKey` names the mail an event belongs to, per account (its provider's rule); none by default.
   */
  constructor(db: Database, now: () => number = Date.now, publish: PublishCommitted = () => {}, messageKey: MessageKeyOf = () => null) {
    this.#db = db;
    this.#now = now;
    this.#publish = publish;
    this.#messageKey = messageKey;
    // A duplicate is skipped by the NOT EXISTS guards, not by ON CONFLICT: a conflicting insert still consumes an
    // AUTOINCREMENT value, so every replayed duplicate would leave a hole in the seq sequence.
    this.#insert = db.prepare(`
      INSERT INTO events (account, event_id, event_type, inbox_id, thread_id, occurred_at, stored_at, from_addr, subject, test, payload, message_key)
      SELECT @account, @event_id, @event_type, @inbox_id, @thread_id, @occurred_at, @stored_at, @from_addr, @subject, @test, @payload, @message_key
      WHERE NOT EXISTS (SELECT 1 FROM events WHERE account = @account AND event_id = @event_id)
        AND (@message_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM events WHERE account = @account AND event_type = @event_type AND message_key = @message_key))
      RETURNING seq`);
    this.#holdsEventId = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE account = ? AND event_id = ? LIMIT 1)');
    this.#holdsKey = db.prepare(
      'SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE account = ? AND event_type = ? AND message_key = ? LIMIT 1)',
    );
    this.#recentOccurred = db.prepare(
      'SELECT occurred_at FROM events WHERE account = ? AND event_type = ? ORDER BY seq DESC LIMIT ?',
    );
    this.#unkeyed = db.prepare(
      'SELECT seq, payload FROM events WHERE account = ? AND stored_at >= ? AND message_key IS NULL ORDER BY seq DESC LIMIT ?',
    );
    this.#setKey = db.prepare('UPDATE events SET message_key = ? WHERE seq = ?');
    this.#upsertCursor = db.prepare(`
      INSERT INTO cursors (account, last_event_id, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (account) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`);
    this.#readCursor = db.prepare('SELECT last_event_id FROM cursors WHERE account = ?');
    this.#latestSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    this.#oldestSeq = db.prepare('SELECT min(seq) AS seq FROM events');
    this.#count = db.prepare('SELECT count(*) AS n FROM events');
    this.#get = db.prepare('SELECT seq, account, stored_at, payload FROM events WHERE seq = ?');
    // A loose index scan: each account found through UNIQUE (account, event_id), then the id looked up in it.
    this.#seqOf = db.prepare(`
      WITH RECURSIVE accounts (name) AS (
        SELECT min(account) FROM events
        UNION ALL
        SELECT (SELECT min(account) FROM events WHERE account > accounts.name) FROM accounts WHERE accounts.name IS NOT NULL
      )
      SELECT max(e.seq) AS seq FROM accounts JOIN events e ON e.account = accounts.name AND e.event_id = ?`);
    this.#search = new SearchIndex(db);
    this.#commit = db.transaction((account, events, cursor) => this.#commitInTransaction(account, events, cursor));
  }

  /**
   * Stores `events` and, when `cursor` is given, moves the account's upstream cursor, all in one transaction:
   * a crash leaves either both or neither, so the cursor never runs ahead of what is stored.
   */
  commit(account: string, events: readonly MailEvent[], cursor?: string | null): CommitResult {
    requireName('account', account);
    const result = this.#commit(account, events, cursor);
    if (this.#knownCount !== null) this.#knownCount += result.stored.length;
    // After the transaction: nothing downstream sees an event before it is durable.
    this.#publish(result.stored);
    return result;
  }

  /**
   * How stored payloads read back when parsed (`after`, `get`, `history`): what the engine must adjust in them, such
   * as the local endpoint's origin in attachment URLs. `rawAfter` applies it to the JSON it hands on unparsed.
   */
  setPayloadView(view: (payload: string) => string): void {
    this.#view = view;
  }

  /** Whether the account already holds this event: its event id, or an event of its type with its message key. */
  holds(account: string, event: MailEvent): boolean {
    if ((this.#holdsEventId.get(account, event.event_id)?.n ?? 0) > 0) return true;
    const key = this.#messageKey(account, event);
    return key !== null && (this.#holdsKey.get(account, event.event, key)?.n ?? 0) > 0;
  }

  /** The latest `occurred_at` (epoch ms) among the account's last `scan` events of this type; null when none. */
  newestOccurredAt(account: string, eventType: string, scan = 100): number | null {
    let newest: number | null = null;
    for (const { occurred_at } of this.#recentOccurred.all(account, eventType, scan)) {
      const at = Date.parse(occurred_at);
      if (!Number.isNaN(at) && (newest === null || at > newest)) newest = at;
    }
    return newest;
  }

  /**
   * Gives the account's events stored since `storedSince` (at most `limit`, newest first) the message key they
   * lacked, as events stored before keys existed do: a late push of one of them is then known. Returns how many
   * got one.
   */
  keyRecent(account: string, storedSince: number, limit: number): number {
    const rows = this.#unkeyed.all(account, storedSince, limit);
    const keyed = rows.flatMap((row) => {
      const key = this.#messageKey(account, JSON.parse(row.payload) as MailEvent);
      return key === null ? [] : [[key, row.seq] as const];
    });
    if (keyed.length > 0) {
      this.#db.transaction(() => {
        for (const [key, seq] of keyed) this.#setKey.run(key, seq);
      })();
    }
    return keyed.length;
  }

  cursor(account: string): string | null {
    return this.#readCursor.get(account)?.last_event_id ?? null;
  }

  setCursor(account: string, eventId: string | null): void {
    requireName('account', account);
    this.#upsertCursor.run(account, eventId, this.#now());
  }

  /** Events with seq > afterSeq, ascending. */
  after(afterSeq: number, limit: number, filter: EventFilter = {}): StoredEvent[] {
    requireCount('limit', limit);
    const { where, params } = filterClause(filter);
    const sql = `SELECT seq, payload FROM events WHERE seq > @after${where} ORDER BY seq LIMIT @limit`;
    const rows = this.#statement<Pick<EventRow, 'seq' | 'payload'>>(sql).all({ ...params, after: afterSeq, limit });
    return rows.map((row) => toStoredEvent(row.seq, this.#view(row.payload)));
  }

  /** Events with seq > afterSeq, ascending, as stored: for readers that hand the JSON on rather than parse it. */
  rawAfter(afterSeq: number, limit: number, filter: EventFilter = {}): RawEvent[] {
    requireCount('limit', limit);
    const { where, params } = filterClause(filter);
    const sql = `SELECT seq, account, event_id AS eventId, event_type AS eventType, inbox_id AS inboxId, message_key AS messageKey, payload
      FROM events WHERE seq > @after${where} ORDER BY seq LIMIT @limit`;
    const rows = this.#statement<RawEvent>(sql).all({ ...params, after: afterSeq, limit });
    for (const row of rows) row.payload = this.#view(row.payload);
    return rows;
  }

  /** The highest seq ever assigned (0 before the first event), even if retention has since deleted it. */
  latestSeq(): number {
    return this.#latestSeq.get()?.seq ?? 0;
  }

  oldestSeq(): number | null {
    return this.#oldestSeq.get()?.seq ?? null;
  }

  /** Counted once, then kept by this store's own commits and deletions (one writer per data dir: the instance lock). */
  count(): number {
    this.#knownCount ??= this.#count.get()?.n ?? 0;
    return this.#knownCount;
  }

  get(seq: number): EventRecord | null {
    const row = this.#get.get(seq);
    return row ? toRecord(row, this.#view) : null;
  }

  /** The local seq of an upstream event id (the newest, should two accounts share one), or null. */
  seqOf(eventId: string): number | null {
    return this.#seqOf.get(eventId)?.seq ?? null;
  }

  /**
   * Newest first. `q` is user text: it is quoted term by term, so no input can break the FTS5 syntax. A search
   * covers every event the index holds; `searchLag()` says how many newer ones it may have missed.
   */
  history(opts: HistoryOptions): EventRecord[] {
    requireCount('limit', opts.limit);
    const { where, params } = filterClause(opts, 'e.');
    const match = opts.q === undefined ? null : toFtsQuery(opts.q);
    if (match !== null) this.#search.indexPending(SEARCH_CATCH_UP);
    const bind = { ...params, before: opts.before ?? Number.MAX_SAFE_INTEGER, limit: opts.limit };
    const columns = 'e.seq, e.account, e.stored_at, e.payload';
    const rows =
      match === null
        ? this.#statement<EventRow>(
            `SELECT ${columns} FROM events e WHERE e.seq < @before${where} ORDER BY e.seq DESC LIMIT @limit`,
          ).all(bind)
        : this.#statement<EventRow>(
            `SELECT ${columns} FROM events_fts f JOIN events e ON e.seq = f.rowid
             WHERE events_fts MATCH @match AND f.rowid < @before${where} ORDER BY f.rowid DESC LIMIT @limit`,
          ).all({ ...bind, match });
    return rows.map((row) => toRecord(row, this.#view));
  }

  /** Adds up to `max` committed events to the full-text index (the background indexer's step); returns how many. */
  indexPending(max: number): number {
    return this.#search.indexPending(max);
  }

  /** Committed events that search does not cover yet: 0 once the indexer has caught up. */
  searchLag(): number {
    return this.#search.lag();
  }

  /** Deletes events past the age or count limits, never one above `protectAfterSeq`. Returns how many went. */
  applyRetention(opts: RetentionOptions): number {
    const batch = opts.batchSize ?? DEFAULT_RETENTION_BATCH;
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError('batchSize must be a positive integer');
    let deleted = 0;
    if (opts.maxEvents !== null) {
      requireCount('maxEvents', opts.maxEvents);
      // The newest seq that falls outside the newest `maxEvents`; everything up to it may go.
      const cutoff = this.#statement<{ seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?').get(
        opts.maxEvents,
      );
      if (cutoff) {
        deleted += this.#deleteInBatches(batch, 'SELECT seq FROM events WHERE seq <= @upTo ORDER BY seq LIMIT @batch', {
          upTo: Math.min(cutoff.seq, opts.protectAfterSeq),
        });
      }
    }
    if (opts.maxAgeMs !== null) {
      // Events are stored in seq order, so the old ones are the oldest seqs: everything before the first young one.
      // (An event stored while the clock ran backwards may wait for the ones before it.)
      const firstYoung = this.#statement<{ seq: number }>(
        'SELECT seq FROM events WHERE stored_at >= ? ORDER BY seq LIMIT 1',
      ).get(opts.now - opts.maxAgeMs);
      const upTo = Math.min(opts.protectAfterSeq, firstYoung === undefined ? Number.MAX_SAFE_INTEGER : firstYoung.seq - 1);
      deleted += this.#deleteInBatches(batch, 'SELECT seq FROM events WHERE seq <= @upTo ORDER BY seq LIMIT @batch', { upTo });
    }
    if (this.#knownCount !== null) this.#knownCount -= deleted;
    return deleted;
  }

  #deleteInBatches(batch: number, select: string, params: Record<string, number>): number {
    const remove = this.#statement(`DELETE FROM events WHERE seq IN (${select})`);
    const step = this.#db.transaction(() => remove.run({ ...params, batch }).changes);
    let total = 0;
    for (;;) {
      const changes = step();
      total += changes;
      if (changes < batch) return total;
    }
  }

  #commitInTransaction(account: string, events: readonly MailEvent[], cursor: string | null | undefined): CommitResult {
    const storedAt = this.#now();
    const stored: StoredEvent[] = [];
    let duplicates = 0;
    for (const event of events) {
      const row = this.#insert.get({ ...toRow(account, event, storedAt), message_key: this.#messageKey(account, event) });
      if (row) stored.push({ ...event, seq: row.seq });
      else duplicates += 1;
    }
    if (cursor !== undefined) this.#upsertCursor.run(account, cursor, storedAt);
    return { stored, duplicates };
  }

  // Filter combinations are few, so each distinct SQL text is prepared once and reused.
  #statement<Row>(sql: string): Statement<unknown[], Row> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as Statement<unknown[], Row>;
  }
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

function toRow(account: string, event: MailEvent, storedAt: number): Record<string, unknown> {
  if (typeof event.event_id !== 'string' || event.event_id === '') throw new InvalidEventError('event_id must be a non-empty string');
  if (typeof event.event !== 'string' || event.event === '') throw new InvalidEventError('event must be a non-empty string');
  if (typeof event.occurred_at !== 'string') throw new InvalidEventError('occurred_at must be a string');
  const message = event.message;
  return {
    account,
    event_id: event.event_id,
    event_type: event.event,
    inbox_id: stringOrNull(event.inbox_id),
    thread_id: stringOrNull(event.thread_id),
    occurred_at: event.occurred_at,
    stored_at: storedAt,
    from_addr: stringOrNull(message?.from),
    subject: stringOrNull(message?.subject),
    test: event.test === true ? 1 : 0,
    payload: JSON.stringify(event),
  };
}

function filterClause(filter: EventFilter, prefix = ''): { where: string; params: Record<string, string> } {
  let where = '';
  const params: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value === undefined) continue;
    where += ` AND ${prefix}${FILTER_COLUMNS[key]} = @${key}`;
    params[key] = value;
  }
  // Says in the query text what the value already implies, so SQLite may read the partial index of other types.
  if (filter.eventType !== undefined && filter.eventType !== MESSAGE_RECEIVED) where += ` AND ${prefix}event_type <> '${MESSAGE_RECEIVED}'`;
  return { where, params };
}

function toStoredEvent(seq: number, payload: string): StoredEvent {
  return { ...(JSON.parse(payload) as MailEvent), seq };
}

function toRecord(row: EventRow, view: (payload: string) => string): EventRecord {
  return { seq: row.seq, account: row.account, storedAt: row.stored_at, event: JSON.parse(view(row.payload)) as MailEvent };
}

/**
 * Turns user text into an FTS5 query that cannot be a syntax error: each word becomes a quoted string (inner
 * quotes doubled), so operators and parentheses are plain text, and the last word matches as a prefix for
 * search-as-you-type. Words with no letter or digit would tokenize to nothing, so they are dropped.
 */
function toFtsQuery(text: string): string | null {
  const words = text
    .replace(/\p{Cc}/gu, ' ')
    .split(/\s+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) return null;
  return words.map((word, i) => `"${word.replaceAll('"', '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function requireName(what: string, value: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
}

function requireCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer`);
}
