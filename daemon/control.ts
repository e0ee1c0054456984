// What the window asks of the engine (shared/control.ts), answered the same way over IPC and over HTTP.
// Accounts and forward targets change here in one place: keychain first, then settings, then the live engine.
import { randomBytes } from 'node:crypto';
import type { StoredEvent } from '../shared/event.ts';
import type { AddAccountRequest, AddAccountResponse, AddForwardTargetRequest, AddForwardTargetResponse, ControlApi, SettingsPatch } from '../shared/control.ts';
import type { HistoryItem, HistoryQuery, HistoryResponse } from '../shared/local-api.ts';
import type { AccountSettings, ForwardTargetSettings, Settings } from '../shared/settings.ts';
import { PROVIDERS, type DaemonStatus, type DeadLetter } from '../shared/status.ts';
import type { Daemon } from './daemon.ts';
import { validateForwardTarget, type ForwardTarget } from './local-api/forward/forward-target.ts';
import { errorMessage } from './log.ts';
import { getAdapter } from './providers/index.ts';
import type { SecretStore } from './store/secrets.ts';
import type { SettingsStore } from './store/settings.ts';
import { verifyApiKey } from './upstream/verify-key.ts';

/** Bad input from the window: the message is for the person, the HTTP layer answers 400 with it. */
export class ControlInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlInputError';
  }
}

const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_FILTERS = 100;
const HISTORY_LIMIT = 500;

export const forwardSecretKey = (id: string): string => `forward:${id}`;

/**
 * Settings targets with their signing secrets from the keychain. One target without a secret (or a keychain
 * that will not answer) must not stop the rest: it is skipped with a warning until it is added again.
 */
export function forwardTargetsFromSettings(
  targets: readonly ForwardTargetSettings[],
  secrets: Pick<SecretStore, 'get'>,
  warn: (message: string) => void,
): ForwardTarget[] {
  return targets.flatMap((target) => {
    let secret: string | null = null;
    try {
      secret = secrets.get(forwardSecretKey(target.id));
    } catch (error) {
      warn(`could not read the signing secret of ${target.url}: ${errorMessage(error)}`);
      return [];
    }
    if (secret) return [{ ...target, secret }];
    warn(`forward target ${target.url} has no signing secret in the keychain; it is skipped until added again`);
    return [];
  });
}

export class Control implements ControlApi {
  readonly #daemon: Daemon;
  readonly #settings: SettingsStore;
  readonly #secrets: SecretStore;

  constructor(daemon: Daemon, settings: SettingsStore, secrets: SecretStore) {
    this.#daemon = daemon;
    this.#settings = settings;
    this.#secrets = secrets;
  }

  async status(): Promise<DaemonStatus> {
    return this.#daemon.status();
  }

  async history(query: HistoryQuery): Promise<HistoryResponse> {
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 100)), HISTORY_LIMIT);
    const items = this.#daemon.events
      .history({
        limit,
        ...(query.q ? { q: query.q } : {}),
        ...(query.before ? { before: query.before } : {}),
        ...(query.account ? { account: query.account } : {}),
        ...(query.inbox_id ? { inboxId: query.inbox_id } : {}),
        ...(query.event_type ? { eventType: query.event_type } : {}),
      })
      .map(historyItem);
    return { items, next_before: items.length === limit ? items[items.length - 1]!.seq : null };
  }

  async event(seq: number): Promise<HistoryItem | null> {
    const record = this.#daemon.events.get(seq);
    return record ? historyItem(record) : null;
  }

  async settings(): Promise<Settings> {
    return this.#settings.get();
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    const allowed = ['port', 'notifications', 'retention', 'launchAtLogin'];
    const unknown = Object.keys(patch).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) throw new ControlInputError(`these settings cannot be changed here: ${unknown.join(', ')}`);
    const next = this.#applySettings((current) => ({ ...current, ...patch }));
    this.#daemon.setRetention(next.retention);
    return next;
  }

  async addAccount(request: AddAccountRequest): Promise<AddAccountResponse> {
    const account = checkAccount(request);
    const apiKey = typeof request.apiKey === 'string' ? request.apiKey.trim() : '';
    if (!apiKey) return { ok: false, error: 'an API key is required' };
    const adapter = getAdapter(account.provider);
    const check = await verifyApiKey(adapter, account.url ?? adapter.defaultUrl, apiKey);
    if (check.result === 'rejected') return { ok: false, error: `${account.provider} rejected this key (${check.detail})` };
    try {
      this.#secrets.set(account.name, apiKey);
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
    this.#applySettings((current) => ({ ...current, accounts: [...current.accounts.filter((a) => a.name !== account.name), account] }));
    this.#daemon.addAccount({ ...account, apiKey });
    return { ok: true, verified: check.result === 'accepted' };
  }

  async removeAccount(name: string): Promise<void> {
    this.#daemon.removeAccount(name);
    this.#applySettings((current) => ({ ...current, accounts: current.accounts.filter((a) => a.name !== name) }));
    this.#secrets.delete(name);
  }

  async addForwardTarget(request: AddForwardTargetRequest): Promise<AddForwardTargetResponse> {
    const target: ForwardTargetSettings = {
      id: `fwd_${randomBytes(6).toString('hex')}`,
      url: typeof request.url === 'string' ? request.url.trim() : '',
      inboxIds: filterList('inboxIds', request.inboxIds),
      eventTypes: filterList('eventTypes', request.eventTypes),
    };
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    try {
      validateForwardTarget({ ...target, secret });
    } catch (error) {
      throw new ControlInputError(errorMessage(error));
    }
    this.#secrets.set(forwardSecretKey(target.id), secret);
    const next = this.#applySettings((current) => ({ ...current, forwardTargets: [...current.forwardTargets, target] }));
    this.#syncForwardTargets(next);
    return { target, secret };
  }

  async removeForwardTarget(id: string): Promise<void> {
    const next = this.#applySettings((current) => ({ ...current, forwardTargets: current.forwardTargets.filter((t) => t.id !== id) }));
    this.#syncForwardTargets(next);
    this.#secrets.delete(forwardSecretKey(id));
  }

  async deadLetters(targetId?: string): Promise<DeadLetter[]> {
    return this.#daemon.forwarder?.deadLetters(targetId ? { targetId } : {}) ?? [];
  }

  async retryDelivery(id: number): Promise<boolean> {
    return this.#daemon.forwarder?.retry(id) ?? false;
  }

  async redeliver(seq: number): Promise<number> {
    if (!this.#daemon.events.get(seq)) throw new ControlInputError(`no stored event with seq ${seq}`);
    return this.#daemon.forwarder?.redeliver(seq) ?? 0;
  }

  async reconnect(): Promise<void> {
    this.#daemon.wake('reconnect requested');
  }

  async testEvent(): Promise<StoredEvent> {
    return this.#daemon.testEvent();
  }

  #applySettings(change: (current: Settings) => Settings): Settings {
    try {
      return this.#settings.update(change);
    } catch (error) {
      throw new ControlInputError(errorMessage(error));
    }
  }

  /** Targets added on the command line stay; settings targets are replaced by what settings now hold. */
  #syncForwardTargets(settings: Settings): void {
    this.#daemon.setSettingsForwardTargets(forwardTargetsFromSettings(settings.forwardTargets, this.#secrets, (message) => this.#daemon.log.warn(message)));
  }
}

function historyItem(record: { seq: number; account: string; storedAt: number; event: HistoryItem['event'] }): HistoryItem {
  return { seq: record.seq, account: record.account, stored_at: new Date(record.storedAt).toISOString(), event: record.event };
}

function checkAccount(request: AddAccountRequest): AccountSettings {
  if (typeof request.name !== 'string' || !ACCOUNT_NAME.test(request.name)) {
    throw new ControlInputError('account name must be 1-64 letters, digits, dots, dashes or underscores');
  }
  if (!(PROVIDERS as readonly string[]).includes(request.provider)) {
    throw new ControlInputError(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (request.url !== undefined && request.url !== '') {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new ControlInputError('the provider URL is not a valid URL');
    }
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new ControlInputError('the provider URL must start with wss:// or ws://');
  }
  return {
    name: request.name,
    provider: request.provider,
    ...(request.url ? { url: request.url } : {}),
    inboxIds: filterList('inboxIds', request.inboxIds),
    eventTypes: filterList('eventTypes', request.eventTypes),
  };
}

function filterList(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_FILTERS || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 256)) {
    throw new ControlInputError(`${field} must be a list of at most ${MAX_FILTERS} non-empty strings`);
  }
  return [...new Set(value as string[])];
}
