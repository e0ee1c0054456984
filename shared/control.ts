// What the window can ask of the engine. One contract, two transports: IPC inside the tray app, HTTP against
// the local endpoint in a browser (see shared/ipc.ts and the /v1 routes in docs/openapi.json).
import type { StoredEvent } from './event.ts';
import type { HistoryItem, HistoryQuery, HistoryResponse } from './local-api.ts';
import type { ForwardTargetSettings, Settings } from './settings.ts';
import type { DaemonStatus, DeadLetter, ProviderName } from './status.ts';

export interface AddAccountRequest {
  name: string;
  provider: ProviderName;
  url?: string;
  inboxIds: string[];
  eventTypes: string[];
  /** Goes straight to the OS keychain; never stored in settings, never echoed back. */
  apiKey: string;
}

export type AddAccountResponse =
  | { ok: true; verified: boolean }
  | { ok: false; error: string };

export interface AddForwardTargetRequest {
  url: string;
  inboxIds: string[];
  eventTypes: string[];
}

export interface AddForwardTargetResponse {
  target: ForwardTargetSettings;
  /** The signing secret, shown once; it lives in the keychain afterwards. */
  secret: string;
}

/** The editable part of settings; accounts and forward targets change through their own calls. */
export type SettingsPatch = Partial<Pick<Settings, 'port' | 'notifications' | 'retention' | 'launchAtLogin'>>;

export interface ControlApi {
  status(): Promise<DaemonStatus>;
  history(query: HistoryQuery): Promise<HistoryResponse>;
  event(seq: number): Promise<HistoryItem | null>;
  settings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  addAccount(request: AddAccountRequest): Promise<AddAccountResponse>;
  removeAccount(name: string): Promise<void>;
  addForwardTarget(request: AddForwardTargetRequest): Promise<AddForwardTargetResponse>;
  removeForwardTarget(id: string): Promise<void>;
  /** Dead letters of one forward target, or of all. */
  deadLetters(targetId?: string): Promise<DeadLetter[]>;
  retryDelivery(id: number): Promise<boolean>;
  /** Sends a stored event to the forward targets again. */
  redeliver(seq: number): Promise<number>;
  reconnect(): Promise<void>;
  testEvent(): Promise<StoredEvent>;
}
