// Settings on disk (conf: the electron-store format), validated on every read and write.
import Conf, { type Schema } from 'conf';
import { FORWARD_DELIVERY_LIMITS, FORWARD_ORDERS, FORWARD_RETRIES } from '../../shared/forward-delivery.ts';
import { NAME } from '../../shared/names.ts';
import {
  DEFAULT_SETTINGS,
  NATS_PREFIX_PATTERN,
  NATS_STREAM_PATTERN,
  NATS_URL_PATTERN,
  type Settings,
} from '../../shared/settings.ts';
import { PROVIDERS } from '../../shared/status.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files.ts';

export class InvalidSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSettingsError';
  }
}

export type SettingsListener = (next: Settings, previous: Settings | undefined) => void;

const NAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
const stringList = { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 256 } } as const;

// A forward target's delivery options: optional (targets stored before they existed take the defaults), complete when given.
function forwardDeliverySchema() {
  const { maxAttempts, maxAgeSeconds, concurrency } = FORWARD_DELIVERY_LIMITS;
  return {
    type: 'object',
    additionalProperties: false,
    required: ['retry', 'maxAttempts', 'maxAgeSeconds', 'order', 'concurrency'],
    properties: {
      retry: { enum: [...FORWARD_RETRIES] },
      maxAttempts: { type: 'integer', minimum: maxAttempts.min, maximum: maxAttempts.max },
      maxAgeSeconds: { type: ['integer', 'null'], minimum: maxAgeSeconds.min, maximum: maxAgeSeconds.max },
      order: { enum: [...FORWARD_ORDERS] },
      concurrency: { type: 'integer', minimum: concurrency.min, maximum: concurrency.max },
    },
  } as const;
}

const schema: Schema<Settings> = {
  accounts: {
    type: 'array',
    maxItems: 64,
    items: {
      type: 'object',
      // Closed objects: an unexpected field (say, an API key) is refused rather than written to disk.
      additionalProperties: false,
      required: ['name', 'provider', 'inboxIds', 'eventTypes'],
      properties: {
        name: { type: 'string', pattern: NAME_PATTERN },
        provider: { enum: [...PROVIDERS] },
        url: { type: 'string', format: 'uri', pattern: '^wss?://', maxLength: 2048 },
        apiUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
        inboxIds: stringList,
        eventTypes: stringList,
      },
    },
  },
  port: { type: 'integer', minimum: 0, maximum: 65535 },
  forwardTargets: {
    type: 'array',
    maxItems: 64,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'url', 'inboxIds', 'eventTypes'],
      properties: {
        id: { type: 'string', pattern: NAME_PATTERN },
        url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
        inboxIds: stringList,
        eventTypes: stringList,
        delivery: forwardDeliverySchema(),
      },
    },
  },
  notifications: {
    type: 'object',
    additionalProperties: false,
    required: ['enabled', 'mutedInboxes', 'pausedUntil'],
    properties: {
      enabled: { type: 'boolean' },
      mutedInboxes: stringList,
      pausedUntil: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  retention: {
    type: 'object',
    additionalProperties: false,
    required: ['maxAgeDays', 'maxEvents'],
    properties: {
      maxAgeDays: { type: ['integer', 'null'], minimum: 1, maximum: 36500 },
      maxEvents: { type: ['integer', 'null'], minimum: 1 },
    },
  },
  launchAtLogin: { type: 'boolean' },
  // ---- Publishing to NATS JetStream
  nats: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['url', 'user', 'stream', 'subjectPrefix', 'maxAgeDays', 'maxBytes'],
    properties: {
      url: { type: 'string', format: 'uri', pattern: NATS_URL_PATTERN, maxLength: 2048 },
      user: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
      stream: { type: 'string', pattern: NATS_STREAM_PATTERN },
      subjectPrefix: { type: 'string', pattern: NATS_PREFIX_PATTERN },
      maxAgeDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
      maxBytes: { type: ['integer', 'null'], minimum: 1 },
    },
  },
  engineName: { type: ['string', 'null'], pattern: NAME.source },
  attachments: {
    type: 'object',
    additionalProperties: false,
    required: ['maxFileBytes', 'maxTotalBytes'],
    properties: {
      maxFileBytes: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      maxTotalBytes: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    },
  },
};

// Field names that only ever hold credentials, anywhere in the tree.
const SECRET_FIELD = /^(api[-_]?key|key|token|access[-_]?token|secret|signing[-_]?secret|password|passwd|authorization)$/i;
// Query parameters through which providers accept credentials (OpenMail `token`, AgentMail/myagentmail `api_key`).
const SECRET_PARAM = /^(api[-_]?key|key|token|access[-_]?token|secret|password|auth)$/i;

export class SettingsStore {
  readonly #conf: Conf<Settings>;

  constructor(conf: Conf<Settings>) {
    this.#conf = conf;
  }

  get path(): string {
    return this.#conf.path;
  }

  get(): Settings;
  get<K extends keyof Settings>(key: K): Settings[K];
  get<K extends keyof Settings>(key?: K): Settings | Settings[K] {
    const all = this.#read();
    return key === undefined ? all : all[key];
  }

  set(value: Settings): void;
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
  set<K extends keyof Settings>(keyOrValue: K | Settings, value?: Settings[K]): void {
    if (typeof keyOrValue === 'string') this.#write({ ...this.#read(), [keyOrValue]: value });
    else this.#write(keyOrValue);
  }

  /** Read-modify-write: `change` gets a private copy and returns the settings to store. */
  update(change: (current: Settings) => Settings): Settings {
    const next = change(this.#read());
    this.#write(next);
    return this.#read();
  }

  onDidAnyChange(listener: SettingsListener): () => void {
    return this.#conf.onDidAnyChange((next, previous) =>
      listener(structuredClone(next) as Settings, previous === undefined ? undefined : (structuredClone(previous) as Settings)),
    );
  }

  #read(): Settings {
    try {
      return structuredClone(this.#conf.store);
    } catch (error) {
      throw asSettingsError(error, this.#conf.path);
    }
  }

  #write(candidate: Settings): void {
    refuseSecrets(candidate, '');
    refuseDuplicates(candidate.accounts?.map((a) => a.name), 'account name');
    refuseDuplicates(candidate.forwardTargets?.map((t) => t.id), 'forward target id');
    try {
      this.#conf.store = structuredClone(candidate);
    } catch (error) {
      throw asSettingsError(error, this.#conf.path);
    }
  }
}

/** Opens `<dir>/settings.json` (created on first write, 0600 in a 0700 dir). Refuses a file that breaks the schema. */
export function openSettings(dir: string): SettingsStore {
  ensurePrivateDir(dir);
  try {
    return new SettingsStore(
      new Conf<Settings>({
        cwd: dir,
        configName: 'settings',
        schema,
        defaults: structuredClone(DEFAULT_SETTINGS) as Settings,
        configFileMode: PRIVATE_FILE_MODE,
        accessPropertiesByDotNotation: false,
        // A hand-edit mistake must surface as an error, not silently reset every setting.
        clearInvalidConfig: false,
      }),
    );
  } catch (error) {
    throw asSettingsError(error, dir);
  }
}

function refuseSecrets(value: unknown, where: string): void {
  if (typeof value === 'string') {
    refuseCredentialUrl(value, where);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const path = Array.isArray(value) ? `${where}[${key}]` : where ? `${where}.${key}` : key;
    if (SECRET_FIELD.test(key)) {
      throw new InvalidSettingsError(
        `Refusing to write ${path} to the settings file: it looks like a credential. API keys and signing secrets belong in the OS keychain.`,
      );
    }
    refuseSecrets(child, path);
  }
}

function refuseCredentialUrl(text: string, where: string): void {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return;
  }
  const carriesSecret = url.username !== '' || url.password !== '' || [...url.searchParams.keys()].some((k) => SECRET_PARAM.test(k));
  if (carriesSecret) {
    throw new InvalidSettingsError(
      `Refusing to write ${where} to the settings file: the URL carries credentials. API keys belong in the OS keychain.`,
    );
  }
}

function refuseDuplicates(values: string[] | undefined, what: string): void {
  const seen = new Set<string>();
  for (const value of values ?? []) {
    if (seen.has(value)) throw new InvalidSettingsError(`Duplicate ${what}: ${JSON.stringify(value)}`);
    seen.add(value);
  }
}

function asSettingsError(error: unknown, where: string): Error {
  if (error instanceof InvalidSettingsError) return error;
  if (error instanceof Error && (/schema violation/i.test(error.message) || error.name === 'SyntaxError')) {
    return new InvalidSettingsError(`Invalid settings (${where}): ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
