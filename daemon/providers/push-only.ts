// What AgentMail and myagentmail have in common: push-only sockets with no replay and no documented close codes.
import type { ProviderAdapter } from './adapter.ts';
import { handshakeAction, reconnectAfterClose, subscribeFrame } from './openmail.ts';

export const PUSH_ONLY = {
  supportsReplay: false,
  replayCap: null,
  // Undocumented; the client sends only subscribe frames (and pongs), so OpenMail's budget is a safe ceiling.
  clientRate: { messages: 30, perMs: 10_000 },
  // No replay: a cursor is never sent, whatever the caller holds.
  subscribeFrame: (sub) => subscribeFrame({ ...sub, lastEventId: null }),
  // Always reconnect; a revoked key shows up as a 401 on the next handshake.
  onClose: reconnectAfterClose,
  onHandshakeStatus: handshakeAction,
} as const satisfies Partial<ProviderAdapter>;
