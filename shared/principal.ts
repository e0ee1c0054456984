// Who is asking the engine. The owner (the endpoint token, the Unix socket, the window) may do everything; an
// agent token carries scopes and may be narrowed to some inboxes and some senders. Every way in (HTTP routes,
// streams, the local WebSocket, MCP tools) decides what to show and allow from this one shape.

export const SCOPES = ['read', 'send'] as const;
/** `read`: events, history, attachments, the read tools. `send`: adds sends and replies through the engine. */
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** The agent token's name; `owner` for the owner. */
  name: string;
  owner: boolean;
  scopes: readonly Scope[];
  /** Inboxes this principal sees and acts on; empty means every inbox. */
  inboxIds: readonly string[];
  /** Sender patterns (`alerts@bank.example`, `*@github.com`) whose mail it sees; empty means every sender. */
  allowSenders: readonly string[];
}

export const OWNER: Principal = Object.freeze({ name: 'owner', owner: true, scopes: SCOPES, inboxIds: [], allowSenders: [] });

/** What a route or a call needs: the owner alone, or a principal holding this scope. */
export type Access = 'owner' | Scope;
