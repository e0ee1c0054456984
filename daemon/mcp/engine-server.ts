// The MCP server as the engine runs it, one per session: the declared tools and resources, done here with the
// store, the query module and the one waiter (the acting tools in send-tools.ts, through the provider proxy), for
// the principal that opened the session. Each tool's declared scope is checked before its handler runs; every answer
// goes through that principal's visibility; mail content goes out inside untrusted-mail blocks (mail-text.ts).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ErrorCode, McpError, type ReadResourceResult, type Resource } from '@modelcontextprotocol/sdk/types.js';
import { MESSAGE_RECEIVED } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { UNTRUSTED_NOTICE } from '../../shared/wait.ts';
import { canSee } from '../access/visibility.ts';
import type { EventHub } from '../hub.ts';
import { eventItem, historyPage } from '../query/history.ts';
import { mailSummary, mailView } from '../query/mail-view.ts';
import { waitForCode, waitForMail, type WaitContext } from '../wait/wait-answers.ts';
import type { MailWaiter } from '../wait/waiter.ts';
import { type AttachmentToolDeps, getAttachmentHandler } from './attachment-tool.ts';
import { codeWaitText, listText, mailText, mailWaitText, newNonce } from './mail-text.ts';
import { mailUri, RECENT_MAIL_COUNT, RECENT_MAIL_URI, registerResources, seqOfMailUri, type MailResources } from './resources.ts';
import { type SendToolDeps, type SendToolName, sendToolHandlers } from './send-tools.ts';
import { INSTRUCTIONS, serverInfo } from './server-info.ts';
import { registerTools, TOOL_NAMES, toolError, toolRefusal, toolResult, type ToolExtra, type ToolHandlers, type ToolName } from './tools.ts';

/** While a wait lasts, a client that asked for progress hears of it this often (and once at the start). */
export const PROGRESS_EVERY_MS = 5_000;

export interface McpEngineDeps extends SendToolDeps, AttachmentToolDeps {
  version: string;
  hub: EventHub;
  waiter: MailWaiter;
}

export interface McpSession {
  principal: Principal;
  /** The latest seq when the session began: where a first `since: "unseen"` starts. */
  startSeq: number;
}

export interface EngineMcpServer {
  server: McpServer;
  /** Stops telling this session about new mail. */
  dispose(): void;
}

export function createEngineMcpServer(deps: McpEngineDeps, session: McpSession): EngineMcpServer {
  const server = new McpServer(serverInfo(deps.version), { instructions: INSTRUCTIONS });
  registerTools(server, withScopes(session.principal, { ...engineTools(deps, session), ...sendToolHandlers(deps, session.principal) }));
  const resources = new EngineMailResources(deps, session.principal);
  registerResources(server, resources);
  const stopListening = deps.hub.onCommitted((batch) => {
    if (!batch.some((event) => event.event === MESSAGE_RECEIVED && canSee(session.principal, event))) return;
    if (!server.isConnected()) return;
    // Failures to notify mean the client is gone; the session's own close cleans up after it.
    if (resources.subscribed.has(RECENT_MAIL_URI)) server.server.sendResourceUpdated({ uri: RECENT_MAIL_URI }).catch(() => {});
    server.sendResourceListChanged();
  });
  return { server, dispose: stopListening };
}

/**
 * Each handler behind the scope its tool declares (tools.ts): a principal without it gets a tool error worded as the
 * HTTP routes' 403, and the handler never runs.
 */
function withScopes(principal: Principal, handlers: ToolHandlers): ToolHandlers {
  const guarded = (name: ToolName) => (args: never, extra: ToolExtra) => {
    const refusal = toolRefusal(name, principal);
    if (refusal !== null) return Promise.resolve(toolError(refusal));
    return (handlers[name] as (args: never, extra: ToolExtra) => Promise<CallToolResult>)(args, extra);
  };
  return Object.fromEntries(TOOL_NAMES.map((name) => [name, guarded(name)])) as ToolHandlers;
}

function engineTools(deps: McpEngineDeps, session: McpSession): Omit<ToolHandlers, SendToolName> {
  const { principal } = session;
  const waitContext = (extra: ToolExtra, timeoutSeconds: number): WaitContext => {
    const token = extra._meta?.progressToken;
    return {
      principal,
      unseenFrom: session.startSeq,
      signal: extra.signal,
      ...(token === undefined
        ? {}
        : {
            progress: {
              everyMs: PROGRESS_EVERY_MS,
              report: (elapsedMs: number) => {
                const elapsed = Math.floor(elapsedMs / 1000);
                const params = { progressToken: token, progress: elapsed, total: timeoutSeconds, message: `waiting for matching mail: ${elapsed} of ${timeoutSeconds} s` };
                // A progress note that cannot be sent belongs to a client that has gone; the wait ends with its request.
                extra.sendNotification({ method: 'notifications/progress', params }).catch(() => {});
              },
            },
          }),
    };
  };
  const stopped = (extra: ToolExtra) => toolError(extra.signal.aborted ? 'the wait was cancelled' : 'Mailbridge stopped before matching mail arrived');

  return {
    wait_for_email: async (args, extra) => {
      const result = await waitForMail(deps.waiter, args, waitContext(extra, args.timeout_seconds));
      return result === null ? stopped(extra) : toolResult('wait_for_email', result, mailWaitText(result, newNonce()));
    },
    wait_for_code: async (args, extra) => {
      const result = await waitForCode(deps.waiter, args, waitContext(extra, args.timeout_seconds));
      return result === null ? stopped(extra) : toolResult('wait_for_code', result, codeWaitText(result, newNonce()));
    },
    list_emails: async (args) => {
      const page = historyPage(deps.events, pageQuery(args), principal);
      const result = { notice: UNTRUSTED_NOTICE, items: page.items.map(mailSummary), next_before: page.next_before };
      return toolResult('list_emails', result, listText(result.items, result.next_before, newNonce()));
    },
    search_emails: async (args) => {
      const page = historyPage(deps.events, { ...pageQuery(args), q: args.query }, principal);
      const items = page.items.map(mailSummary);
      const result = { notice: UNTRUSTED_NOTICE, items, next_before: page.next_before, search_lag: page.search_lag ?? 0 };
      return toolResult('search_emails', result, listText(items, page.next_before, newNonce()));
    },
    get_email: async ({ seq }) => {
      const item = eventItem(deps.events, seq, principal);
      if (item === null) return toolError(`no mail with seq ${seq}: retention may have removed it, or this token may not see it`);
      const mail = mailView(item);
      return toolResult('get_email', { notice: UNTRUSTED_NOTICE, mail }, mailText(mail, newNonce()));
    },
    get_attachment: getAttachmentHandler(deps, principal),
  };
}

function pageQuery(args: { inbox_id?: string | undefined; account?: string | undefined; event_type: string; before?: number | undefined; limit: number }) {
  return {
    limit: args.limit,
    event_type: args.event_type,
    ...(args.inbox_id === undefined ? {} : { inbox_id: args.inbox_id }),
    ...(args.account === undefined ? {} : { account: args.account }),
    ...(args.before === undefined ? {} : { before: args.before }),
  };
}

class EngineMailResources implements MailResources {
  readonly subscribed = new Set<string>();
  readonly #deps: McpEngineDeps;
  readonly #principal: Principal;

  constructor(deps: McpEngineDeps, principal: Principal) {
    this.#deps = deps;
    this.#principal = principal;
  }

  async list(): Promise<Resource[]> {
    return this.#recent().map((mail) => ({
      uri: mailUri(mail.seq),
      name: `mail-${mail.seq}`,
      title: `Mail ${mail.seq}`,
      description: `From an outside sender: ${mail.from ?? '-'}`,
      mimeType: 'application/json',
    }));
  }

  // Resources are read under /mcp's declared access, `read`: every principal in a session holds it.
  async read(uri: string): Promise<ReadResourceResult> {
    if (uri === RECENT_MAIL_URI) return json(uri, { notice: UNTRUSTED_NOTICE, items: this.#recent() });
    const seq = seqOfMailUri(uri);
    const item = seq === null ? null : eventItem(this.#deps.events, seq, this.#principal);
    if (item === null) throw new McpError(ErrorCode.InvalidParams, `no such resource: ${uri}`);
    return json(uri, { notice: UNTRUSTED_NOTICE, mail: mailView(item) });
  }

  async subscribe(uri: string): Promise<void> {
    if (uri !== RECENT_MAIL_URI && seqOfMailUri(uri) === null) throw new McpError(ErrorCode.InvalidParams, `no such resource: ${uri}`);
    this.subscribed.add(uri);
  }

  async unsubscribe(uri: string): Promise<void> {
    this.subscribed.delete(uri);
  }

  #recent() {
    return historyPage(this.#deps.events, { limit: RECENT_MAIL_COUNT, event_type: MESSAGE_RECEIVED }, this.#principal).items.map(mailSummary);
  }
}

function json(uri: string, body: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
}
