// The dashboard's built files. They need no token: the page reads its token from the URL fragment (never sent
// to a server) and sends it as a Bearer header. A strict CSP keeps injected markup from running or phoning out.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, notFound } from './http-json.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';


const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mailbridge</title></head>
<body><h1>Mailbridge</h1><p>The dashboard is not built. Run <code>npm run build</code>, then reload.</p>
<p>The local API is up: see <code>/v1/status</code> (with your token).</p></body></html>
`;

/**
 * Maps a URL path to a file strictly inside `root`, or null. Refuses anything that could step outside it:
 * `..` after decoding, backslashes (a separator on Windows), NUL bytes, and symlinks pointing out of `root`.
 */
export async function resolveAsset(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  const relative = segments.length === 0 ? 'index.html' : segments.join(path.sep);
  try {
    const realRoot = await fs.realpath(root);
    const file = await fs.realpath(path.join(realRoot, relative));
    if (!file.startsWith(realRoot + path.sep)) return null;
    return (await fs.stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  dashboardDir: string | null,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError(405, 'method_not_allowed', `${req.method ?? ''} is not allowed here`, { Allow: 'GET, HEAD' });
  }
  const file = dashboardDir === null ? null : await resolveAsset(dashboardDir, pathname);
  if (file === null) {
    if (pathname !== '/' && pathname !== '/index.html') throw notFound(`nothing at ${pathname}`);
    send(req, res, 'text/html; charset=utf-8', Buffer.from(NOT_BUILT_PAGE));
    return;
  }
  send(req, res, CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', await fs.readFile(file));
}

function send(req: IncomingMessage, res: ServerResponse, contentType: string, body: Buffer): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
