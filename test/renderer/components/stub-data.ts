// A DataLayer whose calls fail loudly: the render tests only look at markup.
import type { DataLayer } from '../../../renderer/data/data-layer.ts';

const refuse = (): never => {
  throw new Error('not used in render tests');
};

export const stubData: DataLayer = {
  transport: 'http',
  api: new Proxy({} as DataLayer['api'], { get: () => refuse }),
  live: { onEvents: refuse, onStatus: refuse, onShowEvent: refuse, onConnection: refuse },
  host: { copyToken: refuse, openExternal: refuse },
};
