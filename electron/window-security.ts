// What the window may load, run and talk to. Pure decisions; window.ts and ipc.ts apply them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.ts';

export type ResponseHeaders = Record<string, string[]>;

/** Response headers with our policy in place of any the response carried (header names are case-insensitive). */
export function withContentSecurityPolicy(headers: ResponseHeaders | undefined): ResponseHeaders {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy');
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}

/** True for the renderer's own page, whatever its hash or query (the window routes with them). */
export function isRendererUrl(url: string | null | undefined, rendererUrl: string): boolean {
  if (!url) return false;
  let candidate: URL;
  try {
    candidate = new URL(url);
  } catch {
    return false;
  }
  const expected = new URL(rendererUrl);
  return candidate.protocol === 'file:' && candidate.host === expected.host && candidate.pathname === expected.pathname;
}

/**
 * The window may read files of the renderer build and nothing else on disk; other schemes the window itself
 * needs (devtools, data: images) pass. A page loaded from file:// could otherwise read any file it can name.
 */
export function isAllowedWindowRequest(url: string, rendererDir: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'devtools:' || parsed.protocol === 'data:') return true;
  if (parsed.protocol !== 'file:') return false;
  let file: string;
  try {
    file = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const relative = path.relative(rendererDir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The URL to hand to the system browser, or null: only http(s), never file:, javascript: or custom schemes. */
export function externalHttpUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href;
}
