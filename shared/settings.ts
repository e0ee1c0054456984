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

// ---- Attachments kept -------------------------------------------------------------------------------------

/** How much of the mail's attachments Mailbridge keeps under the data dir. */
export interface AttachmentSettings {
  /** A larger file is not kept (its event still is, with the provider's link). */
  maxFileBytes: number;
  /** All kept files together; past it the oldest go first. */
  maxTotalBytes: number;
}

export const DEFAULT_ATTACHMENT_SETTINGS: Readonly<AttachmentSettings> = {
  maxFileBytes: 25 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
};

// ---- Publishing to NATS JetStream ---------------------------------------------------------------------------

/** Where every committed event is published. Its credentials (a .creds file's text, a password or a token) live in the keychain. */
export interface NatsSettings {
  /** `nats://host:4222` or `tls://host:4222`, without credentials. */
  url: string;
  /** The user a password belongs to; null for a token, a .creds file or no authentication. */
  user: string | null;
  stream: string;
  /** Subjects are `<prefix>.<account>.<inbox_id>.<event type>`. */
  subjectPrefix: string;
  /** The stream's retention, applied when Mailbridge creates it; null keeps messages regardless of age. */
  maxAgeDays: number | null;
  /** Null keeps any number of bytes. */
  maxBytes: number | null;
}

export const DEFAULT_NATS_STREAM = 'MAILBRIDGE';
export const DEFAULT_NATS_SUBJECT_PREFIX = 'mailbridge';
export const DEFAULT_NATS_MAX_AGE_DAYS = 30;
/** Stream names: letters, digits, `-` and `_` (NATS refuses dots, wildcards and spaces in them). */
export const NATS_STREAM_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
/** Subject tokens of letters, digits, `-` and `_`, joined by dots: no wildcard, no empty token. */
export const NATS_PREFIX_PATTERN = '^[A-Za-z0-9_-]{1,64}(\\.[A-Za-z0-9_-]{1,64}){0,7}$';
export const NATS_URL_PATTERN = '^(nats|tls)://';

export interface Settings {
  accounts: AccountSettings[];
  port: number;
  forwardTargets: ForwardTargetSettings[];
  notifications: NotificationSettings;
  retention: RetentionSettings;
  launchAtLogin: boolean;
  /** Null publishes nowhere. */
  nats: NatsSettings | null;
  /** This engine's name in status and on what it publishes; null is the host name. */
  engineName: string | null;
  attachments: AttachmentSettings;
}

/** Treat as read-only: copy (structuredClone) before changing. */
export const DEFAULT_SETTINGS: Readonly<Settings> = {
  accounts: [],
  port: DEFAULT_PORT,
  forwardTargets: [],
  notifications: { enabled: true, mutedInboxes: [], pausedUntil: null },
  retention: { maxAgeDays: 30, maxEvents: 100_000 },
  launchAtLogin: false,
  nats: null,
  engineName: null,
  attachments: DEFAULT_ATTACHMENT_SETTINGS,
};
