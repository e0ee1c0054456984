// How to reach one account's provider REST API: the base URL (the account's own, else the provider's) and the
// headers that carry its key. Catch-up, attachment downloads and the send proxy all start from here, so the key
// is added in one place and never travels anywhere else.
import type { AccountSettings } from '../../shared/settings.ts';
import type { ProviderName } from '../../shared/status.ts';
import type { ProviderAdapter } from './adapter.ts';

export interface RestTarget {
  account: string;
  provider: ProviderName;
  /** Without a trailing slash; provider paths (`/v1/...`) are appended as they are. */
  baseUrl: string;
  headers: Readonly<Record<string, string>>;
}

export function restTarget(adapter: ProviderAdapter, account: Pick<AccountSettings, 'name' | 'apiUrl'>, apiKey: string): RestTarget {
  return {
    account: account.name,
    provider: adapter.name,
    baseUrl: (account.apiUrl ?? adapter.defaultApiUrl).replace(/\/+$/, ''),
    headers: adapter.restHeaders(apiKey),
  };
}
