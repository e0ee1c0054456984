// The engine, composed: store, one upstream connection per account, the local endpoint and forwarding.
// Both shells drive this one object: `mailbridge run` headless, and the tray app inside Electron's main process.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { ControlApi } from '../shared/control.ts';
import type { MailEvent, StoredEvent } from '../shared/event.ts';
import { DEFAULT_ATTACHMENT_SETTINGS, type AccountSettings, type AttachmentSettings } from '../shared/settings.ts';
import type { DaemonStatus, ProviderName, UpstreamStatus } from '../shared/status.ts';
import { AgentTokens } from './access/agent-tokens.ts';
import { AttachmentKeeper, DEFAULT_KEEPER_POLICY, type KeeperPolicy } from './attachments/keeper.ts';
import { attachmentId, hasAttachments, rebaseLocalUrls, withLocalUrls } from './attachments/local-url.ts';
import { CatchUp } from './catchup/catch-up.ts';
import { requestWindow } from './catchup/paced-get.ts';
import type { CatchUpPolicy } from './catchup/policy.ts';
import type { DemoProvider } from './demo/server.ts';
import type { RetrySchedule } from './forward/backoff-schedule.ts';
import { Forwarder, type ForwardTarget } from './forward/forwarder.ts';
import { createEventHub, type EventHub } from './hub.ts';
import { startLocalApi, type LocalApi } from './local-api/server.ts';
import type { LocalApiContext, SendingAccount } from './local-api/context.ts';
import { createLocalWs } from './local-api/local-ws.ts';
import { errorMessage, type Logger } from './log.ts';
import { dataPaths } from './paths.ts';
import { getAdapter } from './providers/index.ts';
import { restTarget, type RestTarget } from './providers/rest.ts';
import { ProviderProxy } from './proxy/proxy.ts';
import { type SendLimit, SendLimiter } from './proxy/send-limits.ts';
import { AgentTokenStore } from './store/agent-tokens.ts';
import { AuditLog } from './store/audit-log.ts';
import { ToolSends } from './store/tool-sends.ts';
import { ConsumerStore } from './store/consumers.ts';
import { openDatabase, type Database } from './store/db.ts';
import { EventStore, type CommitResult } from './store/events.ts';
import { acquireInstanceLock } from './store/instance-lock.ts';
import { DEFAULT_SEARCH_INDEXER, SearchIndexer } from './store/search-indexer.ts';
import { DEFAULT_CHECKPOINTS, WalCheckpointer } from './store/wal-checkpointer.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './upstream/backoff.ts';
import { UpstreamConnection } from './upstream/connection.ts';
import { DEFAULT_HEARTBEAT, type HeartbeatPolicy } from './upstream/heartbeat.ts';
import { systemTimers } from './clock.ts';
import { DEFAULT_WAKE_DETECTOR, WakeDetector } from './upstream/wake-detector.ts';
import { NatsSink, type NatsSinkConfig } from './nats/nats-sink.ts';
import { LogCursors } from './store/log-cursors.ts';
import { DEFAULT_IDLE_MEMORY, heapBytes, IdleMemory, reducingCollection } from './idle-memory.ts';
import type { SlidingWindow } from './rate-limit.ts';
import { BlobStore } from './store/attachment-blobs.ts';
import { AttachmentStore } from './store/attachments.ts';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface AccountRuntime extends AccountSettings {
  apiKey: string | null;
}

export interface DaemonOptions {
  dataDir: string;
  accounts: AccountRuntime[];
  /** Run the built-in simulated provider and connect to it (no account needed). */
  demo: { intervalMs: number | null } | null;
  /** Local endpoint port; 0 picks a free one; null disables the endpoint. */
  port: number | null;
  unixSocket: boolean;
  /** Targets given on the command line. */
  forwardTargets: ForwardTarget[];
  /** Targets kept in settings (their secrets from the keychain); replaced as settings change. */
  settingsForwardTargets: ForwardTarget[];
  /** The built window, served at `/`; null when not built. */
  dashboardDir: string | null;
  retention: { maxAgeDays: number | null; maxEvents: number | null };
  log: Logger;
  /** Headless only: Electron's powerMonitor tells the tray app about sleep instead. */
  detectWakeFromTimers: boolean;
  heartbeat?: HeartbeatPolicy;
  backoff?: BackoffPolicy;
  /** Delay before each forwarding attempt; OpenMail's webhook schedule by default. */
  forwardSchedule?: RetrySchedule;
  // ---- Publishing to NATS JetStream
  /** The JetStream sink, its credentials resolved; absent or null publishes nowhere. */
  natsSink?: NatsSinkConfig | null;
  /** This engine's name in status and on what it publishes; the host name by default. */
  engineName?: string;
  /** Catch-up over REST: when it runs and how far back it looks (daemon/catchup/policy.ts). */
  catchUp?: Partial<CatchUpPolicy>;
  // ---- Acting for agents
  /** The send limits kept here and how long a send may wait for a slot; the providers' own and 15 s by default. */
  sendLimits?: { limits: Readonly<Record<ProviderName, SendLimit | null>>; maxQueueMs: number };
  /** Return memory to the OS once quiet (daemon/idle-memory.ts): the headless engine, which mostly waits. */
  reduceIdleMemory?: boolean;
  // ---- Attachments kept
  /** How much is kept (the settings' limits); 25 MB a file and 2 GB in all by default. */
  attachments?: AttachmentSettings;
  /** How attachments are fetched: concurrency, retries, how long a link counts as fresh (daemon/attachments/keeper.ts). */
  attachmentPolicy?: Partial<KeeperPolicy>;
}

/** Builds the control calls the local endpoint serves, once the engine exists (startEngine: daemon/engine.ts). */
export type ControlFactory = (daemon: Daemon) => ControlApi;

const RETENTION_INTERVAL_MS = 60 * 60 * 1_000;
const STATUS_COALESCE_MS = 100;
const DEMO_ACCOUNT = 'demo';
const LOCAL_ACCOUNT = 'local';

export class Daemon {
  /** Committed events, published by the store's commit path only. */
  readonly hub: EventHub;
  readonly events: EventStore;
  readonly consumers: ConsumerStore;
  // What agents may do and what they did: their tokens, the REST proxy that acts for them, and its audit log.
  readonly tokens: AgentTokens;
  readonly audit: AuditLog;
  readonly proxy: ProviderProxy;
  readonly toolSends: ToolSends;
  /** Every attachment of committed mail, fetched in the background and served at its `local_url`. */
  readonly attachments: AttachmentKeeper;
  readonly dataDir: string;
  readonly log: Logger;
  readonly startedAt = new Date();
  readonly #o: DaemonOptions;
  readonly #db: Database;
  readonly #release: () => void;
  readonly #upstreams: UpstreamConnection[] = [];
  /** The running accounts with their keys, by name: what REST calls on an account's behalf start from. */
  readonly #accounts = new Map<string, AccountRuntime>();
  /** Each running account's REST requests a minute, shared by catch-up and attachment downloads. */
  readonly #requestWindows = new Map<string, SlidingWindow>();
  readonly #statusListeners = new Set<(status: DaemonStatus) => void>();
  #demo: DemoProvider | null = null;
  #api: LocalApi | null = null;
  #localWs: ReturnType<typeof createLocalWs> | null = null;
  #forwarder: Forwarder | null = null;
  #catchUp: CatchUp | null = null;
  #wakeDetector: WakeDetector | null = null;
  #retentionTimer: NodeJS.Timeout | null = null;
  #searchIndexer: SearchIndexer | null = null;
  #checkpointer: WalCheckpointer | null = null;
  #idleMemory: IdleMemory | null = null;
  #statusTimer: NodeJS.Timeout | null = null;
  #retention: DaemonOptions['retention'];
  #settingsTargets: ForwardTarget[];
  #stopped = false;
  #sink: NatsSink | null = null;
  #engineName: string;

  private constructor(options: DaemonOptions, db: Database, release: () => void) {
    this.#o = options;
    this.dataDir = options.dataDir;
    this.log = options.log;
    this.#db = db;
    this.#release = release;
    const { hub, publish } = createEventHub((error) => options.log.error(`an event listener failed: ${errorMessage(error)}`));
    this.hub = hub;
    this.events = new EventStore(db, Date.now, publish, (account, event) => this.#messageKey(account, event));
    this.consumers = new ConsumerStore(db);
    this.tokens = new AgentTokens(new AgentTokenStore(db), this.consumers);
    this.audit = new AuditLog(db);
    const limits = options.sendLimits;
    this.proxy = new ProviderProxy({
      restTarget: (account) => this.restTarget(account),
      audit: this.audit,
      ...(limits === undefined ? {} : { limiter: new SendLimiter(limits.limits), maxQueueMs: limits.maxQueueMs }),
    });
    this.toolSends = new ToolSends(db);
    this.attachments = new AttachmentKeeper(
      {
        store: new AttachmentStore(db, attachmentId),
        blobs: new BlobStore(dataPaths(options.dataDir).attachmentsDir),
        restTarget: (account) => this.restTarget(account),
        requestWindow: (account) => this.#requestWindows.get(account) ?? null,
        timers: systemTimers,
        log: options.log,
        onChange: () => this.#emitStatus(),
      },
      options.attachments ?? DEFAULT_ATTACHMENT_SETTINGS,
      { ...DEFAULT_KEEPER_POLICY, ...options.attachmentPolicy },
    );
    this.#retention = options.retention;
    this.#settingsTargets = options.settingsForwardTargets;
    this.#engineName = options.engineName ?? hostname();
  }

  /** Prefer startEngine (daemon/engine.ts), which builds the control calls as both shells need them. */
  static async start(options: DaemonOptions, control: ControlFactory): Promise<Daemon> {
    const lock = acquireInstanceLock(options.dataDir);
    let db: Database;
    try {
      db = openDatabase(dataPaths(options.dataDir).database);
    } catch (error) {
      lock.release();
      throw error;
    }
    const daemon = new Daemon(options, db, () => lock.release());
    try {
      await daemon.#start(control(daemon));
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  async #start(control: ControlApi): Promise<void> {
    const { log } = this.#o;
    const accounts = [...this.#o.accounts];
    // Indexing and checkpoints follow the commits in the background, never inside one.
    this.#searchIndexer = new SearchIndexer(this.events, DEFAULT_SEARCH_INDEXER, systemTimers, (error) =>
      log.warn(`search indexing failed (will retry): ${errorMessage(error)}`),
    );
    this.#checkpointer = new WalCheckpointer(this.#db, DEFAULT_CHECKPOINTS, systemTimers, (error) =>
      log.warn(`WAL checkpoint failed (will retry): ${errorMessage(error)}`),
    );
    this.hub.onCommitted((batch) => {
      this.#searchIndexer?.noteCommitted();
      this.#checkpointer?.noteWrite();
      if (batch.some(hasAttachments)) this.attachments.noteCommitted();
    });
    this.#searchIndexer.start();
    // ---- Idle memory: given back once quiet, when asked for and where V8 offers the collection that does it.
    const collect = this.#o.reduceIdleMemory ? reducingCollection() : null;
    if (collect !== null) {
      this.#idleMemory = new IdleMemory(DEFAULT_IDLE_MEMORY, systemTimers, heapBytes, collect);
      this.hub.onCommitted(() => this.#idleMemory?.noteActivity());
      this.#idleMemory.start();
    }
    this.attachments.start();
    if (this.#o.demo) {
      // A real key check even for the demo: a random key per run, which only this process knows.
      const demoKey = `demo_${randomBytes(16).toString('hex')}`;
      // Loaded only when asked for: an engine with real accounts never holds the demo's code.
      const { DemoProvider } = await import('./demo/server.ts');
      this.#demo = await DemoProvider.start({ intervalMs: this.#o.demo.intervalMs, apiKey: demoKey });
      accounts.unshift({
        name: DEMO_ACCOUNT,
        provider: 'openmail',
        url: this.#demo.url,
        // The demo speaks OpenMail's REST API too, so the proxy works on a first run.
        apiUrl: this.#demo.restUrl,
        inboxIds: [],
        eventTypes: [],
        apiKey: demoKey,
      });
      log.info(`demo provider on ${this.#demo.url}: sample mail every ${Math.round((this.#o.demo.intervalMs ?? 0) / 1000)} s`);
    }

    this.#forwarder = new Forwarder({
      db: this.#db,
      events: this.events,
      hub: this.hub,
      targets: this.#forwardTargets(),
      ...(this.#o.forwardSchedule ? { schedule: this.#o.forwardSchedule } : {}),
      onError: (error) => log.error(`forwarding failed: ${errorMessage(error)}`),
    });
    this.#forwarder.start();
    this.#catchUp = new CatchUp({
      db: this.#db,
      events: this.events,
      log,
      ...(this.#o.catchUp ? { policy: this.#o.catchUp } : {}),
      onChange: () => this.#emitStatus(),
    });
    await this.setNatsSink(this.#o.natsSink ?? null);

    if (this.#o.port !== null) {
      const localWs = createLocalWs({ events: this.events, hub: this.hub, log });
      this.#localWs = localWs;
      this.tokens.onRevoked((name) => localWs.closeFor(name));
      const context: LocalApiContext = {
        version: VERSION,
        dataDir: this.dataDir,
        events: this.events,
        consumers: this.consumers,
        hub: this.hub,
        control,
        agents: this.tokens,
        proxy: this.proxy,
        sendingAccounts: () => this.sendingAccounts(),
        toolSends: this.toolSends,
        attachments: this.attachments,
        upgrades: new Map([['/v1/ws', { access: 'read', handle: (req, socket, head, principal) => localWs.handleUpgrade(req, socket, head, principal) }]]),
        onError: (error) => log.error(`local API: ${errorMessage(error)}`),
      };
      this.#api = await startLocalApi(context, {
        port: this.#o.port,
        socketDir: this.#o.unixSocket ? dataPaths(this.dataDir).socketDir : null,
        dashboardDir: this.#o.dashboardDir,
      });
      // Attachment URLs name the endpoint as it was when their mail was committed; read back, they name this one.
      const origin = this.#api.url;
      this.events.setPayloadView((payload) => rebaseLocalUrls(payload, origin));
    }

    for (const account of accounts) this.addAccount(account);
    // The first sample mail comes soon after start, so a first run shows the whole path working at once.
    if (this.#demo) setTimeout(() => this.#demo?.emit(), 1_500).unref();

    if (this.#o.detectWakeFromTimers) {
      this.#wakeDetector = new WakeDetector(DEFAULT_WAKE_DETECTOR, systemTimers, (sleptMs) =>
        this.wake(`timers were ${Math.round(sleptMs / 1000)} s late: the machine slept or the process was paused`),
      );
      this.#wakeDetector.start();
    }
    this.#applyRetention();
    this.#retentionTimer = setInterval(() => this.#applyRetention(), RETENTION_INTERVAL_MS).unref();
  }

  /** Starts the account's connection, replacing one of the same name. */
  addAccount(account: AccountRuntime): void {
    this.removeAccount(account.name);
    const adapter = getAdapter(account.provider);
    // The embedded demo provider starts with a fresh log each run, so yesterday's cursor means nothing to it.
    if (this.#demo && account.name === DEMO_ACCOUNT) this.events.setCursor(DEMO_ACCOUNT, null);
    const upstream = new UpstreamConnection({
      account: account.name,
      adapter,
      url: account.url ?? adapter.defaultUrl,
      apiKey: account.apiKey,
      inboxIds: account.inboxIds,
      eventTypes: account.eventTypes,
      cursor: this.events.cursor(account.name),
      commit: (events, cursor) => this.#commit(account.name, events, cursor),
      clearCursor: () => this.events.setCursor(account.name, null),
      log: this.#o.log,
      heartbeat: this.#o.heartbeat ?? DEFAULT_HEARTBEAT,
      backoff: this.#o.backoff ?? DEFAULT_BACKOFF,
    });
    upstream.onStatus(() => this.#emitStatus());
    this.#upstreams.push(upstream);
    this.#accounts.set(account.name, account);
    const requests = requestWindow(adapter.catchUp.requestsPerMinute);
    this.#requestWindows.set(account.name, requests);
    this.#catchUp?.attach({
      account: account.name,
      adapter,
      inboxIds: account.inboxIds,
      eventTypes: account.eventTypes,
      source: upstream,
      rest: () => this.restTarget(account.name),
      requests,
      commit: (events) => this.#commit(account.name, events),
    });
    upstream.start();
  }

  removeAccount(name: string): void {
    const index = this.#upstreams.findIndex((u) => u.account === name);
    if (index < 0) return;
    this.#catchUp?.detach(name);
    this.#upstreams[index]!.stop();
    this.#upstreams.splice(index, 1);
    this.#accounts.delete(name);
    this.#requestWindows.delete(name);
    this.#emitStatus();
  }

  setSettingsForwardTargets(targets: ForwardTarget[]): void {
    this.#settingsTargets = targets;
    this.#forwarder?.setTargets(this.#forwardTargets());
  }

  #forwardTargets(): ForwardTarget[] {
    return [...this.#o.forwardTargets, ...this.#settingsTargets];
  }

  /** Replaces the JetStream sink (null: none). A sink keeps its cursor by stream name across restarts and changes. */
  async setNatsSink(config: NatsSinkConfig | null): Promise<void> {
    const previous = this.#sink;
    this.#sink = null;
    await previous?.stop();
    if (config !== null && !this.#stopped) {
      this.#sink = new NatsSink(config, {
        events: this.events,
        cursors: new LogCursors(this.#db, 'sink'),
        hub: this.hub,
        engine: this.#engineName,
        timers: systemTimers,
        backoff: this.#o.backoff ?? DEFAULT_BACKOFF,
        log: this.#o.log,
        onStatus: () => this.#emitStatus(),
      });
      this.#sink.start();
    }
    this.#emitStatus();
  }

  setRetention(retention: DaemonOptions['retention']): void {
    this.#retention = retention;
    this.#applyRetention();
  }

  setAttachmentLimits(limits: AttachmentSettings): void {
    this.attachments.setLimits(limits);
  }

  get forwarder(): Forwarder | null {
    return this.#forwarder;
  }

  /**
   * The one write path: the store commits, then publishes to the hub, so nothing downstream sees an uncommitted event.
   * Attachments get their `local_url` first, so every agent sees it from the first delivery.
   */
  #commit(account: string, events: readonly MailEvent[], cursor?: string | null): CommitResult {
    return this.events.commit(account, withLocalUrls(account, events, this.#api?.url ?? null), cursor);
  }

  /** The key that makes two events of an account one mail: its provider's rule (daemon/providers/message-key.ts). */
  #messageKey(account: string, event: MailEvent): string | null {
    const runtime = this.#accounts.get(account);
    return runtime ? getAdapter(runtime.provider).messageKey(event) : null;
  }

  /** A synthetic `message.received`, marked as a test, through the whole pipeline (like a provider's "test webhook"). */
  testEvent(): StoredEvent {
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    const event: MailEvent = {
      event: 'message.received',
      event_id: `evt_test_${id}`,
      occurred_at: now,
      delivered_at: now,
      attempt: 1,
      inbox_id: 'inb_test',
      thread_id: `thr_test_${id}`,
      test: true,
      message: {
        id: `msg_test_${id}`,
        from: 'mailbridge@localhost',
        to: 'agent@localhost',
        cc: [],
        subject: 'Test event from Mailbridge',
        body_text: 'This is a test event. If your agent sees it, the local endpoint works.',
        attachments: [],
        received_at: now,
      },
    };
    const [stored] = this.#commit(LOCAL_ACCOUNT, [event]).stored;
    return stored!;
  }

  /** Resume, unlock or a network change: every account reconnects at once. */
  wake(reason: string): void {
    // Each connection asks for its account's catch-up after a wake (daemon/upstream/connection.ts).
    for (const upstream of this.#upstreams) upstream.wake(reason);
    this.attachments.wake();
  }

  setApiKey(account: string, apiKey: string): boolean {
    const upstream = this.#upstreams.find((u) => u.account === account);
    upstream?.setApiKey(apiKey);
    const runtime = this.#accounts.get(account);
    if (runtime) this.#accounts.set(account, { ...runtime, apiKey });
    this.#catchUp?.keyChanged(account);
    return upstream !== undefined;
  }

  /** Where the account's provider REST API is and how to authenticate to it; null without such an account or key. */
  restTarget(account: string): RestTarget | null {
    const runtime = this.#accounts.get(account);
    if (!runtime?.apiKey) return null;
    return restTarget(getAdapter(runtime.provider), runtime, runtime.apiKey);
  }

  /** The accounts the proxy can send with (running, with a key), and the inboxes each is set to. */
  sendingAccounts(): SendingAccount[] {
    return [...this.#accounts.values()].filter((account) => account.apiKey).map(({ name, provider, inboxIds }) => ({ name, provider, inboxIds }));
  }

  get endpoint(): LocalApi | null {
    return this.#api;
  }

  upstreamStatus(): UpstreamStatus[] {
    return this.#upstreams.map((u) => {
      const catchUp = this.#catchUp?.status(u.account);
      return catchUp ? { ...u.status(), catchUp } : u.status();
    });
  }

  status(): DaemonStatus {
    const latestSeq = this.events.latestSeq();
    return {
      version: VERSION,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      dataDir: this.dataDir,
      demo: this.#demo !== null,
      accounts: this.upstreamStatus(),
      endpoint: this.#api
        ? {
            url: this.#api.url,
            socket: this.#api.socketPath,
            token_file: this.#api.tokenFile,
            pid: process.pid,
            version: VERSION,
            clients: { ...this.#api.clients(), webSockets: this.#localWs?.clientCount() ?? 0 },
          }
        : null,
      store: { events: this.events.count(), latestSeq, oldestSeq: this.events.oldestSeq(), searchLag: this.events.searchLag() },
      consumers: this.consumers.list(latestSeq),
      forwards: this.#forwarder?.status() ?? [],
      engine: this.#engineName,
      sinks: this.#sink ? [this.#sink.status()] : [],
      attachments: this.attachments.status(),
    };
  }

  onStatus(listener: (status: DaemonStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Coalesced: upstream status moves with every committed batch, and a full status reads counters from SQLite. */
  #emitStatus(): void {
    if (this.#statusListeners.size === 0 || this.#statusTimer !== null) return;
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = null;
      if (this.#stopped) return;
      const status = this.status();
      for (const listener of this.#statusListeners) listener(status);
    }, STATUS_COALESCE_MS);
  }

  #applyRetention(): void {
    const { maxAgeDays, maxEvents } = this.#retention;
    if (maxAgeDays === null && maxEvents === null) return;
    const positions = [this.consumers.minAcked(), this.#forwarder?.minCursor() ?? null, this.#sink?.position ?? null].filter(
      (p): p is number => p !== null,
    );
    const protectAfterSeq = positions.length > 0 ? Math.min(...positions) : this.events.latestSeq();
    try {
      const deleted = this.events.applyRetention({
        maxAgeMs: maxAgeDays === null ? null : maxAgeDays * 86_400_000,
        maxEvents,
        now: Date.now(),
        protectAfterSeq,
      });
      if (deleted > 0) this.#o.log.info(`retention removed ${deleted} old event(s)`);
      if (deleted > 0) this.attachments.afterRetention();
    } catch (error) {
      this.#o.log.warn(`retention failed: ${errorMessage(error)}`);
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wakeDetector?.stop();
    if (this.#retentionTimer) clearInterval(this.#retentionTimer);
    if (this.#statusTimer) clearTimeout(this.#statusTimer);
    this.#searchIndexer?.stop();
    this.#checkpointer?.stop();
    this.#idleMemory?.stop();
    for (const upstream of this.#upstreams) upstream.stop();
    this.#catchUp?.stop();
    await this.#localWs?.close();
    await this.#api?.close();
    await this.#forwarder?.stop();
    await this.#sink?.stop();
    await this.attachments.stop();
    await this.#demo?.stop();
    this.#db.close();
    this.#release();
  }
}
