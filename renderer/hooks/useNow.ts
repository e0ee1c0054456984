// Relative times ("3 min ago") go stale without a repaint; a coarse tick repaints them, and every render reads
// the clock afresh so a status that just arrived is never compared with a time from seconds ago.
import { useEffect, useReducer } from 'react';

export function useNow(intervalMs: number): number {
  const [, tick] = useReducer((count: number) => count + 1, 0);
  useEffect(() => {
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return Date.now();
}
