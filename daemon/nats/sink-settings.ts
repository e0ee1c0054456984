// The JetStream sink as settings and the command line describe it, with its credentials from a file or the
// keychain: what both shells hand the engine.
import { DEFAULT_NATS_MAX_AGE_DAYS, DEFAULT_NATS_STREAM, DEFAULT_NATS_SUBJECT_PREFIX, type NatsSettings } from '../../shared/settings.ts';
import { errorMessage } from '../log.ts';
import type { SecretStore } from '../store/secrets.ts';
import type { NatsSinkConfig } from './nats-sink.ts';

/** The keychain entry holding the sink's credentials (account names cannot contain a colon, so it never clashes). */
export const NATS_CREDENTIALS_KEY = 'nats:credentials';

/** A keychain that cannot be read leaves the sink without credentials, and the broker's refusal then says so. */
export function keychainCredentials(secrets: Pick<SecretStore, 'get'>, warn: (message: string) => void): string | null {
  try {
    return secrets.get(NATS_CREDENTIALS_KEY);
  } catch (error) {
    warn(`could not read the NATS credentials from the keychain: ${errorMessage(error)}`);
    return null;
  }
}

export function natsSinkFromSettings(
  nats: NatsSettings | null,
  secrets: Pick<SecretStore, 'get'>,
  warn: (message: string) => void,
): NatsSinkConfig | null {
  if (nats === null) return null;
  return { ...nats, credentials: keychainCredentials(secrets, warn) };
}

/** `--publish-nats` and its flags; retention comes from settings, as the window sets it. */
export function natsSinkFromFlags(
  flags: { url: string; user: string | null; stream: string | null; subjectPrefix: string | null; credentials: string | null },
  saved: NatsSettings | null,
): NatsSinkConfig {
  return {
    url: flags.url,
    user: flags.user,
    stream: flags.stream ?? DEFAULT_NATS_STREAM,
    subjectPrefix: flags.subjectPrefix ?? DEFAULT_NATS_SUBJECT_PREFIX,
    maxAgeDays: saved === null ? DEFAULT_NATS_MAX_AGE_DAYS : saved.maxAgeDays,
    maxBytes: saved?.maxBytes ?? null,
    credentials: flags.credentials,
  };
}
