// What a person configures. Read by the engine and edited in the window. Never holds a secret: API keys and
// webhook signing secrets live in the OS keychain, keyed by account name and forward target id.
import type { ProviderName } from './status.ts';
import { DEFAULT_PORT } from './local-api.ts';
import type { ForwardDelivery } from './forward-delivery.ts';

export interface AccountSettings {
  /** Also the keychain account the API key is stored under. */
  name: string;
  provider: ProviderName;
  /** Overrides the provider's default WebSocket URL. */
  url?: string;
  /** Overrides the provider's default REST base (catch-up, attachments, sends go there). */
  apiUrl?: string;
  /** Empty = all inboxes. */
  inboxIds: string[];
  /** Empty = all event types. */
  eventTypes: string[];
}

export interface ForwardTargetSettings {
  /** Also the keychain account the signing secret is stored under. */
  id: string;
  url: string;
  /** Empty = all inboxes. */
  inboxIds: string[];
  /** Empty = all event types. */
  eventTypes: string[];
  /** How events are delivered and retried; absent = DEFAULT_FORWARD_DELIVERY. */
  delivery?: ForwardDelivery;
}

export interface NotificationSettings {
  enabled: boolean;
  mutedInboxes: string[];
  /** ISO time until which notifications are paused; null when not paused. */
  pausedUntil: string | null;
}

export interface RetentionSettings {
  /** Null keeps events regardless of age. */
  maxAgeDays: number | null;
  /** Null keeps any number of events. */
  maxEvents: number | null;
}

export interface Settings {
  accounts: AccountSettings[];
  port: number;
  forwardTargets: ForwardTargetSettings[];
  notifications: NotificationSettings;
  retention: RetentionSettings;
  launchAtLogin: boolean;
}

/** Treat as read-only: copy (structuredClone) before changing. */
export const DEFAULT_SETTINGS: Readonly<Settings> = {
  accounts: [],
  port: DEFAULT_PORT,
  forwardTargets: [],
  notifications: { enabled: true, mutedInboxes: [], pausedUntil: null },
  retention: { maxAgeDays: 30, maxEvents: 100_000 },
  launchAtLogin: false,
};
