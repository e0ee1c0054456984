// The audit log: every call an agent makes through the REST proxy (and every send a tool makes), as the window
// and `GET /v1/audit` show it. Never a body, never a key: who, what, when and the answer's status.

export interface AuditEntry {
  id: number;
  at: string;
  /** The agent token's name, or `owner`. */
  token: string;
  /** `proxy` for calls through `/v1/accounts/<name>/proxy/...`, or the tool that acted (`mcp:send_email`). */
  via: string;
  account: string;
  method: string;
  /** The provider path, without its query. */
  path: string;
  inboxId: string | null;
  /** The status the caller got; null when the call was cut off before an answer. */
  status: number | null;
  idempotencyKey: string | null;
  /** What Mailbridge did besides forwarding: a refusal and why, or how long a send waited for the send limit. */
  note: string | null;
}

export interface AuditQuery {
  /** Only entries with a smaller id (paging backwards). */
  before?: number;
  limit?: number;
  /** Only this token's entries. */
  token?: string;
}

export interface AuditResponse {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next page; null at the end. */
  next_before: number | null;
}

export const AUDIT_LIMIT = { default: 100, max: 500 } as const;
