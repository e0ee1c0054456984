// What AgentMail and myagentmail have in common: push-only sockets with no replay and no documented close codes.
import { CLIENT_BUDGET } from '../openmail-protocol/policy.ts';
import type { ProviderAdapter } from './adapter.ts';
import { handshakeAction, reconnectAfterClose } from './close-policy.ts';
import { subscribeFrame } from './common-frames.ts';

export const PUSH_ONLY = {
  supportsReplay: false,
  replayCap: null,
  // Undocumented; the client sends only subscribe frames (and pongs), so OpenMail's budget is a safe ceiling.
  clientRate: CLIENT_BUDGET,
  // No replay: a cursor is never sent, whatever the caller holds.
  subscribeFrame: (sub) => subscribeFrame({ ...sub, lastEventId: null }),
  // Always reconnect; a revoked key shows up as a 401 on the next handshake.
  onClose: reconnectAfterClose,
  onHandshakeStatus: handshakeAction,
} as const satisfies Partial<ProviderAdapter>;
