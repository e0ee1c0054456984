// The adapter for each provider name that settings and the CLI accept.
import { PROVIDERS, type ProviderName } from '../../shared/status.ts';
import type { ProviderAdapter } from './adapter.ts';
import { createAgentMailAdapter } from './agentmail.ts';
import { createMyAgentMailAdapter } from './myagentmail.ts';
import { createOpenMailAdapter } from './openmail.ts';

// Adapters hold no state, so one of each serves every account.
const ADAPTERS: ReadonlyMap<ProviderName, ProviderAdapter> = new Map<ProviderName, ProviderAdapter>([
  ['openmail', createOpenMailAdapter()],
  ['agentmail', createAgentMailAdapter()],
  ['myagentmail', createMyAgentMailAdapter()],
]);

export function getAdapter(name: ProviderName): ProviderAdapter {
  const adapter = ADAPTERS.get(name);
  // Reachable only from untyped callers (a hand-edited settings file); isProviderName guards the typed ones.
  if (adapter === undefined) throw new Error(`unknown provider: ${String(name)}`);
  return adapter;
}

export function isProviderName(s: string): s is ProviderName {
  return (PROVIDERS as readonly string[]).includes(s);
}
