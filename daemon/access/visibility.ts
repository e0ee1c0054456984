// What a principal may see of the mail: one rule for every way mail leaves the engine, so an agent narrowed to
// an inbox or to some senders never gets other mail by taking another route.
import type { MailEvent } from '../../shared/event.ts';
import type { Principal, Scope } from '../../shared/principal.ts';

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes(scope);
}

/** An event with no inbox (an account-wide notice) is visible only to principals not narrowed to inboxes. */
export function canSeeInbox(principal: Principal, inboxId: string | null): boolean {
  if (principal.inboxIds.length === 0) return true;
  return inboxId !== null && principal.inboxIds.includes(inboxId);
}

/** The owner, or an agent token narrowed neither to inboxes nor to senders. */
export function seesEverything(principal: Principal): boolean {
  return principal.inboxIds.length === 0 && principal.allowSenders.length === 0;
}

export function canSee(principal: Principal, event: MailEvent): boolean {
  return canSeeMail(principal, event.inbox_id, event.message?.from);
}

/** The same rule from the two fields it reads, for readers that keep only those (the recent SSE frames). */
export function canSeeMail(principal: Principal, inboxId: string | null, from: unknown): boolean {
  if (!canSeeInbox(principal, inboxId)) return false;
  if (principal.allowSenders.length === 0) return true;
  return typeof from === 'string' && senderAllowed(principal.allowSenders, from);
}

/**
 * Patterns match the bare address case-insensitively; `*` stands for any run of characters. `From` headers often
 * read `Name <addr>`: only the address counts, so a display name cannot smuggle an allowed address in.
 */
export function senderAllowed(patterns: readonly string[], from: string): boolean {
  const address = bareAddress(from);
  if (address === null) return false;
  return patterns.some((pattern) => patternRegExp(pattern).test(address));
}

function bareAddress(from: string): string | null {
  return addressOf(from)?.toLowerCase() ?? null;
}

/** The address a `From` header names (`Name <addr>` or `addr`), as written; null when it names none. */
export function addressOf(from: string): string | null {
  const angle = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  const address = (angle?.[1] ?? from).trim();
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : null;
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.trim().toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
