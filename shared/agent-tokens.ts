// Agent tokens as the window, the command line and the local API see them: a name, what the token may do and
// see, and when it was made and last used. The token itself appears once, in the answer to its creation.
import type { Scope } from './principal.ts';

export interface AgentTokenInfo {
  name: string;
  /** `read`, or `read` and `send`. */
  scopes: Scope[];
  /** Inboxes the token sees and acts on; empty means every inbox. */
  inboxIds: string[];
  /** Sender patterns whose mail the token sees; empty means every sender. */
  allowSenders: string[];
  createdAt: string;
  /** Updated at most once a minute; null until the token is first used. */
  lastUsedAt: string | null;
}

export interface CreateTokenRequest {
  name: string;
  /** `send` includes `read`. */
  scope: Scope;
  inboxIds: string[];
  allowSenders: string[];
}

/** The new token, shown this once: only its hash is kept. */
export interface CreatedToken extends AgentTokenInfo {
  token: string;
}

export interface TokensResponse {
  tokens: AgentTokenInfo[];
}

/** The owner's own name, which no agent token may take (token names follow shared/names.ts). */
export const OWNER_NAME = 'owner';
