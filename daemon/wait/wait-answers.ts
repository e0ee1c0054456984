// A wait request answered: the request (shared/wait.ts) turned into the waiter's terms, and its outcome into the
// answer every way in gives (the MCP tools' structured content, `GET /v1/wait`). A cancelled wait has no answer.
import type { Principal } from '../../shared/principal.ts';
import { UNTRUSTED_NOTICE, type CodeWaitResult, type MailWaitResult, type WaitRequest } from '../../shared/wait.ts';
import { codeSource } from '../mail-content/message-text.ts';
import { findOneTimeCode, type FoundCode } from '../mail-content/one-time-code.ts';
import { mailSummary, mailView } from '../query/mail-view.ts';
import { mailFilter } from './mail-filter.ts';
import type { MailWaiter, WaitOutcome, WaitSpec, WaitStart } from './waiter.ts';

export interface WaitContext {
  principal: Principal;
  /** Where `since: "unseen"` starts for a principal no wait has given mail yet: where its session began. */
  unseenFrom: number;
  signal?: AbortSignal;
  progress?: WaitSpec<unknown>['progress'];
}

export async function waitForMail(waiter: MailWaiter, request: WaitRequest, context: WaitContext): Promise<MailWaitResult | null> {
  const outcome = await waiter.wait({ ...specOf(request, context), pick: () => true });
  if (outcome.kind === 'cancelled') return null;
  if (outcome.kind === 'timeout') return timedOut(request, outcome);
  return {
    status: 'received',
    message: `a matching mail arrived after ${seconds(outcome.waitedMs)} s (seq ${outcome.record.seq})`,
    waited_seconds: seconds(outcome.waitedMs),
    next_since: outcome.nextSince,
    notice: UNTRUSTED_NOTICE,
    mail: mailView(outcome.record),
  };
}

/** The first matching mail with a one-time code or a sign-in link; matching mail with neither does not end the wait. */
export async function waitForCode(waiter: MailWaiter, request: WaitRequest, context: WaitContext): Promise<CodeWaitResult | null> {
  const outcome = await waiter.wait<FoundCode>({
    ...specOf(request, context),
    pick: (record) => {
      const found = findOneTimeCode(codeSource(record.event));
      return found.code === null && found.link === null ? null : found;
    },
  });
  if (outcome.kind === 'cancelled') return null;
  if (outcome.kind === 'timeout') return { ...timedOut(request, outcome), code: null, link: null };
  const what = outcome.picked.code === null ? 'a sign-in link' : 'a code';
  return {
    status: 'received',
    message: `${what} arrived after ${seconds(outcome.waitedMs)} s (seq ${outcome.record.seq})`,
    waited_seconds: seconds(outcome.waitedMs),
    next_since: outcome.nextSince,
    code: outcome.picked.code,
    link: outcome.picked.link,
    mail: mailSummary(outcome.record),
  };
}

function specOf(request: WaitRequest, context: WaitContext): Omit<WaitSpec<never>, 'pick'> {
  return {
    principal: context.principal,
    filter: mailFilter(request),
    start: startOf(request.since, context.unseenFrom),
    timeoutMs: request.timeout_seconds * 1000,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.progress === undefined ? {} : { progress: context.progress }),
  };
}

function startOf(since: WaitRequest['since'], unseenFrom: number): WaitStart {
  if (since === 'now') return { kind: 'now' };
  if (since === 'unseen') return { kind: 'unseen', fallback: unseenFrom };
  return { kind: 'after', seq: since };
}

function timedOut(request: WaitRequest, outcome: WaitOutcome<unknown>): Omit<MailWaitResult, 'mail' | 'notice'> {
  return {
    status: 'timeout' as const,
    message: `no matching mail in ${request.timeout_seconds} s`,
    waited_seconds: seconds(outcome.waitedMs),
    next_since: outcome.nextSince,
  };
}

/** Tenths of a second: what a person or an agent needs of a wait's length. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
