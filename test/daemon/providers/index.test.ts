import { describe, expect, it } from 'vitest';
import { getAdapter, isProviderName } from '../../../daemon/providers/index.ts';
import { PROVIDERS, type ProviderName } from '../../../shared/status.ts';

describe('getAdapter', () => {
  it.each(PROVIDERS)('returns the %s adapter', (name) => {
    expect(getAdapter(name).name).toBe(name);
  });

  it('throws for a name that slipped past the types', () => {
    expect(() => getAdapter('toString' as ProviderName)).toThrow('unknown provider: toString');
  });
});

describe('isProviderName', () => {
  it('accepts exactly the supported providers', () => {
    expect(PROVIDERS.every(isProviderName)).toBe(true);
    expect(['', 'OpenMail', 'daimon', 'toString', '__proto__'].some(isProviderName)).toBe(false);
  });
});
