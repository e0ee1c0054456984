// What a REST call to a provider answers, as every caller sees it: the value, or a failure of a known kind.
// Types only, so the adapters' contract can name them without reaching the HTTP client.

export type RestFailureKind =
  /** 401 or 403: the key is missing, wrong or revoked. */
  | 'needs_key'
  | 'not_found'
  /** 429; `retryAfterMs` from the Retry-After header when it had one. */
  | 'rate_limited'
  /** 5xx. */
  | 'server_error'
  /** Any other answer that is not a success: 3xx, 4xx. */
  | 'refused'
  | 'timeout'
  /** No answer: refused, reset, DNS. */
  | 'network'
  | 'too_large'
  /** Not JSON, nested too deep, or JSON of the wrong shape. */
  | 'malformed';

export interface RestFailure {
  kind: RestFailureKind;
  /** The HTTP status, when there was an answer. */
  status: number | null;
  retryAfterMs: number | null;
  /** For people: what was asked and what came back, without the key. */
  message: string;
}

export type RestResult<T> = { ok: true; value: T } | { ok: false; failure: RestFailure };

export type RestQuery = Readonly<Record<string, string | number | undefined>>;
