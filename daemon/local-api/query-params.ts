// Strict query parsing: every parameter is known, appears once and is in range, or the request gets a 400.
import { MAX_FILTER_LENGTH } from '../../shared/local-api.ts';
import { badRequest } from './http-json.ts';

export type Params = ReadonlyMap<string, string>;

/** Unknown names are refused so a typo ("wiat=30") fails loudly instead of silently taking the default. */
export function queryParams(url: URL, allowed: readonly string[]): Params {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) throw badRequest(`unknown query parameter "${clip(name)}" (allowed: ${allowed.join(', ') || 'none'})`);
    if (params.has(name)) throw badRequest(`query parameter "${name}" given more than once`);
    params.set(name, value);
  }
  return params;
}

export function intParam(params: Params, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  return parseBoundedInt(raw, name, min, max);
}

export function parseBoundedInt(raw: string, name: string, min: number, max: number): number {
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`"${name}" must be an integer from ${min} to ${max}, got "${clip(raw)}"`);
  }
  return value;
}

/** An empty value means "no filter", so clients may always send `inbox_id=&event_type=`. */
export function textParam(params: Params, name: string, maxLength: number = MAX_FILTER_LENGTH): string | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > maxLength) throw badRequest(`"${name}" is longer than ${maxLength} characters`);
  return raw;
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}
