// The NATS sink's fields are edited as text and saved together; this turns them into the request the engine
// takes, or says what is wrong, before anything is sent. The patterns are the ones the engine checks.
import type { SetNatsSinkRequest } from '../../shared/control.ts';
import { NAME, NAME_RULE } from '../../shared/names.ts';
import {
  DEFAULT_NATS_MAX_AGE_DAYS,
  DEFAULT_NATS_STREAM,
  DEFAULT_NATS_SUBJECT_PREFIX,
  NATS_PREFIX_PATTERN,
  NATS_STREAM_PATTERN,
  NATS_URL_PATTERN,
  type NatsSettings,
} from '../../shared/settings.ts';

export interface NatsDraft {
  url: string;
  user: string;
  /** Empty keeps the credentials the keychain holds. */
  credentials: string;
  stream: string;
  subjectPrefix: string;
  maxAgeDays: string;
  maxBytes: string;
  /** Empty is the host name. */
  engineName: string;
}

export function natsDraftFrom(nats: NatsSettings | null, engineName: string | null): NatsDraft {
  return {
    url: nats?.url ?? '',
    user: nats?.user ?? '',
    credentials: '',
    stream: nats?.stream ?? DEFAULT_NATS_STREAM,
    subjectPrefix: nats?.subjectPrefix ?? DEFAULT_NATS_SUBJECT_PREFIX,
    maxAgeDays: nats === null ? String(DEFAULT_NATS_MAX_AGE_DAYS) : limitText(nats.maxAgeDays),
    maxBytes: nats === null ? '' : limitText(nats.maxBytes),
    engineName: engineName ?? '',
  };
}

export type NatsDraftResult = { ok: true; request: SetNatsSinkRequest; engineName: string | null } | { ok: false; error: string };

export function natsRequestFromDraft(draft: NatsDraft): NatsDraftResult {
  const url = draft.url.trim();
  if (!new RegExp(NATS_URL_PATTERN).test(url)) return { ok: false, error: 'The broker URL must start with nats:// or tls://' };
  if (/^[a-z]+:\/\/[^/]*@/i.test(url)) return { ok: false, error: 'Give the user in its own field and the password as credentials, not in the URL' };
  const stream = draft.stream.trim();
  if (!new RegExp(NATS_STREAM_PATTERN).test(stream)) return { ok: false, error: 'The stream name takes 1-64 letters, digits, "-" or "_"' };
  const subjectPrefix = draft.subjectPrefix.trim();
  if (!new RegExp(NATS_PREFIX_PATTERN).test(subjectPrefix)) {
    return { ok: false, error: 'The subject prefix takes words of letters, digits, "-" or "_" joined by dots' };
  }
  const maxAgeDays = limit(draft.maxAgeDays, 'Days to keep', 3650);
  if ('error' in maxAgeDays) return { ok: false, error: maxAgeDays.error };
  const maxBytes = limit(draft.maxBytes, 'Bytes to keep', Number.MAX_SAFE_INTEGER);
  if ('error' in maxBytes) return { ok: false, error: maxBytes.error };
  const engineName = draft.engineName.trim();
  if (engineName !== '' && !NAME.test(engineName)) {
    return { ok: false, error: `The engine name takes ${NAME_RULE}` };
  }
  const user = draft.user.trim();
  const request: SetNatsSinkRequest = {
    url,
    user: user === '' ? null : user,
    stream,
    subjectPrefix,
    maxAgeDays: maxAgeDays.value,
    maxBytes: maxBytes.value,
    ...(draft.credentials.trim() === '' ? {} : { credentials: draft.credentials }),
  };
  return { ok: true, request, engineName: engineName === '' ? null : engineName };
}

function limitText(value: number | null): string {
  return value === null ? '' : String(value);
}

/** Empty means "no limit"; otherwise a whole number from 1 to `max`. */
function limit(text: string, what: string, max: number): { value: number | null } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: null };
  const value = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return value >= 1 && value <= max ? { value } : { error: `${what} must be a whole number from 1 to ${max.toLocaleString('en')}, or empty for no limit` };
}
