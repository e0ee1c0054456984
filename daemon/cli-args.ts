// Parsing of `mailbridge` command lines into typed options, with one-line errors for bad flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PROVIDERS, type ProviderName } from '../shared/status.ts';
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

export const COMMANDS = ['run', 'login', 'logout', 'status', 'tail', 'events', 'token', 'repair', 'help', 'version'] as const;
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
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  // How --forward-to targets deliver (defaults: shared/forward-delivery.ts).
  'forward-retry': { type: 'string' },
  'forward-order': { type: 'string' },
  'forward-concurrency': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const FORWARD_DELIVERY_FLAGS = ['forward-retry', 'forward-order', 'forward-concurrency'] as const;

/** Flags each command accepts; anything else is an error rather than silently ignored. */
const ACCEPTS: Record<Command, readonly (keyof typeof OPTIONS)[]> = {
  run: ['demo', 'provider', 'url', 'api-url', 'inbox', 'events', 'port', 'data-dir', 'forward-to', 'forward-secret-file', 'no-socket', 'account', 'verbose', ...FORWARD_DELIVERY_FLAGS],
  login: ['provider', 'account', 'url', 'api-url', 'inbox', 'events', 'data-dir', 'no-verify'],
  logout: ['account', 'data-dir'],
  status: ['json', 'data-dir'],
  tail: ['json', 'data-dir', 'after'],
  events: ['json', 'data-dir', 'limit', 'search'],
  token: ['rotate', 'data-dir'],
  repair: ['data-dir'],
  help: [],
  version: [],
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
  /** Delivery of the --forward-to targets. */
  forwardDelivery: ForwardDelivery;
}

export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseFlags(argv);
  const first = positionals[0] ?? (values.version ? 'version' : values.help ? 'help' : 'run');
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}' (try: ${COMMANDS.join(', ')})`);
  const command = first as Command;
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (values.help && command !== 'help') return { ...defaults(), command: 'help' };
  for (const name of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (name === 'help' || name === 'version') continue;
    if (!ACCEPTS[command].includes(name)) throw new UsageError(`'${command}' does not take --${name}`);
  }

  const provider = values.provider ?? null;
  if (provider !== null && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`unknown provider '${provider}' (choose ${PROVIDERS.join(', ')})`);
  }
  if (values.url !== undefined) checkWsUrl(values.url);
  if (values['api-url'] !== undefined) checkHttpUrl('--api-url', values['api-url'], true);
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
    forwardDelivery: forwardDelivery(values),
  };
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
    after: null, rotate: false, verbose: false, forwardDelivery: { ...DEFAULT_FORWARD_DELIVERY },
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
  mailbridge login [--provider P] [--account NAME] [--url WS_URL] [--api-url URL] [--inbox ID]... [--no-verify]
  mailbridge logout [--account NAME]
  mailbridge status [--json]
  mailbridge tail [--json] [--after SEQ]
  mailbridge events [--limit N] [--search TEXT] [--json]
  mailbridge token [--rotate]
  mailbridge repair                 (moves a damaged event store aside; the engine must be stopped)

The API key comes from MAILBRIDGE_API_KEY if set, else from the OS keychain (\`mailbridge login\`).
With no key and no account, \`run\` starts the built-in demo provider.
Data directory: --data-dir, else MAILBRIDGE_DATA_DIR, else the OS convention.

--forward-to targets retry a failed POST within 1 s, then after 2 s, 5 s, 15 s, 1 min and every 5 min, for up to
10 attempts or an hour, then keep it as a dead letter; they deliver in strict order unless --forward-order unordered
(then --forward-concurrency at once, 8 by default). --forward-retry openmail uses OpenMail's schedule instead.`;
