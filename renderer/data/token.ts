// The dashboard link carries the token in the URL fragment, which browsers never send to a server. It is moved
// to sessionStorage at once and wiped from the address bar, so it does not linger in history or screenshots.

export const TOKEN_KEY = 'mailbridge.token';

export interface TokenSources {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

export function takeToken({ location, history, storage }: TokenSources): string | null {
  const fromFragment = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromFragment !== null && fromFragment !== '') {
    storage.setItem(TOKEN_KEY, fromFragment);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    return fromFragment;
  }
  return storage.getItem(TOKEN_KEY);
}
