// DataLayers for the component tests. `stubData` fails every call loudly (for tests that only look at markup);
// `fakeData` answers the calls a test gives it, records every call, and lets the test play the live feed.
import type { ControlApi } from '../../../shared/control.ts';
import type { StoredEvent } from '../../../shared/event.ts';
import type { DataLayer, HostActions, LiveFeed } from '../../../renderer/data/data-layer.ts';

const refuse = (): never => {
  throw new Error('not used in render tests');
};

export const stubData: DataLayer = {
  transport: 'http',
  api: new Proxy({} as DataLayer['api'], { get: () => refuse }),
  live: { onEvents: refuse, onStatus: refuse, onShowEvent: refuse, onConnection: refuse },
  host: { copyToken: refuse, openExternal: refuse, openAttachment: refuse, saveAttachment: refuse },
};

export interface Call {
  method: string;
  args: unknown[];
}

export interface FakeData {
  data: DataLayer;
  /** Every api and host call, in order. */
  calls: Call[];
  /** The arguments of each call to one method, in order. */
  argsOf(method: keyof ControlApi | keyof HostActions): unknown[][];
  emitEvents(events: readonly StoredEvent[]): void;
}

type Listeners = { [K in keyof LiveFeed]: Set<Parameters<LiveFeed[K]>[0]> };

/** A call the test did not answer rejects, so the component shows the failure and the test sees it. */
export function fakeData(api: Partial<ControlApi>, host: Partial<HostActions> = {}): FakeData {
  const calls: Call[] = [];
  const record = <T extends object>(target: Partial<T>): T =>
    new Proxy(target, {
      get: (object, method: string) => {
        const answer = (object as Record<string, ((...args: unknown[]) => unknown) | undefined>)[method];
        return (...args: unknown[]) => {
          calls.push({ method, args });
          return answer === undefined ? Promise.reject(new Error(`${method} is not answered by this test`)) : answer(...args);
        };
      },
    }) as T;
  const listeners: Listeners = { onEvents: new Set(), onStatus: new Set(), onShowEvent: new Set(), onConnection: new Set() };
  const subscribe =
    <K extends keyof LiveFeed>(kind: K) =>
    (listener: Parameters<LiveFeed[K]>[0]) => {
      listeners[kind].add(listener);
      return () => {
        listeners[kind].delete(listener);
      };
    };
  const live: LiveFeed = {
    onEvents: subscribe('onEvents'),
    onStatus: subscribe('onStatus'),
    onShowEvent: subscribe('onShowEvent'),
    onConnection: subscribe('onConnection'),
  };
  return {
    data: { transport: 'http', api: record<ControlApi>(api), live, host: record<HostActions>(host) },
    calls,
    argsOf: (method) => calls.filter((call) => call.method === method).map((call) => call.args),
    emitEvents: (events) => {
      for (const listener of listeners.onEvents) listener(events);
    },
  };
}
