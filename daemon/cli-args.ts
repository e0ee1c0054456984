// Parsing of `mailbridge` command lines into typed options, with one-line errors for bad flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SCOPES, type Scope } from '../shared/principal.ts';
import { PROVIDERS, type ProviderName } from '../shared/status.ts';
import { NAME, NAME_RULE } from '../shared/names.ts';
import { NATS_PREFIX_PATTERN, NATS_STREAM_PATTERN, NATS_URL_PATTERN } from '../shared/settings.ts';
import { WAIT_TIMEOUT_SECONDS } from '../shared/wait.ts';
import {
  completeDelivery,
  DEFAULT_FORWARD_DELIVERY,
  FORWARD_DELIVERY_LIMITS,
  FORWARD_ORDERS,
  FORWARD_RETRIES,
  type ForwardDelivery,
} from '../shared/forward-delivery.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const COMMANDS = ['run', 'login', 'logout', 'status', 'tail', 'events', 'token', 'repair', 'help', 'version', 'mcp', 'wait'] as const;
export type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  demo: { type: 'boolean' },
  provider: { type: 'string' },
  url: { type: 'string' },
  'api-url': { type: 'string' },
  inbox: { type: 'string', multiple: true },
  events: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'forward-to': { type: 'string', multiple: true },
  'forward-secret-file': { type: 'string' },
  'no-socket': { type: 'boolean' },
  account: { type: 'string' },
  'no-verify': { type: 'boolean' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  search: { type: 'string' },
  after: { type: 'string' },
  rotate: { type: 'boolean' },
  // Agent tokens (`mailbridge token create|list|revoke`).
  name: { type: 'string' },
  scope: { type: 'string' },
  'allow-sender': { type: 'string', multiple: true },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  // ---- Publishing to NATS JetStream
  'publish-nats': { type: 'string' },
  'nats-stream': { type: 'string' },
  'nats-subject-prefix': { type: 'string' },
  'nats-creds': { type: 'string' },
  'engine-name': { type: 'string' },
  // Agents: the MCP server over stdio, and waiting for mail.
  'token-file': { type: 'string' },
  from: { type: 'string' },
  subject: { type: 'string' },
  code: { type: 'boolean' },
  timeout: { type: 'string' },
  // How --forward-to targets deliver (defaults: shared/forward-delivery.ts).
  'forward-retry': { type: 'string' },
  'forward-order': { type: 'string' },
  'forward-concurrency': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const FORWARD_DELIVERY_FLAGS = ['forward-retry', 'forward-order', 'forward-concurrency'] as const;

/** Flags each command accepts; anything else is an error rather than silently ignored. */
const ACCEPTS: Record<Command, readonly (keyof typeof OPTIONS)[]> = {
  run: ['demo', 'provider', 'url', 'api-url', 'inbox', 'events', 'port', 'data-dir', 'forward-to', 'forward-secret-file', 'no-socket', 'account', 'verbose',
    'publish-nats', 'nats-stream', 'nats-subject-prefix', 'nats-creds', 'engine-name', ...FORWARD_DELIVERY_FLAGS],
  login: ['provider', 'account', 'url', 'api-url', 'inbox', 'events', 'data-dir', 'no-verify'],
  logout: ['account', 'data-dir'],
  status: ['json', 'data-dir'],
  tail: ['json', 'data-dir', 'after'],
  events: ['json', 'data-dir', 'limit', 'search'],
  token: ['rotate', 'data-dir', 'name', 'scope', 'inbox', 'allow-sender', 'json'],
  repair: ['data-dir'],
  help: [],
  version: [],
  mcp: ['data-dir', 'token-file'],
  wait: ['from', 'subject', 'inbox', 'code', 'timeout', 'json', 'data-dir'],
};

export interface CliOptions {
  command: Command;
  demo: boolean;
  provider: ProviderName | null;
  url: string | null;
  /** The provider's REST base for this account (`--api-url`). */
  apiUrl: string | null;
  inboxIds: string[];
  eventTypes: string[];
  port: number | null;
  dataDir: string | null;
  forwardTo: string[];
  forwardSecretFile: string | null;
  unixSocket: boolean;
  account: string | null;
  verify: boolean;
  json: boolean;
  limit: number;
  search: string | null;
  after: number | null;
  rotate: boolean;
  verbose: boolean;
  // Agent tokens.
  /** `show`: the endpoint token (`mailbridge token [--rotate]`); else what to do with agent tokens. */
  tokenAction: TokenAction;
  /** `--name` of `token create`, or the NAME of `token revoke`. */
  tokenName: string | null;
  scope: Scope | null;
  allowSenders: string[];
  // ---- Publishing to NATS JetStream
  /** `--publish-nats`: the broker URL without its user, and that user (a URL may name one, never a password). */
  publishNats: { url: string; user: string | null } | null;
  natsStream: string | null;
  natsSubjectPrefix: string | null;
  /** A NATS .creds file, or a file whose first line is the password (with a user) or a token. */
  natsCreds: string | null;
  engineName: string | null;
  // Agents (`mcp`, `wait`).
  tokenFile: string | null;
  from: string | null;
  subject: string | null;
  code: boolean;
  /** `wait --timeout`, in seconds. */
  timeout: number;
  /** Delivery of the --forward-to targets. */
  forwardDelivery: ForwardDelivery;
}

export const TOKEN_ACTIONS = ['create', 'list', 'revoke'] as const;
export type TokenAction = 'show' | (typeof TOKEN_ACTIONS)[number];

/** The flags each `token` action takes, beyond --data-dir. */
const TOKEN_FLAGS: Record<TokenAction, readonly (keyof typeof OPTIONS)[]> = {
  show: ['rotate'],
  create: ['name', 'scope', 'inbox', 'allow-sender', 'json'],
  list: ['json'],
  revoke: [],
};

export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseFlags(argv);
  const first = positionals[0] ?? (values.version ? 'version' : values.help ? 'help' : 'run');
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}' (try: ${COMMANDS.join(', ')})`);
  const command = first as Command;
  if (command !== 'token' && positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (values.help && command !== 'help') return { ...defaults(), command: 'help' };
  for (const name of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (name === 'help' || name === 'version') continue;
    if (!ACCEPTS[command].includes(name)) throw new UsageError(`'${command}' does not take --${name}`);
  }

  const token = command === 'token' ? tokenCommand(positionals.slice(1), values) : { tokenAction: 'show' as const, tokenName: null, scope: null };

  const provider = values.provider ?? null;
  if (provider !== null && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`unknown provider '${provider}' (choose ${PROVIDERS.join(', ')})`);
  }
  if (values.url !== undefined) checkWsUrl(values.url);
  if (values['api-url'] !== undefined) checkHttpUrl('--api-url', values['api-url'], true);
  if (command === 'wait' && (values.inbox?.length ?? 0) > 1) throw new UsageError("'wait' takes one --inbox");
  for (const target of values['forward-to'] ?? []) checkHttpUrl('--forward-to', target, false);
  return {
    command,
    demo: values.demo ?? false,
    provider: provider as ProviderName | null,
    url: values.url ?? null,
    apiUrl: values['api-url'] ?? null,
    inboxIds: values.inbox ?? [],
    eventTypes: values.events ? values.events.split(',').map((s) => s.trim()).filter(Boolean) : [],
    port: values.port === undefined ? null : integer('--port', values.port, 0, 65_535),
    dataDir: values['data-dir'] ?? null,
    forwardTo: values['forward-to'] ?? [],
    forwardSecretFile: values['forward-secret-file'] ?? null,
    unixSocket: !values['no-socket'],
    account: values.account ?? null,
    verify: !values['no-verify'],
    json: values.json ?? false,
    limit: values.limit === undefined ? 20 : integer('--limit', values.limit, 1, 10_000),
    search: values.search ?? null,
    after: values.after === undefined ? null : integer('--after', values.after, 0, Number.MAX_SAFE_INTEGER),
    rotate: values.rotate ?? false,
    verbose: values.verbose ?? false,
    ...token,
    allowSenders: values['allow-sender'] ?? [],
    ...natsOptions(values),
    tokenFile: values['token-file'] ?? null,
    from: values.from ?? null,
    subject: values.subject ?? null,
    code: values.code ?? false,
    timeout: values.timeout === undefined ? WAIT_TIMEOUT_SECONDS.default : integer('--timeout', values.timeout, 0, WAIT_TIMEOUT_SECONDS.max),
    forwardDelivery: forwardDelivery(values),
  };
}

/** `token`, `token create --name N --scope S ...`, `token list`, `token revoke NAME`: each with only its own flags. */
function tokenCommand(
  args: readonly string[],
  values: ReturnType<typeof parseFlags>['values'],
): Pick<CliOptions, 'tokenAction' | 'tokenName' | 'scope'> {
  const [action = 'show', name, extra] = args;
  if (action !== 'show' && !(TOKEN_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown token action '${action}' (try: ${TOKEN_ACTIONS.join(', ')})`);
  }
  const tokenAction = action as TokenAction;
  const label = tokenAction === 'show' ? "'token'" : `'token ${tokenAction}'`;
  for (const flag of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (flag === 'help' || flag === 'version' || flag === 'data-dir') continue;
    if (!TOKEN_FLAGS[tokenAction].includes(flag)) throw new UsageError(`${label} does not take --${flag}`);
  }
  const unexpected = tokenAction === 'revoke' ? extra : name;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument '${unexpected}'`);
  if (tokenAction === 'revoke') {
    if (name === undefined) throw new UsageError("'token revoke' needs the token's name: mailbridge token revoke NAME");
    return { tokenAction, tokenName: name, scope: null };
  }
  if (tokenAction !== 'create') return { tokenAction, tokenName: null, scope: null };
  if (values.name === undefined) throw new UsageError("'token create' needs --name NAME");
  const scope = values.scope;
  if (scope === undefined || !(SCOPES as readonly string[]).includes(scope)) throw new UsageError(`'token create' needs --scope ${SCOPES.join('|')}`);
  return { tokenAction, tokenName: values.name, scope: scope as Scope };
}

type NatsOptions = Pick<CliOptions, 'publishNats' | 'natsStream' | 'natsSubjectPrefix' | 'natsCreds' | 'engineName'>;

function natsOptions(values: ReturnType<typeof parseFlags>['values']): NatsOptions {
  const url = values['publish-nats'];
  if (url === undefined) {
    for (const flag of ['nats-stream', 'nats-subject-prefix', 'nats-creds'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --publish-nats URL`);
    }
  }
  const stream = values['nats-stream'] ?? null;
  if (stream !== null && !new RegExp(NATS_STREAM_PATTERN).test(stream)) {
    throw new UsageError('--nats-stream takes 1-64 letters, digits, "-" or "_"');
  }
  const prefix = values['nats-subject-prefix'] ?? null;
  if (prefix !== null && !new RegExp(NATS_PREFIX_PATTERN).test(prefix)) {
    throw new UsageError('--nats-subject-prefix takes subject tokens of letters, digits, "-" or "_" joined by dots, without wildcards');
  }
  const engineName = values['engine-name'] ?? null;
  if (engineName !== null && !NAME.test(engineName)) {
    throw new UsageError(`--engine-name takes ${NAME_RULE}`);
  }
  return {
    publishNats: url === undefined ? null : natsUrl(url),
    natsStream: stream,
    natsSubjectPrefix: prefix,
    natsCreds: values['nats-creds'] ?? null,
    engineName,
  };
}

/** The broker URL, its user split off; a password or a query is refused, as --url refuses credentials. */
function natsUrl(text: string): { url: string; user: string | null } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--publish-nats '${text}' is not a URL`);
  }
  if (!new RegExp(NATS_URL_PATTERN).test(url.href)) throw new UsageError('--publish-nats must be a nats:// or tls:// URL');
  if (url.password || url.search) {
    throw new UsageError('--publish-nats must not carry a password or a query: use --nats-creds FILE or the keychain (the window\'s settings)');
  }
  const user = url.username ? decodeURIComponent(url.username) : null;
  url.username = '';
  return { url: `${url.protocol}//${url.host}`, user };
}

function forwardDelivery(values: { 'forward-retry'?: string; 'forward-order'?: string; 'forward-concurrency'?: string }): ForwardDelivery {
  const delivery: Partial<ForwardDelivery> = {};
  const retry = values['forward-retry'];
  if (retry !== undefined) {
    if (!(FORWARD_RETRIES as readonly string[]).includes(retry)) throw new UsageError(`--forward-retry takes ${FORWARD_RETRIES.join(' or ')}, not '${retry}'`);
    delivery.retry = retry as ForwardDelivery['retry'];
  }
  const order = values['forward-order'];
  if (order !== undefined) {
    if (!(FORWARD_ORDERS as readonly string[]).includes(order)) throw new UsageError(`--forward-order takes ${FORWARD_ORDERS.join(' or ')}, not '${order}'`);
    delivery.order = order as ForwardDelivery['order'];
  }
  const concurrency = values['forward-concurrency'];
  if (concurrency !== undefined) {
    const { min, max } = FORWARD_DELIVERY_LIMITS.concurrency;
    delivery.concurrency = integer('--forward-concurrency', concurrency, min, max);
  }
  return completeDelivery(delivery);
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*?: /, '').split('\n')[0]!);
  }
}

function defaults(): Omit<CliOptions, 'command'> {
  return {
    demo: false, provider: null, url: null, apiUrl: null, inboxIds: [], eventTypes: [], port: null, dataDir: null, forwardTo: [],
    forwardSecretFile: null, unixSocket: true, account: null, verify: true, json: false, limit: 20, search: null,
    after: null, rotate: false, verbose: false, tokenAction: 'show', tokenName: null, scope: null, allowSenders: [],
    publishNats: null, natsStream: null, natsSubjectPrefix: null, natsCreds: null, engineName: null,
    tokenFile: null, from: null, subject: null, code: false, timeout: WAIT_TIMEOUT_SECONDS.default,
    forwardDelivery: { ...DEFAULT_FORWARD_DELIVERY },
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, not '${text}'`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return value;
}

function checkWsUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url '${text}' is not a URL`);
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new UsageError(`--url must be a ws:// or wss:// URL`);
  if (url.username || url.password || url.searchParams.has('token') || url.searchParams.has('api_key')) {
    throw new UsageError('--url must not carry credentials: use `mailbridge login` or MAILBRIDGE_API_KEY');
  }
}

function checkHttpUrl(flag: string, text: string, refuseCredentials: boolean): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} '${text}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http:// or https:// URL`);
  if (refuseCredentials && (url.username || url.password || url.search)) {
    throw new UsageError(`${flag} must be a plain base URL without credentials or a query: the key comes from the keychain`);
  }
}

export const USAGE = `mailbridge: a local OpenMail endpoint that never misses mail

Usage:
  mailbridge run [--demo] [--provider openmail|agentmail|myagentmail] [--url WS_URL] [--api-url URL] [--inbox ID]...
                 [--events TYPES] [--port N] [--data-dir DIR] [--forward-to URL]... [--forward-secret-file F]
                 [--forward-retry local|openmail] [--forward-order strict|unordered] [--forward-concurrency N]
                 [--no-socket] [--account NAME] [-v]
                 [--publish-nats URL [--nats-stream NAME] [--nats-subject-prefix P] [--nats-creds FILE]] [--engine-name NAME]
  mailbridge login [--provider P] [--account NAME] [--url WS_URL] [--api-url URL] [--inbox ID]... [--no-verify]
  mailbridge logout [--account NAME]
  mailbridge status [--json]
  mailbridge tail [--json] [--after SEQ]
  mailbridge events [--limit N] [--search TEXT] [--json]
  mailbridge token [--rotate]        (prints the endpoint token: the owner's, with every scope)
  mailbridge token create --name NAME --scope read|send [--inbox ID]... [--allow-sender PATTERN]... [--json]
  mailbridge token list [--json]
  mailbridge token revoke NAME
  mailbridge repair                 (moves a damaged event store aside; the engine must be stopped)
  mailbridge mcp [--token-file F]   (the MCP server over stdio, for agent tools: serves the running engine's tools)
  mailbridge wait [--from S] [--subject S] [--inbox ID] [--code] [--timeout SECONDS] [--json]
                                    (prints the first matching mail that arrives, or its code; exit 124 on timeout)

The API key comes from MAILBRIDGE_API_KEY if set, else from the OS keychain (\`mailbridge login\`).
With no key and no account, \`run\` starts the built-in demo provider.
--publish-nats publishes every event into a NATS JetStream stream (MAILBRIDGE, subjects mailbridge.> by default);
its credentials come from --nats-creds FILE or the keychain, never from the command line.
Data directory: --data-dir, else MAILBRIDGE_DATA_DIR, else the OS convention.

--forward-to targets retry a failed POST within 1 s, then after 2 s, 5 s, 15 s, 1 min and every 5 min, for up to
10 attempts or an hour, then keep it as a dead letter; they deliver in strict order unless --forward-order unordered
(then --forward-concurrency at once, 8 by default). --forward-retry openmail uses OpenMail's schedule instead.`;
