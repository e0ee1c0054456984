// What a close or a refused handshake means when a provider documents nothing more (AgentMail, myagentmail,
// and any OpenMail close code outside its own list): HTTP 401/403 mean the key, 429 means slow down, and
// anything else is retried after the normal backoff.
import { CLIENT_BUDGET } from '../openmail-protocol/policy.ts';
import type { CloseAction } from './adapter.ts';

/** A rate-limited client waits out one budget window. */
export const RATE_LIMIT_DELAY_MS = CLIENT_BUDGET.perMs;

const CLOSE_NAMES: Readonly<Record<number, string>> = {
  1000: 'closed normally',
  1001: 'server going away',
  1006: 'connection lost',
  1011: 'server error',
  1012: 'server restarting',
  1013: 'server overloaded',
};

/** Any close not known to need more: reconnect after the normal backoff. */
export function reconnectAfterClose(code: number, reason: string): CloseAction {
  return { action: 'reconnect', minDelayMs: 0, reason: closeReason(CLOSE_NAMES[code] ?? 'closed', code, reason) };
}

export function handshakeAction(status: number): CloseAction {
  if (status === 401 || status === 403) return { action: 'needs_key', reason: `key rejected (HTTP ${status})` };
  if (status === 429) {
    return { action: 'reconnect', minDelayMs: RATE_LIMIT_DELAY_MS, reason: 'rate limited (HTTP 429)' };
  }
  return { action: 'reconnect', minDelayMs: 0, reason: `handshake refused (HTTP ${status})` };
}

export function closeReason(what: string, code: number, reason: string): string {
  // A close reason is at most 123 bytes by the protocol; the slice guards callers that pass anything else.
  return reason ? `${what} (close ${code}): ${reason.slice(0, 123)}` : `${what} (close ${code})`;
}
