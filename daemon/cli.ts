// The `mailbridge` command: the headless shell around the engine.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentTokenInfo } from '../shared/agent-tokens.ts';
import type { ControlApi } from '../shared/control.ts';
import type { EventsResponse, HistoryResponse } from '../shared/local-api.ts';
import type { AccountSettings, Settings } from '../shared/settings.ts';
import type { DaemonStatus } from '../shared/status.ts';
import type { CodeWaitResult, MailWaitResult } from '../shared/wait.ts';
import { AgentTokens } from './access/agent-tokens.ts';
import { parseCli, USAGE, UsageError, type CliOptions, type TokenAction } from './cli-args.ts';
import { eventLine, sinkLine, statusText, upstreamLine } from './cli-output.ts';
import { forwardTargetsFromSettings } from './control.ts';
import { VERSION, type AccountRuntime, type Daemon } from './daemon.ts';
import { apiGet, apiGetHeld, apiPost, endpointControl, findRunningEndpoint } from './endpoint-client.ts';
import { startEngine } from './engine.ts';
import type { ForwardTarget } from './forward/forwarder.ts';
import { rotateToken, loadToken } from './local-api/token.ts';
import { readEndpointFile } from './local-api/endpoint-file.ts';
import { createLogger, errorMessage, type Logger } from './log.ts';
import { defaultDataDir, dataPaths } from './paths.ts';
import { getAdapter } from './providers/index.ts';
import { historyPage } from './query/history.ts';
import { AgentTokenStore } from './store/agent-tokens.ts';
import { ConsumerStore } from './store/consumers.ts';
import { openDatabase } from './store/db.ts';
import { EventStore } from './store/events.ts';
import { InstanceLockedError } from './store/instance-lock.ts';
import { readTextIfExists, writePrivateFile } from './store/private-files.ts';
import { repairStore } from './store/repair.ts';
import { KeychainUnavailableError, SecretStore } from './store/secrets.ts';
import { openSettings } from './store/settings.ts';
import { readSecretInput } from './secret-input.ts';
import { verifyApiKey } from './upstream/verify-key.ts';
import type { NatsSinkConfig } from './nats/nats-sink.ts';
import { keychainCredentials, natsSinkFromFlags, natsSinkFromSettings } from './nats/sink-settings.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DASHBOARD_DIR = path.join(ROOT, 'dist', 'renderer');
const DEMO_INTERVAL_MS = 6_000;
const EXIT_USAGE = 2;

class CliError extends Error {}

export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mailbridge: ${error.message}\nRun \`mailbridge help\` for usage.\n`);
    return EXIT_USAGE;
  }
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : defaultDataDir();
  try {
    switch (options.command) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'run':
        return await run(options, dataDir);
      case 'login':
        return await login(options, dataDir);
      case 'logout':
        return logout(options, dataDir);
      case 'status':
        return await status(options, dataDir);
      case 'tail':
        return await tail(options, dataDir);
      case 'events':
        return await events(options, dataDir);
      case 'token':
        return await token(options, dataDir);
      case 'repair':
        return repair(dataDir);
      case 'mcp':
        return await mcp(options, dataDir);
      case 'wait':
        return await wait(options, dataDir);
    }
  } catch (error) {
    process.stderr.write(`mailbridge: ${oneLine(error, dataDir)}\n`);
    return 1;
  }
}

function oneLine(error: unknown, dataDir: string): string {
  if (error instanceof InstanceLockedError) {
    // endpoint.json may be left from an engine that crashed; only the lock holder's own is worth pointing at.
    const running = readEndpointFile(dataDir);
    return `${error.message}${running && running.pid === error.pid ? ` It serves ${running.url} (see \`mailbridge status\`).` : ''}`;
  }
  if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    return `${errorMessage(error)} (another program uses that port: pick one with --port, or --port 0 for any free port)`;
  }
  return errorMessage(error);
}

async function run(options: CliOptions, dataDir: string): Promise<number> {
  const log = createLogger(options.verbose ? 'debug' : 'info');
  const settingsStore = openSettings(dataDir);
  const settings = settingsStore.get();
  const envKey = takeEnvKey();
  if (envKey) log.redact(envKey);
  const accounts = options.demo ? [] : resolveAccounts(options, settings.accounts, envKey);
  const demo = options.demo || accounts.length === 0;
  if (demo && !options.demo) {
    process.stdout.write('No account configured: running the built-in demo provider (`mailbridge login` adds a real one).\n');
  }
  const secrets = new SecretStore();
  const { daemon } = await startEngine({
    dataDir,
    accounts,
    demo: demo ? { intervalMs: DEMO_INTERVAL_MS } : null,
    port: options.port ?? settings.port,
    unixSocket: options.unixSocket,
    forwardTargets: commandLineForwardTargets(options, dataDir),
    settingsForwardTargets: forwardTargetsFromSettings(settings.forwardTargets, secrets, (message) => log.warn(message)),
    dashboardDir: fs.existsSync(path.join(DASHBOARD_DIR, 'index.html')) ? DASHBOARD_DIR : null,
    retention: settings.retention,
    attachments: settings.attachments,
    log,
    detectWakeFromTimers: true,
    reduceIdleMemory: true,
    settings: settingsStore,
    secrets,
    // ---- Publishing to NATS JetStream
    natsSink: natsSink(options, settings, secrets, log),
    ...engineName(options, settings),
  });
  printBanner(daemon);
  daemon.hub.onCommitted((stored) => {
    for (const event of stored) process.stdout.write(`${eventLine(event.seq, event)}\n`);
  });
  const lastState = new Map<string, string>();
  daemon.onStatus((s) => {
    for (const account of s.accounts) {
      if (lastState.get(account.account) === account.state) continue;
      lastState.set(account.account, account.state);
      process.stdout.write(`        ${upstreamLine(account)}\n`);
    }
    for (const sink of s.sinks) {
      if (lastState.get(sink.id) === sink.state) continue;
      lastState.set(sink.id, sink.state);
      process.stdout.write(`        nats: ${sinkLine(sink)}\n`);
    }
  });
  process.on('SIGCONT', () => daemon.wake('SIGCONT: the process was resumed'));
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  process.stdout.write('Stopping…\n');
  await daemon.stop();
  return 0;
}

/** `--publish-nats` for this run, else the window's settings; credentials from `--nats-creds`, else the keychain. */
function natsSink(options: CliOptions, settings: Settings, secrets: SecretStore, log: Logger): NatsSinkConfig | null {
  const warn = (message: string): void => log.warn(message);
  if (options.publishNats === null) return natsSinkFromSettings(settings.nats, secrets, warn);
  let credentials: string | null;
  if (options.natsCreds !== null) {
    credentials = readTextIfExists(path.resolve(options.natsCreds))?.trim() || null;
    if (credentials === null) throw new CliError(`--nats-creds ${options.natsCreds} is missing or empty`);
  } else {
    credentials = keychainCredentials(secrets, warn);
  }
  const { url, user } = options.publishNats;
  return natsSinkFromFlags({ url, user, stream: options.natsStream, subjectPrefix: options.natsSubjectPrefix, credentials }, settings.nats);
}

/** `--engine-name`, else the setting; without either the engine uses the host name. */
function engineName(options: CliOptions, settings: Settings): { engineName?: string } {
  const name = options.engineName ?? settings.engineName;
  return name === null ? {} : { engineName: name };
}

function printBanner(daemon: Daemon): void {
  const api = daemon.endpoint;
  const lines = [`Mailbridge ${VERSION} (headless) · data in ${daemon.dataDir}`];
  if (api) {
    lines.push(`  agents:    GET ${api.url}/v1/events?after=0&wait=30   (Bearer token in ${api.tokenFile})`);
    lines.push(`  websocket: ${api.url.replace(/^http/, 'ws')}/v1/ws   (OpenMail protocol)`);
    if (api.socketPath) lines.push(`  socket:    ${api.socketPath}   (no token needed)`);
    lines.push(`  dashboard: ${api.dashboardUrl()}`);
  }
  lines.push('Waiting for mail (Ctrl-C to stop)…');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Read once and removed from the environment, so child processes never inherit the key. */
function takeEnvKey(): string | null {
  const key = process.env.MAILBRIDGE_API_KEY?.trim() || null;
  delete process.env.MAILBRIDGE_API_KEY;
  return key;
}

function resolveAccounts(options: CliOptions, configured: AccountSettings[], envKey: string | null): AccountRuntime[] {
  const adHoc =
    options.provider !== null || options.url !== null || options.apiUrl !== null || options.inboxIds.length > 0 || options.eventTypes.length > 0;
  let accounts: AccountSettings[];
  if (adHoc || (envKey && configured.length === 0)) {
    const name = options.account ?? 'default';
    const saved = configured.find((a) => a.name === name);
    accounts = [
      {
        name,
        provider: options.provider ?? saved?.provider ?? 'openmail',
        ...((options.url ?? saved?.url) ? { url: options.url ?? saved?.url } : {}),
        ...((options.apiUrl ?? saved?.apiUrl) ? { apiUrl: options.apiUrl ?? saved?.apiUrl } : {}),
        inboxIds: options.inboxIds.length ? options.inboxIds : (saved?.inboxIds ?? []),
        eventTypes: options.eventTypes.length ? options.eventTypes : (saved?.eventTypes ?? []),
      },
    ];
  } else {
    accounts = options.account ? configured.filter((a) => a.name === options.account) : configured;
    if (options.account && accounts.length === 0) throw new CliError(`no account named '${options.account}' (see \`mailbridge login\`)`);
  }
  if (accounts.length === 0) return [];
  const secrets = new SecretStore();
  return accounts.map((account, index) => {
    // The environment key serves the one account a server runs; with several, each needs its keychain entry.
    const apiKey = envKey && (accounts.length === 1 || index === 0) ? envKey : secrets.get(account.name);
    return { ...account, apiKey };
  });
}

function commandLineForwardTargets(options: CliOptions, dataDir: string): ForwardTarget[] {
  if (options.forwardTo.length === 0) return [];
  const secret = forwardSecret(options, dataDir);
  return options.forwardTo.map((url) => ({
    // Stable per URL, so a restart continues that target's queue instead of starting a new one.
    id: `cli-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`,
    url,
    secret,
    inboxIds: [],
    eventTypes: [],
    delivery: options.forwardDelivery,
  }));
}

/** `--forward-secret-file`, else MAILBRIDGE_FORWARD_SECRET, else one generated once and kept in the data dir. */
function forwardSecret(options: CliOptions, dataDir: string): string {
  if (options.forwardSecretFile) {
    const text = readTextIfExists(path.resolve(options.forwardSecretFile))?.trim();
    if (!text) throw new CliError(`--forward-secret-file ${options.forwardSecretFile} is missing or empty`);
    return text;
  }
  const fromEnv = process.env.MAILBRIDGE_FORWARD_SECRET?.trim();
  delete process.env.MAILBRIDGE_FORWARD_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'forward-secret');
  const saved = readTextIfExists(file)?.trim();
  if (saved) return saved;
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  writePrivateFile(file, `${secret}\n`);
  process.stdout.write(`Webhook signing secret generated in ${file}\n`);
  return secret;
}

async function login(options: CliOptions, dataDir: string): Promise<number> {
  const provider = options.provider ?? 'openmail';
  const name = options.account ?? 'default';
  const adapter = getAdapter(provider);
  const url = options.url ?? adapter.defaultUrl;
  const key = await readSecretInput(`Paste the ${provider} API key for account '${name}' (input hidden): `);
  if (!key) throw new CliError('no key given: nothing stored');
  const secrets = new SecretStore();
  const probe = secrets.probe();
  if (!probe.ok) throw new KeychainUnavailableError(probe.reason);
  if (options.verify) {
    const check = await verifyApiKey(adapter, url, key);
    if (check.result === 'rejected') throw new CliError(`${provider} rejected this key (${check.detail}): nothing stored`);
    if (check.result === 'unreachable') process.stderr.write(`mailbridge: could not reach ${provider} to check the key (${check.detail}); storing it anyway\n`);
    else process.stdout.write(`${provider} accepted the key.\n`);
  }
  secrets.set(name, key);
  openSettings(dataDir).update((current) => {
    const account: AccountSettings = {
      name,
      provider,
      ...(options.url ? { url: options.url } : {}),
      ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
      inboxIds: options.inboxIds,
      eventTypes: options.eventTypes,
    };
    return { ...current, accounts: [...current.accounts.filter((a) => a.name !== name), account] };
  });
  process.stdout.write(`Stored the key for '${name}' in the OS keychain. ${findRunningEndpoint(dataDir) ? 'Restart' : 'Start'} \`mailbridge run\` to use it.\n`);
  return 0;
}

function logout(options: CliOptions, dataDir: string): number {
  const name = options.account ?? 'default';
  const removed = new SecretStore().delete(name);
  let known = false;
  openSettings(dataDir).update((current) => {
    known = current.accounts.some((a) => a.name === name);
    return { ...current, accounts: current.accounts.filter((a) => a.name !== name) };
  });
  process.stdout.write(removed || known ? `Removed account '${name}' and its key.\n` : `No account named '${name}'.\n`);
  return removed || known ? 0 : 1;
}

async function status(options: CliOptions, dataDir: string): Promise<number> {
  const endpoint = findRunningEndpoint(dataDir);
  if (!endpoint) {
    if (options.json) process.stdout.write(`${JSON.stringify({ running: false, dataDir })}\n`);
    else process.stdout.write(`Mailbridge is not running (data dir ${dataDir}). Start it with \`mailbridge run\`.\n`);
    return 3;
  }
  const body = await apiGet<DaemonStatus>(endpoint, '/v1/status');
  process.stdout.write(options.json ? `${JSON.stringify({ running: true, ...body }, null, 2)}\n` : `${statusText(body)}\n`);
  return 0;
}

async function tail(options: CliOptions, dataDir: string): Promise<number> {
  let after = options.after;
  let waiting = false;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  while (!stop.signal.aborted) {
    const endpoint = findRunningEndpoint(dataDir);
    try {
      if (!endpoint) throw new Error('not running');
      if (after === null) after = (await apiGet<DaemonStatus>(endpoint, '/v1/status', stop.signal)).store.latestSeq;
      if (waiting) process.stderr.write('Connected.\n');
      waiting = false;
      const page = await apiGet<EventsResponse>(endpoint, `/v1/events?after=${after}&limit=500&wait=30`, stop.signal);
      for (const event of page.events) {
        process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${eventLine(event.seq, event)}\n`);
      }
      after = page.next_after;
    } catch (error) {
      if (stop.signal.aborted) break;
      if (!waiting) process.stderr.write(`Waiting for Mailbridge to run (data dir ${dataDir})… (${errorMessage(error)})\n`);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  return 0;
}

async function events(options: CliOptions, dataDir: string): Promise<number> {
  const endpoint = findRunningEndpoint(dataDir);
  let items: HistoryResponse['items'];
  if (endpoint) {
    const query = new URLSearchParams({ limit: String(options.limit), ...(options.search ? { q: options.search } : {}) });
    items = (await apiGet<HistoryResponse>(endpoint, `/v1/history?${query}`)).items;
  } else {
    const file = dataPaths(dataDir).database;
    if (!fs.existsSync(file)) {
      process.stdout.write(`No events yet (data dir ${dataDir}).\n`);
      return 0;
    }
    const db = openDatabase(file);
    try {
      items = historyPage(new EventStore(db), { limit: options.limit, ...(options.search ? { q: options.search } : {}) }).items;
    } finally {
      db.close();
    }
  }
  for (const item of [...items].reverse()) {
    process.stdout.write(options.json ? `${JSON.stringify({ seq: item.seq, ...item.event })}\n` : `${eventLine(item.seq, item.event)}\n`);
  }
  return 0;
}

function repair(dataDir: string): number {
  const result = repairStore(dataDir, dataPaths(dataDir).database);
  if (result.outcome === 'missing') process.stdout.write(`No event store at ${result.file}: nothing to repair.\n`);
  if (result.outcome === 'healthy') process.stdout.write(`The event store ${result.file} opens and passes SQLite's quick check: nothing to repair.\n`);
  if (result.outcome === 'moved') {
    const also = result.companions.length > 0 ? ` (with ${result.companions.map((f) => path.basename(f)).join(' and ')})` : '';
    process.stdout.write(
      `The event store ${result.file} was damaged (${result.problem}).\nMoved it to ${result.movedTo}${also}; nothing was deleted.\n` +
        'The next start begins with a fresh store.\n',
    );
  }
  return 0;
}

async function token(options: CliOptions, dataDir: string): Promise<number> {
  if (options.tokenAction !== 'show') return agentTokens(options.tokenAction, options, dataDir);
  const running = options.rotate ? findRunningEndpoint(dataDir) : null;
  if (running) await apiPost(running, '/v1/token/rotate');
  else if (options.rotate) rotateToken(dataDir);
  process.stdout.write(`${loadToken(dataDir)}\n`);
  return 0;
}

// ---- Agent tokens ------------------------------------------------------------------------------------------------

type TokenCalls = Pick<ControlApi, 'tokens' | 'createToken' | 'revokeToken'>;
type AgentTokenAction = Exclude<TokenAction, 'show'>;

/**
 * `token create|list|revoke`: through the running engine's endpoint (so a revocation ends the token's open streams
 * at once), else on the store itself. AgentTokens answers either way.
 */
async function agentTokens(action: AgentTokenAction, options: CliOptions, dataDir: string): Promise<number> {
  const endpoint = findRunningEndpoint(dataDir);
  if (endpoint) return agentTokenCommand(action, options, endpointControl(endpoint));
  const db = openDatabase(dataPaths(dataDir).database);
  try {
    const tokens = new AgentTokens(new AgentTokenStore(db), new ConsumerStore(db));
    return await agentTokenCommand(action, options, {
      tokens: async () => tokens.list(),
      createToken: async (request) => tokens.create(request),
      revokeToken: async (name) => tokens.revoke(name),
    });
  } finally {
    db.close();
  }
}

async function agentTokenCommand(action: AgentTokenAction, options: CliOptions, calls: TokenCalls): Promise<number> {
  const name = options.tokenName ?? '';
  switch (action) {
    case 'create': {
      const created = await calls.createToken({ name, scope: options.scope ?? 'read', inboxIds: options.inboxIds, allowSenders: options.allowSenders });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(created)}\n`);
        return 0;
      }
      process.stdout.write(
        `Created the agent token "${created.name}" (${tokenLine(created)}). It is shown this once:\n\n  ${created.token}\n\n` +
          `Give it to the agent as its Bearer token; revoke it with \`mailbridge token revoke ${created.name}\`.\n`,
      );
      return 0;
    }
    case 'list': {
      const tokens = await calls.tokens();
      if (options.json) for (const each of tokens) process.stdout.write(`${JSON.stringify(each)}\n`);
      else if (tokens.length === 0) process.stdout.write('No agent tokens (`mailbridge token create --name NAME --scope read|send` makes one).\n');
      else for (const each of tokens) process.stdout.write(`${each.name.padEnd(20)} ${tokenLine(each)}\n`);
      return 0;
    }
    case 'revoke': {
      const revoked = await calls.revokeToken(name);
      process.stdout.write(revoked ? `Revoked the agent token "${name}": it is refused from now on.\n` : `No agent token named "${name}".\n`);
      return revoked ? 0 : 1;
    }
  }
}

function tokenLine(token: AgentTokenInfo): string {
  return [
    token.scopes.join(' + '),
    token.inboxIds.length > 0 ? `inboxes ${token.inboxIds.join(', ')}` : 'every inbox',
    token.allowSenders.length > 0 ? `mail from ${token.allowSenders.join(', ')}` : 'every sender',
    `created ${token.createdAt}`,
    token.lastUsedAt === null ? 'never used' : `last used ${token.lastUsedAt}`,
  ].join(' · ');
}

// ---- Agents: the MCP server over stdio, and waiting for mail ----------------------------------------------------

/** Exit status of `wait` when no matching mail came in time, as timeout(1) has it. */
const EXIT_TIMED_OUT = 124;
/** Exit status when no engine runs, as `status` has it. */
const EXIT_NOT_RUNNING = 3;

async function mcp(options: CliOptions, dataDir: string): Promise<number> {
  // Loaded here: the SDK is for this command alone.
  const { serveStdio } = await import('./mcp/stdio-bridge.ts');
  await serveStdio({
    dataDir,
    tokenFile: options.tokenFile === null ? null : path.resolve(options.tokenFile),
    version: VERSION,
    input: process.stdin,
    output: process.stdout,
    log: (line) => process.stderr.write(`mailbridge mcp: ${line}\n`),
  });
  return 0;
}

async function wait(options: CliOptions, dataDir: string): Promise<number> {
  const endpoint = findRunningEndpoint(dataDir);
  if (!endpoint) {
    process.stderr.write(`mailbridge: Mailbridge is not running (data dir ${dataDir}). Start it with \`mailbridge run\`.\n`);
    return EXIT_NOT_RUNNING;
  }
  const query = new URLSearchParams({ timeout_seconds: String(options.timeout) });
  if (options.from !== null) query.set('from', options.from);
  if (options.subject !== null) query.set('subject', options.subject);
  if (options.inboxIds[0] !== undefined) query.set('inbox_id', options.inboxIds[0]);
  if (options.code) query.set('code', 'true');
  const answer = await apiGetHeld<MailWaitResult | CodeWaitResult>(endpoint, `/v1/wait?${query}`);
  if (options.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (answer.status === 'timeout') {
    process.stderr.write(`mailbridge: ${answer.message}\n`);
    return EXIT_TIMED_OUT;
  }
  if (options.json) return 0;
  if ('code' in answer) process.stdout.write(`${answer.code ?? answer.link}\n`);
  else if (answer.mail !== undefined) process.stdout.write(mailLines(answer.mail));
  return 0;
}

function mailLines(mail: NonNullable<MailWaitResult['mail']>): string {
  const head = [
    `From:    ${mail.from ?? '-'}`,
    `To:      ${mail.to ?? '-'}`,
    `Subject: ${mail.subject ?? '-'}`,
    `Date:    ${mail.received_at}`,
    `Seq:     ${mail.seq} (inbox ${mail.inbox_id ?? '-'}, account ${mail.account})`,
  ];
  for (const attachment of mail.attachments) head.push(`Attached: ${attachment.filename} (${attachment.content_type}, ${attachment.size_bytes} bytes)`);
  return `${head.join('\n')}\n\n${mail.body_text ?? ''}\n`;
}
