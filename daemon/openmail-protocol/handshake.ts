// How an OpenMail server takes a handshake: the key comes in a Bearer header or, for clients that cannot set
// headers, as `?token=`; a wrong key is refused with HTTP 401 before any WebSocket exists. (The local
// WebSocket sits behind the local endpoint's own token, Host and Origin checks, which answer 401 the same way.)
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The key a handshake presents, or '' when it presents none. */
export function presentedKey(request: IncomingMessage, url: URL): string {
  return BEARER.exec(request.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token') ?? '';
}

/** The request's path and query, or null when its target is not a URL path. */
export function requestUrl(request: IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export const REFUSALS = {
  unauthorized: { status: 401, text: 'Unauthorized' },
  notFound: { status: 404, text: 'Not Found' },
} as const;

/** Answers an upgrade request with a plain HTTP refusal and closes the socket. */
export function refuseUpgrade(socket: Duplex, refusal: { status: number; text: string }): void {
  const body = JSON.stringify({ error: refusal.text });
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
