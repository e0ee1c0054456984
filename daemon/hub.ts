// Fan-out of committed events. Only the store's commit path publishes, so a listener never sees an
// event that is not durable.
import type { StoredEvent } from '../shared/event.ts';

export type CommittedListener = (events: readonly StoredEvent[]) => void;

export class EventHub {
  #listeners = new Set<CommittedListener>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = (error) => console.error('mailbridge: event listener failed:', error)) {
    this.#onError = onError;
  }

  onCommitted(listener: CommittedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        // One broken consumer must not starve the others, nor stop the daemon.
        this.#onError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
