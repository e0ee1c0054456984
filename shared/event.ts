// The one event shape every provider is mapped to: OpenMail's webhook/WebSocket payload.
// Attachment keys are camelCase, the rest snake_case, exactly as OpenMail sends them.

export interface MailAttachment {
  filename: string;
  contentType: string;
  sizeBytes: number;
  url?: string;
  parsedText?: string;
  extractionMethod?: string;
  /** The provider's id of the file where it has one (AgentMail, myagentmail): what its download call names. */
  attachmentId?: string;
  /** Mailbridge's copy on the local endpoint (`/v1/attachments/<id>`, token required): set before any agent sees
   * the event, and served whole whether or not the provider's link still works. */
  local_url?: string;
}

export interface MailMessage {
  id: string;
  rfc_message_id?: string;
  from: string;
  to: string;
  cc?: string[];
  subject: string;
  body_text?: string;
  attachments?: MailAttachment[];
  received_at?: string;
}

export interface MailEvent {
  event: string;
  event_id: string;
  occurred_at: string;
  delivered_at?: string;
  attempt?: number;
  inbox_id: string | null;
  thread_id?: string;
  message?: MailMessage;
  /** Set on synthetic events (`POST /v1/test-event`, `mailbridge` demo button). */
  test?: boolean;
  /** `catch_up` on mail recovered over the provider's REST API rather than pushed on its socket. */
  delivery?: 'catch_up';
  /** Provider-specific fields (`inbox_address`, `pod_id`, `reason`, AgentMail's `send`/`bounce`/...) pass through. */
  [extra: string]: unknown;
}

/** An event as stored locally: `seq` is the local, monotonic, never-reused position. */
export type StoredEvent = MailEvent & { seq: number };

/** Stored-event metadata kept beside the payload (not part of the OpenMail shape). */
export interface EventRecord {
  seq: number;
  account: string;
  storedAt: number;
  event: MailEvent;
}

export const MESSAGE_RECEIVED = 'message.received';
