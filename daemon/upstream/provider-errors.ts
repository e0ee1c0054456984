// The provider error policy: what the connection does when the provider refuses the handshake, closes the socket
// or sends an error frame. Adapters say what the provider meant; this decides what the connection does about it.
import type { CloseAction, ErrorKind, ProviderAdapter } from '../providers/adapter.ts';

export type ErrorFrameResponse =
  /** The key was rejected or revoked: stop retrying and ask for a new one. */
  | { action: 'needs_key'; reason: string }
  /** The replay cursor is unknown: forget it, record a possible gap, and subscribe again without it. */
  | { action: 'forget_cursor'; gap: string }
  /** Counted and logged only: a provider that means it closes the socket as well. */
  | { action: 'none' };

export function errorFrameResponse(kind: ErrorKind, message: string): ErrorFrameResponse {
  switch (kind) {
    case 'unauthorized':
      return { action: 'needs_key', reason: `the provider rejected the API key: ${message.slice(0, 200)}` };
    case 'cursor_unknown':
      return { action: 'forget_cursor', gap: 'the provider did not recognise the replay cursor; events before this may be missing' };
    default:
      return { action: 'none' };
  }
}

export function closeResponse(adapter: ProviderAdapter, code: number, reason: string): CloseAction {
  const action = adapter.onClose(code, reason);
  return { ...action, reason: `closed by provider: ${code}${reason ? ` ${reason}` : ''} (${action.reason})` };
}

export function handshakeResponse(adapter: ProviderAdapter, status: number): CloseAction {
  const action = adapter.onHandshakeStatus(status);
  return { ...action, reason: `provider refused the connection: HTTP ${status} (${action.reason})` };
}
