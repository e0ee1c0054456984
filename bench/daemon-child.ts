// The daemon as a child process for the bench and chaos runs: `mailbridge run` minus the terminal output.
// Options arrive as JSON over the IPC channel (never argv or env, so keys stay out of `ps`); the child answers
// with its endpoint once listening and reports every upstream state change with its own timestamp.
import type { AccountRuntime } from '../daemon/daemon.ts';
import { startEngine } from '../daemon/engine.ts';
import type { ForwardTarget } from '../daemon/forward/forwarder.ts';
import { createLogger } from '../daemon/log.ts';
import { SecretStore } from '../daemon/store/secrets.ts';
import { openSettings } from '../daemon/store/settings.ts';
import type { BackoffPolicy } from '../daemon/upstream/backoff.ts';
import type { HeartbeatPolicy } from '../daemon/upstream/heartbeat.ts';
import type { NatsSinkConfig } from '../daemon/nats/nats-sink.ts';
import { DEFAULT_NATS_STREAM, DEFAULT_NATS_SUBJECT_PREFIX, DEFAULT_SETTINGS } from '../shared/settings.ts';
import type { UpstreamStatus } from '../shared/status.ts';
import type { ChildMessage, ChildOptions } from './child-protocol.ts';

function benchNatsSink(url: string): NatsSinkConfig {
  return { url, user: null, credentials: null, stream: DEFAULT_NATS_STREAM, subjectPrefix: DEFAULT_NATS_SUBJECT_PREFIX, maxAgeDays: 1, maxBytes: null };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function start(options: ChildOptions): Promise<void> {
  const accounts: AccountRuntime[] = options.accounts.map((account) => ({ inboxIds: [], eventTypes: [], ...account }));
  const forwardTargets: ForwardTarget[] = options.forwardTargets.map((target) => ({ inboxIds: [], eventTypes: [], ...target }));
  const { daemon } = await startEngine({
    dataDir: options.dataDir,
    accounts,
    demo: null,
    port: options.port,
    unixSocket: options.unixSocket,
    forwardTargets,
    settingsForwardTargets: [],
    dashboardDir: null,
    retention: options.retention ?? DEFAULT_SETTINGS.retention,
    log: createLogger(options.verbose ? 'debug' : 'info'),
    detectWakeFromTimers: true,
    ...(options.heartbeat ? { heartbeat: options.heartbeat satisfies HeartbeatPolicy } : {}),
    ...(options.backoff ? { backoff: options.backoff satisfies BackoffPolicy } : {}),
    ...(options.catchUp ? { catchUp: options.catchUp } : {}),
    settings: openSettings(options.dataDir),
    secrets: new SecretStore(),
    ...(options.natsUrl ? { natsSink: benchNatsSink(options.natsUrl) } : {}),
  });
  // As the CLI does: a resumed process reconnects at once instead of waiting for its heartbeat.
  process.on('SIGCONT', () => daemon.wake('SIGCONT: the process was resumed'));
  // Status is coalesced, so a state that lasted only a moment may not be seen; `since` dates the ones that are.
  const states = new Map<string, string>();
  const report = (accounts: readonly UpstreamStatus[]): void => {
    for (const account of accounts) {
      const key = `${account.state} ${account.since}`;
      if (states.get(account.account) === key) continue;
      states.set(account.account, key);
      send({ type: 'state', account: account.account, state: account.state, at: Date.parse(account.since) });
    }
  };
  daemon.onStatus((status) => report(status.accounts));
  report(daemon.upstreamStatus());
  const api = daemon.endpoint;
  send({ type: 'ready', pid: process.pid, url: api?.url ?? null, socket: api?.socketPath ?? null, tokenFile: api?.tokenFile ?? null });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await daemon.stop();
    process.disconnect?.();
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.once('SIGTERM', () => void stop());
  // An orphan must not outlive the run that started it.
  process.once('disconnect', () => void stop());
}

process.once('message', (message: { type?: string; options?: ChildOptions }) => {
  if (message.type !== 'start' || !message.options) return;
  start(message.options).catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect?.();
  });
});
