// The one implementation of every control call (shared/control.ts): IPC, HTTP and next the MCP tools all reach
// the engine through it, so they give the same answers and the same coded errors. Requests arrive checked
// against the call's schema at the boundary. Accounts and forward targets change here in one place: keychain
// first, then settings, then the live engine.
import { randomBytes } from 'node:crypto';
import type { AgentTokenInfo, CreatedToken, CreateTokenRequest } from '../shared/agent-tokens.ts';
import type { AuditQuery, AuditResponse } from '../shared/audit.ts';
import type { StoredEvent } from '../shared/event.ts';
import type {
  AddAccountRequest,
  AddAccountResponse,
  AddForwardTargetRequest,
  AddForwardTargetResponse,
  ControlApi,
  DeadLettersRequest,
  SetNatsSinkRequest,
  SettingsPatch,
} from '../shared/control.ts';
import { invalidRequest } from '../shared/errors.ts';
import type { HistoryItem, HistoryQuery, HistoryResponse } from '../shared/local-api.ts';
import { OWNER, type Principal } from '../shared/principal.ts';
import type { AccountSettings, ForwardTargetSettings, Settings } from '../shared/settings.ts';
import { completeDelivery } from '../shared/forward-delivery.ts';
import type { DaemonStatus, DeadLetter } from '../shared/status.ts';
import type { Daemon } from './daemon.ts';
import { validateForwardTarget, type ForwardTarget } from './forward/forward-target.ts';
import { errorMessage } from './log.ts';
import { getAdapter } from './providers/index.ts';
import { eventItem, historyPage } from './query/history.ts';
import type { SecretStore } from './store/secrets.ts';
import type { SettingsStore } from './store/settings.ts';
import { verifyApiKey } from './upstream/verify-key.ts';
import { NATS_CREDENTIALS_KEY, natsSinkFromSettings } from './nats/sink-settings.ts';

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

  async history(query: HistoryQuery, principal: Principal = OWNER): Promise<HistoryResponse> {
    return historyPage(this.#daemon.events, query, principal);
  }

  async event(seq: number, principal: Principal = OWNER): Promise<HistoryItem | null> {
    return eventItem(this.#daemon.events, seq, principal);
  }

  async settings(): Promise<Settings> {
    return this.#settings.get();
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    const next = this.#applySettings((current) => ({ ...current, ...patch }));
    this.#daemon.setRetention(next.retention);
    if (patch.attachments !== undefined) this.#daemon.setAttachmentLimits(next.attachments);
    return next;
  }

  async addAccount(request: AddAccountRequest): Promise<AddAccountResponse> {
    const account: AccountSettings = {
      name: request.name,
      provider: request.provider,
      ...(request.url ? { url: request.url } : {}),
      ...(request.apiUrl ? { apiUrl: request.apiUrl } : {}),
      inboxIds: [...new Set(request.inboxIds)],
      eventTypes: [...new Set(request.eventTypes)],
    };
    const apiKey = request.apiKey.trim();
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
      url: request.url.trim(),
      inboxIds: [...new Set(request.inboxIds)],
      eventTypes: [...new Set(request.eventTypes)],
      // Stored complete, so a later change of defaults does not change how an existing target behaves.
      delivery: completeDelivery(request.delivery),
    };
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    try {
      validateForwardTarget({ ...target, secret });
    } catch (error) {
      throw invalidRequest(errorMessage(error));
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

  async deadLetters(request?: DeadLettersRequest): Promise<DeadLetter[]> {
    const { target, status } = typeof request === 'string' ? { target: request, status: undefined } : (request ?? {});
    return this.#daemon.forwarder?.deadLetters({ ...(target ? { targetId: target } : {}), ...(status ? { status } : {}) }) ?? [];
  }

  async retryDelivery(id: number): Promise<boolean> {
    return this.#daemon.forwarder?.retry(id) ?? false;
  }

  async redeliver(seq: number): Promise<number> {
    if (!this.#daemon.events.get(seq)) throw invalidRequest(`no stored event with seq ${seq}`);
    return this.#daemon.forwarder?.redeliver(seq) ?? 0;
  }

  async reconnect(): Promise<void> {
    this.#daemon.wake('reconnect requested');
  }

  async testEvent(): Promise<StoredEvent> {
    return this.#daemon.testEvent();
  }

  async tokens(): Promise<AgentTokenInfo[]> {
    return this.#daemon.tokens.list();
  }

  async createToken(request: CreateTokenRequest): Promise<CreatedToken> {
    return this.#daemon.tokens.create(request);
  }

  async revokeToken(name: string): Promise<boolean> {
    return this.#daemon.tokens.revoke(name);
  }

  async audit(query?: AuditQuery): Promise<AuditResponse> {
    return this.#daemon.audit.page(query);
  }

  // ---- Publishing to NATS JetStream: keychain first, then settings, then the live engine.

  async setNatsSink(request: SetNatsSinkRequest): Promise<Settings> {
    const { credentials, ...nats } = request;
    const secret = credentials?.trim();
    if (secret === '') this.#secrets.delete(NATS_CREDENTIALS_KEY);
    else if (secret !== undefined) this.#secrets.set(NATS_CREDENTIALS_KEY, secret);
    const next = this.#applySettings((current) => ({ ...current, nats }));
    await this.#syncNatsSink(next);
    return next;
  }

  async removeNatsSink(): Promise<Settings> {
    const next = this.#applySettings((current) => ({ ...current, nats: null }));
    await this.#syncNatsSink(next);
    this.#secrets.delete(NATS_CREDENTIALS_KEY);
    return next;
  }

  async #syncNatsSink(settings: Settings): Promise<void> {
    const warn = (message: string): void => this.#daemon.log.warn(message);
    await this.#daemon.setNatsSink(natsSinkFromSettings(settings.nats, this.#secrets, warn));
  }

  /** Whatever the settings store refuses (its schema, a duplicate name) is the caller's to fix: `bad_request`. */
  #applySettings(change: (current: Settings) => Settings): Settings {
    try {
      return this.#settings.update(change);
    } catch (error) {
      throw invalidRequest(errorMessage(error));
    }
  }

  /** Targets added on the command line stay; settings targets are replaced by what settings now hold. */
  #syncForwardTargets(settings: Settings): void {
    this.#daemon.setSettingsForwardTargets(forwardTargetsFromSettings(settings.forwardTargets, this.#secrets, (message) => this.#daemon.log.warn(message)));
  }
}
