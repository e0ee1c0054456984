// Notices an account (re)entering `live`: the moment a replay of missed events may start arriving.
import type { UpstreamStatus } from '../shared/status.ts';

export class ReconnectWatch {
  readonly #states = new Map<string, UpstreamStatus['state']>();

  /** True when some account has just become live. */
  observe(accounts: readonly UpstreamStatus[]): boolean {
    let reconnected = false;
    for (const account of accounts) {
      const before = this.#states.get(account.account);
      if (account.state === 'live' && before !== 'live') reconnected = true;
      this.#states.set(account.account, account.state);
    }
    for (const name of [...this.#states.keys()]) {
      if (!accounts.some((a) => a.account === name)) this.#states.delete(name);
    }
    return reconnected;
  }
}
