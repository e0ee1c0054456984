// Fan-out of committed events. The publishing side goes to the store's commit path alone (EventStore calls it
// after each commit), so a listener never sees an event that is not durable; the rest of the engine gets only
// the subscribing side.
import type { StoredEvent } from '../shared/event.ts';

export type CommittedListener = (events: readonly StoredEvent[]) => void;
export type PublishCommitted = (events: readonly StoredEvent[]) => void;

export interface EventHub {
  onCommitted(listener: CommittedListener): () => void;
  readonly listenerCount: number;
}

/** A hub and the one function that publishes to it; hand `publish` to the store and `hub` to everyone else. */
export function createEventHub(onError: (error: unknown) => void): { hub: EventHub; publish: PublishCommitted } {
  const listeners = new Set<CommittedListener>();
  const hub: EventHub = {
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
  const publish: PublishCommitted = (events) => {
    if (events.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (error) {
        // One broken consumer must not starve the others, nor stop the daemon.
        onError(error);
      }
    }
  };
  return { hub, publish };
}
