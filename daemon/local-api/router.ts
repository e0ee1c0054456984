// Path patterns with `:name` segments (and a last `:name*` for the rest of the path), and the 404/405 distinction
// (a known path with the wrong method).
import type { LocalRoute } from './context.ts';
import { badRequest } from './http-json.ts';

export type Resolution =
  | { kind: 'match'; route: LocalRoute; params: Record<string, string> }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = pathname.split('/');
  const rest = want.at(-1)?.endsWith('*') === true;
  if (rest ? got.length < want.length : want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const expected = want[i] as string;
    const actual = got[i] as string;
    if (rest && i === want.length - 1) {
      // The rest of the path stays as sent: decoding it would merge an encoded "/" into a real one.
      const tail = got.slice(i).join('/');
      if (actual === '') return null;
      params[expected.slice(1, -1)] = tail;
    } else if (expected.startsWith(':')) {
      if (actual === '') return null;
      params[expected.slice(1)] = decodeSegment(actual);
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

export function resolveRoute(routes: Iterable<LocalRoute>, method: string, pathname: string): Resolution {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params === null) continue;
    if (route.method === method) return { kind: 'match', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'wrong_method', allow } : { kind: 'none' };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('malformed percent-encoding in the path');
  }
}
