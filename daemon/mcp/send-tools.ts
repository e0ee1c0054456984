// The tools that act for an agent: send_email, reply_to_email and mark_read, done through the one provider proxy
// (Daemon.proxy), which checks what the principal may do, adds the account's key, keeps the send limit and writes the
// audit entry (`via: mcp:<tool>`). What is left here: choosing the account and inbox when the agent leaves them out,
// finding what a reply answers from mail the principal may see, making each send once (send-once.ts), and saying
// what happened.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CodedError, invalidRequest } from '../../shared/errors.ts';
import { MESSAGE_RECEIVED } from '../../shared/event.ts';
import type { HistoryItem } from '../../shared/local-api.ts';
import type { Principal } from '../../shared/principal.ts';
import type { ProviderName } from '../../shared/status.ts';
import { addressOf } from '../access/visibility.ts';
import type { SendingAccount } from '../local-api/context.ts';
import { type OutgoingMail, sentIds } from '../proxy/outgoing-mail.ts';
import type { ProviderProxy, SendResult } from '../proxy/proxy.ts';
import { SendLimitedError } from '../proxy/send-limits.ts';
import { eventItem, historyPage } from '../query/history.ts';
import type { EventStore } from '../store/events.ts';
import { sendFingerprint, type SendOnce } from './send-once.ts';
import type { MarkReadAnswer, ReplyAnswer, SendAnswer } from './send-tool-schemas.ts';
import { toolError, toolResult, type ToolArgs, type ToolExtra, type ToolHandlers } from './tools.ts';

export interface SendToolDeps {
  events: EventStore;
  proxy: ProviderProxy;
  /** The accounts that can send now, with the inboxes each is set to. */
  sendingAccounts(): readonly SendingAccount[];
  /** One for the engine, shared by every session: a repeat may come on another session (the stdio bridge's). */
  sendOnce: SendOnce;
}

export type SendToolName = 'send_email' | 'reply_to_email' | 'mark_read';

/** How many recent mails are read to name the inboxes an agent might mean, when it must choose one. */
const INBOX_HINT_MAILS = 200;
/** A provider's refusal is passed on up to this long. */
const MAX_PROVIDER_ERROR = 2_000;

export function sendToolHandlers(deps: SendToolDeps, principal: Principal): Pick<ToolHandlers, SendToolName> {
  /** Sends once per identical call, and answers with what happened, in both forms. */
  const sendOnce = async <A extends SendAnswer>(
    tool: 'send_email' | 'reply_to_email',
    account: SendingAccount,
    inboxId: string,
    mail: OutgoingMail,
    extra: ToolExtra,
    answer: (base: SendAnswer) => A,
  ): Promise<CallToolResult> => {
    const fingerprint = sendFingerprint(principal.name, tool, account.name, inboxId, mail);
    let result: A;
    try {
      result = await deps.sendOnce.run(fingerprint, async (idempotencyKey) => {
        const base = { account: account.name, inbox_id: inboxId, to: mail.to, idempotency_key: idempotencyKey };
        try {
          const sent = await deps.proxy.send(account.name, inboxId, mail, idempotencyKey, principal, { via: `mcp:${tool}`, signal: extra.signal });
          return answer(sendAnswer(account.provider, base, sent));
        } catch (error) {
          if (error instanceof SendLimitedError) return answer(limitedAnswer(base, error));
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof CodedError && error.code === 'bad_gateway') {
        const minutes = Math.round(deps.sendOnce.windowMs / 60_000);
        return toolError(
          `${error.message}: the mail may or may not have gone. Calling ${tool} again with the same arguments within ` +
            `${minutes} minutes goes with the same Idempotency-Key, which a provider that keeps keys (OpenMail does) answers without sending twice.`,
        );
      }
      if (error instanceof CodedError) return toolError(error.message);
      throw error;
    }
    const text = result.repeated ? `${repeatNote(tool, deps.sendOnce.windowMs)} ${result.message}` : result.message;
    const shown = toolResult(tool, result, text);
    return result.status === 'refused' ? { ...shown, isError: true } : shown;
  };

  /** A received mail the principal may see, with where it came from: what a reply or a mark-read starts from. */
  const receivedMail = (seq: number, what: string) => {
    const item = eventItem(deps.events, seq, principal);
    if (item === null) throw invalidRequest(`no mail with seq ${seq}: retention may have removed it, or this token may not see it`);
    const { event } = item;
    if (event.event !== MESSAGE_RECEIVED || event.message === undefined) {
      throw invalidRequest(`seq ${seq} is a ${event.event} event, not a received mail: only received mail can be ${what}`);
    }
    if (event.inbox_id === null) throw invalidRequest(`the mail with seq ${seq} names no inbox, so it cannot be ${what}`);
    return { item, event, message: event.message, inboxId: event.inbox_id };
  };

  return {
    send_email: (args, extra) =>
      answerErrors(async () => {
        const account = chooseAccount(deps.sendingAccounts(), args.account);
        const inboxId = args.inbox_id ?? chooseInbox(principal, account, () => recentInboxes(deps.events, principal, account.name));
        return sendOnce('send_email', account, inboxId, newMail(args), extra, (base) => base);
      }),

    reply_to_email: (args, extra) =>
      answerErrors(async () => {
        const { item, event, message, inboxId } = receivedMail(args.seq, 'replied to');
        const account = deps.sendingAccounts().find((candidate) => candidate.name === item.account);
        if (account === undefined) throw invalidRequest(`the mail came to the account "${item.account}", which cannot send now (it is not running, or has no API key)`);
        const to = addressOf(message.from);
        if (to === null) throw invalidRequest(`the mail's sender (${message.from}) gives no address to reply to`);
        const mail: OutgoingMail = {
          to: [to],
          text: args.text,
          ...(args.html === undefined ? {} : { html: args.html }),
          ...(args.cc === undefined ? {} : { cc: args.cc }),
          ...(event.thread_id === undefined ? {} : { threadId: event.thread_id }),
          replyToMessageId: message.id,
          ...(args.quote === undefined ? {} : { quote: args.quote }),
        };
        return sendOnce('reply_to_email', account, inboxId, mail, extra, (base): ReplyAnswer => ({ ...base, replied_to_seq: args.seq }));
      }),

    mark_read: (args, extra) =>
      answerErrors(async () => {
        const { item, event, inboxId } = receivedMail(args.seq, 'marked read');
        if (event.thread_id === undefined) throw invalidRequest(`the mail with seq ${args.seq} names no thread to mark read`);
        const answer = await deps.proxy.markRead(item.account, inboxId, event.thread_id, principal, { via: 'mcp:mark_read', signal: extra.signal });
        if (!answer.ok) return toolError(`Not marked read: the provider answered ${answer.status}: ${providerError(answer.body)}`);
        const result: MarkReadAnswer = {
          status: 'marked_read',
          message: `Marked the thread ${event.thread_id} of mail ${args.seq} read (account ${item.account}, inbox ${inboxId}).`,
          seq: args.seq,
          account: item.account,
          inbox_id: inboxId,
          thread_id: event.thread_id,
        };
        return toolResult('mark_read', result, result.message);
      }),
  };
}

/** A coded error (a refusal, a choice to make, a mail that does not fit) is the tool's error, worded for the agent. */
async function answerErrors(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CodedError) return toolError(error.message);
    throw error;
  }
}

function newMail(args: ToolArgs<'send_email'>): OutgoingMail {
  return {
    to: typeof args.to === 'string' ? [args.to] : args.to,
    ...(args.cc === undefined ? {} : { cc: args.cc }),
    subject: args.subject,
    text: args.text,
    ...(args.html === undefined ? {} : { html: args.html }),
  };
}

/** The account named, or the only one that can send; otherwise an error that lists the choices. */
export function chooseAccount(accounts: readonly SendingAccount[], requested: string | undefined): SendingAccount {
  const names = accounts.map((account) => account.name).join(', ');
  if (requested !== undefined) {
    const found = accounts.find((account) => account.name === requested);
    if (found !== undefined) return found;
    throw invalidRequest(
      accounts.length === 0
        ? `no account named "${requested}" can send: no account can (none runs with an API key)`
        : `no account named "${requested}" can send; the accounts that can: ${names}`,
    );
  }
  if (accounts.length === 1) return accounts[0]!;
  if (accounts.length === 0) throw invalidRequest('no account can send: add one with its API key (`mailbridge account add`, or the window)');
  throw invalidRequest(`pass account: several accounts can send (${names})`);
}

/**
 * The only inbox both the principal may send from and the account is set to; otherwise an error that lists the
 * choices (or, when neither names any, the inboxes with recent mail this principal may see).
 */
export function chooseInbox(principal: Principal, account: SendingAccount, recent: () => readonly string[]): string {
  const own = principal.inboxIds;
  const configured = account.inboxIds;
  const choices = own.length === 0 ? configured : configured.length === 0 ? own : own.filter((inbox) => configured.includes(inbox));
  if (choices.length === 1) return choices[0]!;
  if (choices.length > 1) throw invalidRequest(`pass inbox_id: the inboxes to send from with account ${account.name} are ${choices.join(', ')}`);
  if (own.length > 0) {
    throw invalidRequest(`this token may send only from ${own.join(', ')}, and account ${account.name} is set to other inboxes (${configured.join(', ')})`);
  }
  const seen = recent();
  throw invalidRequest(
    `pass inbox_id: account ${account.name} is not set to particular inboxes, so there is no one to choose` +
      (seen.length === 0 ? '' : ` (inboxes with recent mail: ${seen.join(', ')})`),
  );
}

function recentInboxes(events: EventStore, principal: Principal, account: string): string[] {
  const page = historyPage(events, { limit: INBOX_HINT_MAILS, account, event_type: MESSAGE_RECEIVED }, principal);
  const inboxes = page.items.map((item: HistoryItem) => item.event.inbox_id).filter((inbox): inbox is string => inbox !== null);
  return [...new Set(inboxes)].sort();
}

type AnswerBase = Pick<SendAnswer, 'account' | 'inbox_id' | 'to' | 'idempotency_key'>;

/** What a send that reached the provider did: sent (after a wait for the send limit: queued), or refused by it. */
export function sendAnswer(provider: ProviderName, base: AnswerBase, sent: SendResult): SendAnswer {
  const common = { ...base, queued_ms: sent.queuedMs, provider_status: sent.status, repeated: false };
  if (!sent.ok) {
    const error = providerError(sent.body);
    const retry = sent.retryAfterSeconds === null ? '' : ` Try again in ${sent.retryAfterSeconds} s.`;
    return {
      ...common,
      status: 'refused',
      message: `Not sent: ${provider} refused it with ${sent.status}: ${error}.${retry}`,
      message_id: null,
      thread_id: null,
      retry_after_seconds: sent.retryAfterSeconds,
      provider_error: error,
    };
  }
  const ids = sentIds(provider, sent.body);
  const queued = sent.queuedMs > 0;
  const what = `from ${base.inbox_id} (account ${base.account}) to ${base.to.join(', ')}: message ${ids.messageId ?? '(no id given)'}` +
    (ids.threadId === null ? '' : ` in thread ${ids.threadId}`);
  return {
    ...common,
    status: queued ? 'queued' : 'sent',
    message: queued ? `Sent after waiting ${(sent.queuedMs / 1000).toFixed(1)} s for the send limit, ${what}.` : `Sent ${what}.`,
    message_id: ids.messageId,
    thread_id: ids.threadId,
    retry_after_seconds: null,
    provider_error: null,
  };
}

/** A send the send limit refused here: nothing reached the provider. */
function limitedAnswer(base: AnswerBase, error: SendLimitedError): SendAnswer {
  return {
    ...base,
    status: 'refused',
    message: `Not sent: ${error.message}`,
    message_id: null,
    thread_id: null,
    queued_ms: 0,
    retry_after_seconds: error.retryAfterSeconds,
    provider_status: null,
    provider_error: null,
    repeated: false,
  };
}

function repeatNote(tool: string, windowMs: number): string {
  return `An identical ${tool} call within the last ${Math.round(windowMs / 60_000)} minutes has this answer; nothing more was sent.`;
}

function providerError(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > MAX_PROVIDER_ERROR ? `${text.slice(0, MAX_PROVIDER_ERROR)}…` : text;
}
