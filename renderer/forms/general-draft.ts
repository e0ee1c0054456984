// The port and retention fields are edited as text and saved together; this turns them into a settings patch
// or says what is wrong, before anything is sent.
import type { SettingsPatch } from '../../shared/control.ts';
import type { Settings } from '../../shared/settings.ts';

export interface GeneralDraft {
  port: string;
  /** Empty keeps events regardless of age. */
  maxAgeDays: string;
  /** Empty keeps any number of events. */
  maxEvents: string;
}

export function draftFrom(settings: Pick<Settings, 'port' | 'retention'>): GeneralDraft {
  return {
    port: String(settings.port),
    maxAgeDays: settings.retention.maxAgeDays === null ? '' : String(settings.retention.maxAgeDays),
    maxEvents: settings.retention.maxEvents === null ? '' : String(settings.retention.maxEvents),
  };
}

export type DraftResult = { ok: true; patch: SettingsPatch } | { ok: false; error: string };

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : null;
}

/** A limit field: empty means "no limit"; otherwise a whole number of at least 1. */
function limit(text: string, what: string): { value: number | null } | { error: string } {
  if (text.trim() === '') return { value: null };
  const value = wholeNumber(text);
  return value === null || value < 1 ? { error: `${what} must be a whole number of at least 1, or empty for no limit` } : { value };
}

export function patchFromDraft(draft: GeneralDraft): DraftResult {
  const port = wholeNumber(draft.port);
  if (port === null || port < 1 || port > 65_535) return { ok: false, error: 'The port must be a whole number from 1 to 65535' };
  const maxAgeDays = limit(draft.maxAgeDays, 'Days to keep');
  if ('error' in maxAgeDays) return { ok: false, error: maxAgeDays.error };
  const maxEvents = limit(draft.maxEvents, 'Events to keep');
  if ('error' in maxEvents) return { ok: false, error: maxEvents.error };
  return { ok: true, patch: { port, retention: { maxAgeDays: maxAgeDays.value, maxEvents: maxEvents.value } } };
}
