// `/v1/accounts/:name/proxy/<provider path>`: the account's provider REST API, with the account's key added by the
// proxy (daemon/proxy/proxy.ts). Reads need `read`, everything else `send`: one route per method says which.
import { CodedError } from '../../../shared/errors.ts';
import type { Scope } from '../../../shared/principal.ts';
import { MAX_PROXY_REQUEST_BYTES, type ProviderProxy } from '../../proxy/proxy.ts';
import { SendLimitedError } from '../../proxy/send-limits.ts';
import type { LocalRoute } from '../context.ts';
import { HttpError, payloadTooLarge } from '../http-json.ts';

const METHODS: readonly [LocalRoute['method'], Scope][] = [
  ['GET', 'read'],
  ['POST', 'send'],
  ['PUT', 'send'],
  ['PATCH', 'send'],
  ['DELETE', 'send'],
];

export function proxyRoutes(proxy: ProviderProxy): LocalRoute[] {
  return METHODS.map(([method, access]) => ({
    method,
    path: '/v1/accounts/:name/proxy/:path*',
    access,
    bodyLimit: MAX_PROXY_REQUEST_BYTES,
    handle: async ({ req, res, url, params, principal }) => {
      try {
        const search = withoutToken(url.search);
        await proxy.forward({ principal, account: params.name ?? '', method, path: `/${params.path ?? ''}`, search, headers: req.headers, body: req, res });
      } catch (error) {
        throw asProxyError(error);
      }
    },
  }));
}

/** The refusals that carry more than a code: a send limit's Retry-After, and the 413 that closes the connection. */
function asProxyError(error: unknown): unknown {
  if (error instanceof SendLimitedError) {
    return new HttpError(429, 'too_many_requests', error.message, { 'Retry-After': String(error.retryAfterSeconds) });
  }
  if (error instanceof CodedError && error.code === 'payload_too_large') return payloadTooLarge(MAX_PROXY_REQUEST_BYTES);
  return error;
}

/** The query as sent, but for a `token` parameter: the local token is never passed on, in a header or in the query. */
export function withoutToken(search: string): string {
  const kept = search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && new URLSearchParams(part).keys().next().value !== 'token');
  return kept.length > 0 ? `?${kept.join('&')}` : '';
}
