// What an agent needs to connect, derived from the endpoint the engine reports. Shown, never run.
import type { EndpointInfo } from '../../shared/status.ts';

export function pollUrl(endpoint: Pick<EndpointInfo, 'url'>): string {
  return `${endpoint.url}/v1/events?after=0&wait=30`;
}

/** The OpenMail-compatible WebSocket: existing OpenMail clients only change their URL. */
export function webSocketUrl(endpoint: Pick<EndpointInfo, 'url'>): string {
  return `${endpoint.url.replace(/^http/, 'ws')}/v1/ws`;
}

/** A shell line that waits for the next mail; the token is read from its file, never pasted. */
export function curlCommand(endpoint: Pick<EndpointInfo, 'url' | 'token_file'>): string {
  return `curl -H "Authorization: Bearer $(cat ${shellQuote(endpoint.token_file)})" "${pollUrl(endpoint)}"`;
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
