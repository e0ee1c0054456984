import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, takeToken, type TokenSources } from '../../../renderer/data/token.ts';

function sources(hash: string, stored: string | null = null): TokenSources & { replaced: string[]; saved: Map<string, string> } {
  const saved = new Map<string, string>(stored === null ? [] : [[TOKEN_KEY, stored]]);
  const replaced: string[] = [];
  return {
    location: { hash, pathname: '/', search: '?view=history' },
    history: { replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => void replaced.push(String(url)) },
    storage: { getItem: (key) => saved.get(key) ?? null, setItem: (key, value) => void saved.set(key, value) },
    replaced,
    saved,
  };
}

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for the session and wipes it from the address bar', () => {
    const from = sources('#token=abc123');
    expect(takeToken(from)).toBe('abc123');
    expect(from.saved.get(TOKEN_KEY)).toBe('abc123');
    expect(from.replaced).toEqual(['/?view=history']);
  });

  it('falls back to the session after a reload, leaving the address alone', () => {
    const from = sources('', 'kept');
    expect(takeToken(from)).toBe('kept');
    expect(from.replaced).toEqual([]);
  });

  it('prefers a new link over an old session token', () => {
    expect(takeToken(sources('#token=new', 'old'))).toBe('new');
  });

  it('has nothing when neither holds a token', () => {
    expect(takeToken(sources('#token='))).toBeNull();
    expect(takeToken(sources('#other=1'))).toBeNull();
  });
});
