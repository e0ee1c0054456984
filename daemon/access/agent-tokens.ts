// Agent tokens: made here, shown once, kept only as a hash, resolved to a Principal on every request, and revoked
// at once. The one implementation behind the local API's token calls, the window and `mailbridge token`, with or
// without a running engine.
//
// The hash is a plain SHA-256, not a slow password hash: a token is 256 random bits, so nobody can guess it or
// search for it from its hash however fast the hash is. Slow hashes (scrypt, argon2) protect guessable secrets such
// as passwords, and would cost a slow computation on every request of every agent.
import { createHash, randomBytes } from 'node:crypto';
import type { AgentTokenInfo, CreatedToken, CreateTokenRequest } from '../../shared/agent-tokens.ts';
import { parseRequest } from '../../shared/control.ts';
import { invalidRequest } from '../../shared/errors.ts';
import type { Principal, Scope } from '../../shared/principal.ts';
import type { AgentTokenStore, StoredToken } from '../store/agent-tokens.ts';
import type { ConsumerStore } from '../store/consumers.ts';
import { consumerPrefix } from './consumer-names.ts';

/** Says what the token is wherever it turns up (a log, a secret scanner); the rest is 32 random bytes. */
export const AGENT_TOKEN_PREFIX = 'mbt_';
const AGENT_TOKEN = /^mbt_[A-Za-z0-9_-]{43}$/;
/** `last_used_at` is a hint for people, not a log: one write a minute per token at most. */
const TOUCH_EVERY_MS = 60_000;

export function newAgentToken(): string {
  return `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class AgentTokens {
  readonly #store: AgentTokenStore;
  readonly #consumers: Pick<ConsumerStore, 'removePrefixed'>;
  readonly #now: () => number;
  readonly #touched = new Map<string, number>();
  readonly #revokedListeners = new Set<(name: string) => void>();

  constructor(store: AgentTokenStore, consumers: Pick<ConsumerStore, 'removePrefixed'>, now: () => number = Date.now) {
    this.#store = store;
    this.#consumers = consumers;
    this.#now = now;
  }

  create(raw: CreateTokenRequest): CreatedToken {
    const request = parseRequest('createToken', raw);
    const token = newAgentToken();
    const stored = {
      name: request.name,
      hash: tokenHash(token),
      scopes: scopesFor(request.scope),
      inboxIds: [...new Set(request.inboxIds)],
      allowSenders: [...new Set(request.allowSenders.map((pattern) => pattern.toLowerCase()))],
      createdAt: this.#now(),
    };
    if (!this.#store.insert(stored)) throw invalidRequest(`a token named "${request.name}" exists already: revoke it first, or choose another name`);
    const { name, ...rest } = info({ ...stored, lastUsedAt: null });
    return { name, token, ...rest };
  }

  list(): AgentTokenInfo[] {
    return this.#store.list().map(info);
  }

  /** Removes the token and its named consumers, then tells whoever holds its open streams to end them. */
  revoke(name: string): boolean {
    if (!this.#store.remove(name)) return false;
    this.#touched.delete(name);
    this.#consumers.removePrefixed(consumerPrefix(name));
    for (const listener of this.#revokedListeners) listener(name);
    return true;
  }

  /** The principal of a presented token, or null when it is no agent token (unknown, revoked, malformed). */
  resolve(presented: string): Principal | null {
    if (!AGENT_TOKEN.test(presented)) return null;
    const stored = this.#store.byHash(tokenHash(presented));
    if (stored === null) return null;
    this.#touch(stored.name);
    return Object.freeze({ name: stored.name, owner: false, scopes: stored.scopes, inboxIds: stored.inboxIds, allowSenders: stored.allowSenders });
  }

  /** Called with a token's name when it is revoked; returns the undo. */
  onRevoked(listener: (name: string) => void): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  #touch(name: string): void {
    const now = this.#now();
    if (now - (this.#touched.get(name) ?? Number.NEGATIVE_INFINITY) < TOUCH_EVERY_MS) return;
    this.#touched.set(name, now);
    this.#store.touch(name, now);
  }
}

function scopesFor(scope: Scope): Scope[] {
  return scope === 'send' ? ['read', 'send'] : ['read'];
}

function info(token: StoredToken): AgentTokenInfo {
  return {
    name: token.name,
    scopes: token.scopes,
    inboxIds: token.inboxIds,
    allowSenders: token.allowSenders,
    createdAt: new Date(token.createdAt).toISOString(),
    lastUsedAt: token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString(),
  };
}
