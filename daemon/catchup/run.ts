// One catch-up run over an account's inboxes: each inbox's inbound mail, newest first, page by page, until a page
// reaches mail older than the inbox's window start; what the account does not already hold is fetched whole
// where the listing has no bodies, then committed oldest first. Mail newer than `until` that is not held yet is
// left to the socket, which is most likely pushing it that moment, and counted as deferred. The provider, the
// store and the clock come in as functions, so the paging rules are tested without a network.
import type { MailEvent } from '../../shared/event.ts';
import type { CaughtItem, ProviderCatchUp, RestGet } from '../providers/catch-up.ts';
import type { RestFailure } from '../providers/rest-result.ts';

export interface RunContext {
  api: ProviderCatchUp;
  get: RestGet;
  /** The account's configured inboxes; empty means every inbox its key can list. */
  inboxIds: readonly string[];
  /** Epoch ms (the provider's clock) before which an inbox's mail is not wanted. */
  windowStart(inboxId: string): number;
  /** Epoch ms after which mail not held yet is left for now (deferred). */
  until: number;
  /** Whether the account already holds this mail (its event id or its message key). */
  holds(event: MailEvent): boolean;
  /** Commits through the one commit path; answers how many were new. */
  commit(events: readonly MailEvent[]): number;
  /** An inbox was listed back to its window start: `at` is the newest mail seen in it up to `until`. */
  listed(inboxId: string, at: number): void;
  /** Mail fetched before a commit, at most. */
  commitEvery: number;
}

export interface RunReport {
  /** Mail committed that the account did not hold. */
  recovered: number;
  /** Listed items that did not map onto the event shape. */
  skipped: number;
  /** Mail newer than `until` that the account did not hold yet: left to the socket for now. */
  deferred: MailEvent[];
  /** The first failure; null when every inbox was listed back to its window start. */
  failure: RestFailure | null;
}

/** Pages shrink down to this when a provider's page is larger than the REST client takes. */
const MIN_PAGE_SIZE = 5;
/** A listing that goes on past this many pages is taken as broken, not followed. */
const MAX_PAGES = 500;

/** The items of a newest-first page inside the window, and whether the listing ends with this page. */
export function readPage(items: readonly CaughtItem[], since: number, next: string | null): { fresh: CaughtItem[]; done: boolean } {
  const fresh = items.filter((item) => item.at >= since);
  return { fresh, done: next === null || items.length === 0 || fresh.length < items.length };
}

export async function runCatchUp(context: RunContext): Promise<RunReport> {
  const report: RunReport = { recovered: 0, skipped: 0, deferred: [], failure: null };
  const inboxes = context.inboxIds.length > 0 ? { ok: true as const, ids: context.inboxIds } : await listInboxes(context, report);
  if (!inboxes.ok) return report;
  for (const inboxId of inboxes.ids) {
    const failure = await catchUpInbox(context, inboxId, report);
    if (failure === null) continue;
    report.failure ??= failure;
    // These concern the whole account: the next inbox would get the same answer.
    if (failure.kind === 'needs_key' || failure.kind === 'rate_limited' || failure.kind === 'network') break;
  }
  return report;
}

async function listInboxes(context: RunContext, report: RunReport): Promise<{ ok: true; ids: string[] } | { ok: false }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await context.api.listInboxes(context.get, cursor);
    if (!answer.ok) {
      report.failure = answer.failure;
      return { ok: false };
    }
    ids.push(...answer.value.items);
    if (answer.value.next === null || answer.value.next === cursor) return { ok: true, ids: [...new Set(ids)] };
    cursor = answer.value.next;
  }
  report.failure = broken('the inbox listing', `did not end after ${MAX_PAGES} pages`);
  return { ok: false };
}

async function catchUpInbox(context: RunContext, inboxId: string, report: RunReport): Promise<RestFailure | null> {
  const since = context.windowStart(inboxId);
  const pending: { event: MailEvent; at: number }[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    pending.sort((a, b) => a.at - b.at);
    report.recovered += context.commit(pending.splice(0).map((each) => each.event));
  };
  let cursor: string | null = null;
  let limit = context.api.maxPageSize;
  let newest: number | null = null;
  for (let pages = 0; ; pages++) {
    if (pages >= MAX_PAGES) {
      flush();
      return broken(`the listing of inbox ${inboxId}`, `did not reach its window start after ${MAX_PAGES} pages`);
    }
    const page = await context.api.listInbound(context.get, inboxId, { cursor, limit, since });
    if (!page.ok) {
      if (page.failure.kind === 'too_large' && limit > MIN_PAGE_SIZE) {
        limit = Math.max(MIN_PAGE_SIZE, Math.floor(limit / 2));
        continue;
      }
      flush();
      return page.failure;
    }
    report.skipped += page.value.skipped;
    const { fresh, done } = readPage(page.value.items, since, page.value.next);
    for (const item of fresh) {
      if (context.holds(item.event)) {
        if (item.at <= context.until) newest = Math.max(newest ?? item.at, item.at);
        continue;
      }
      if (item.at > context.until) {
        report.deferred.push(item.event);
        continue;
      }
      newest = Math.max(newest ?? item.at, item.at);
      let event = item.event;
      if (!item.whole) {
        const whole = await context.api.fetchWhole(context.get, inboxId, item);
        // Deleted since it was listed: nothing to recover.
        if (!whole.ok && whole.failure.kind === 'not_found') continue;
        if (!whole.ok) {
          flush();
          return whole.failure;
        }
        event = whole.value;
      }
      pending.push({ event, at: item.at });
      if (pending.length >= context.commitEvery) flush();
    }
    if (done) break;
    if (page.value.next === cursor) {
      flush();
      return broken(`the listing of inbox ${inboxId}`, 'gave the same page again');
    }
    cursor = page.value.next;
  }
  flush();
  if (newest !== null) context.listed(inboxId, newest);
  return null;
}

function broken(what: string, problem: string): RestFailure {
  return { kind: 'malformed', status: null, retryAfterMs: null, message: `${what} ${problem}` };
}
