// A listener set that knows when it gains its first listener and loses its last, so a transport opens a stream
// or a poll only while someone is watching.

export interface Listeners<T> {
  add(listener: (value: T) => void): () => void;
  emit(value: T): void;
  readonly size: number;
}

export function createListeners<T>(onFirst?: () => void, onLast?: () => void): Listeners<T> {
  const set = new Set<(value: T) => void>();
  return {
    add(listener) {
      // A wrapper makes the same function subscribable twice with two independent unsubscribes.
      const entry = (value: T): void => listener(value);
      set.add(entry);
      if (set.size === 1) onFirst?.();
      return () => {
        if (!set.delete(entry)) return;
        if (set.size === 0) onLast?.();
      };
    },
    emit(value) {
      for (const listener of [...set]) listener(value);
    },
    get size() {
      return set.size;
    },
  };
}
