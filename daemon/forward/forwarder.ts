// Webhook forwarding: POSTs every committed event a target wants, signed like OpenMail's webhooks, at least once,
// across restarts, in order or with bounded concurrency as each target asks. Each target is a cursor over the event store, woken by the hub; an idle
// forwarder holds no timers and runs no queries.
import type { ForwardTargetStatus } from '../../shared/status.ts';
import type { EventHub } from '../hub.ts';
import type { Database } from '../store/db.ts';
import type { EventStore } from '../store/events.ts';
import { fixedPolicy, type RetrySchedule } from './backoff-schedule.ts';
import { ForwardQueue, type DeadLetter, type DeadLetterStatus } from './forward-queue.ts';
import { ForwardTargetError, targetWants, validateForwardTarget, type ForwardTarget } from './forward-target.ts';
import { TargetWorker, type WorkerDeps } from './target-worker.ts';

export type { ForwardTarget } from './forward-target.ts';

/** OpenMail asks webhook receivers to answer within 15 s. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 15_000;

export interface ForwarderOptions {
  db: Database;
  events: EventStore;
  hub: EventHub;
  targets: readonly ForwardTarget[];
  /** Delay before each attempt, in ms, for every target; by default each target's own delivery settings decide. */
  schedule?: RetrySchedule;
  timeoutMs?: number;
  now?: () => number;
  /** Jitter for retry delays. */
  random?: () => number;
  /** Unexpected failures of a delivery loop (the loop pauses and goes on); the engine sends them to its log. */
  onError: (error: unknown) => void;
}

export class Forwarder {
  readonly #events: EventStore;
  readonly #hub: EventHub;
  readonly #queue: ForwardQueue;
  readonly #workerDeps: WorkerDeps;
  readonly #workers = new Map<string, TargetWorker>();
  /** Workers of removed targets, still finishing; stop() waits for them. */
  readonly #retiring = new Set<Promise<void>>();
  #unsubscribe: (() => void) | null = null;

  constructor(options: ForwarderOptions) {
    const now = options.now ?? Date.now;
    const timeoutMs = options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be a positive number');
    this.#events = options.events;
    this.#hub = options.hub;
    this.#queue = new ForwardQueue(options.db, now);
    this.#workerDeps = {
      events: options.events,
      queue: this.#queue,
      policy: options.schedule === undefined ? null : fixedPolicy(options.schedule),
      timeoutMs,
      now,
      random: options.random ?? Math.random,
      onError: options.onError,
    };
    this.setTargets(options.targets);
  }

  get running(): boolean {
    return this.#unsubscribe !== null;
  }

  start(): void {
    if (this.running) return;
    // Any commit may hold events for any target, and skipping unwanted ones moves the cursor (and so retention).
    this.#unsubscribe = this.#hub.onCommitted(() => {
      for (const worker of this.#workers.values()) worker.wake();
    });
    for (const worker of this.#workers.values()) worker.start();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await Promise.all([...[...this.#workers.values()].map((worker) => worker.stop()), ...this.#retiring]);
  }

  /**
   * Replaces the target list. Everything is validated first, so a bad entry changes nothing. A target keeps its
   * cursor by id; a new id starts at the newest event; a removed target stops (its cursor and dead letters stay).
   */
  setTargets(targets: readonly ForwardTarget[]): void {
    const valid = targets.map(validateForwardTarget);
    const ids = new Set<string>();
    for (const target of valid) {
      if (ids.has(target.id)) throw new ForwardTargetError(`forward target id ${target.id} is used twice`);
      ids.add(target.id);
    }
    for (const [id, worker] of this.#workers) {
      if (ids.has(id)) continue;
      this.#workers.delete(id);
      const retiring = worker.stop().finally(() => this.#retiring.delete(retiring));
      this.#retiring.add(retiring);
    }
    for (const target of valid) {
      const existing = this.#workers.get(target.id);
      if (existing !== undefined) {
        existing.update(target);
        continue;
      }
      const worker = new TargetWorker(target, this.#workerDeps);
      this.#workers.set(target.id, worker);
      if (this.running) worker.start();
    }
  }

  status(): ForwardTargetStatus[] {
    return [...this.#workers.values()].map((worker) => worker.status());
  }

  deadLetters(filter: { targetId?: string; status?: DeadLetterStatus } = {}): DeadLetter[] {
    return this.#queue.list(filter);
  }

  /** Queues a dead letter for re-delivery. False when there is no such dead letter or its target is gone. */
  retry(deadLetterId: number): boolean {
    const letter = this.#queue.get(deadLetterId);
    const worker = letter === null ? undefined : this.#workers.get(letter.targetId);
    if (worker === undefined) return false;
    this.#queue.markRetrying(deadLetterId);
    worker.wake();
    return true;
  }

  /** Sends a stored event again to every current target that wants it; returns how many targets it was queued for. */
  redeliver(seq: number): number {
    const record = this.#events.get(seq);
    if (record === null) return 0;
    let queued = 0;
    for (const worker of this.#workers.values()) {
      if (!targetWants(worker.target, record.event)) continue;
      this.#queue.enqueueRedelivery(worker.target.id, { seq, eventId: record.event.event_id, body: JSON.stringify(record.event) });
      worker.wake();
      queued += 1;
    }
    return queued;
  }

  /** The lowest cursor of the current targets: retention must keep every event after it. Null with no targets. */
  minCursor(): number | null {
    let min: number | null = null;
    for (const worker of this.#workers.values()) min = min === null ? worker.cursor : Math.min(min, worker.cursor);
    return min;
  }
}
