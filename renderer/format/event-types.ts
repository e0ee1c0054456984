// Event types the providers document; offered in filters, never enforced (unknown types pass through).

export const KNOWN_EVENT_TYPES: readonly string[] = [
  'message.received',
  'message.sent',
  'message.delivered',
  'message.bounced',
  'message.complained',
  'message.rejected',
  'domain.verified',
  'inbox.suspended',
  'inbox.reactivated',
  'pod.suspended',
  'pod.reactivated',
];
