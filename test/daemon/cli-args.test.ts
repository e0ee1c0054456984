import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../daemon/cli-args.ts';
import { DEFAULT_FORWARD_DELIVERY } from '../../shared/forward-delivery.ts';

describe('the REST base on the command line', () => {
  it('takes --api-url for run and login', () => {
    expect(parseCli(['run', '--api-url', 'http://127.0.0.1:9000']).apiUrl).toBe('http://127.0.0.1:9000');
    expect(parseCli(['login', '--provider', 'agentmail', '--api-url', 'https://api.agentmail.eu']).apiUrl).toBe('https://api.agentmail.eu');
    expect(parseCli(['run']).apiUrl).toBeNull();
  });

  it('refuses a URL that is not http(s) or that carries credentials, and other commands', () => {
    expect(() => parseCli(['run', '--api-url', 'wss://api.openmail.sh'])).toThrow('--api-url must be an http:// or https:// URL');
    expect(() => parseCli(['run', '--api-url', 'https://user:pw@api.openmail.sh'])).toThrow(UsageError);
    expect(() => parseCli(['run', '--api-url', 'https://api.openmail.sh/?key=x'])).toThrow('without credentials or a query');
    expect(() => parseCli(['status', '--api-url', 'https://api.openmail.sh'])).toThrow("'status' does not take --api-url");
  });
});

describe('delivery of --forward-to targets', () => {
  it('defaults to the local retry schedule in strict order', () => {
    expect(parseCli(['run', '--forward-to', 'http://127.0.0.1:8787/hook']).forwardDelivery).toEqual(DEFAULT_FORWARD_DELIVERY);
  });

  it("takes OpenMail's schedule (with its five attempts), unordered delivery and a concurrency", () => {
    expect(parseCli(['run', '--forward-retry', 'openmail', '--forward-order', 'unordered', '--forward-concurrency', '3']).forwardDelivery).toEqual({
      ...DEFAULT_FORWARD_DELIVERY,
      retry: 'openmail',
      maxAttempts: 5,
      order: 'unordered',
      concurrency: 3,
    });
  });

  it('refuses values it does not know, and the flags on other commands', () => {
    expect(() => parseCli(['run', '--forward-retry', 'often'])).toThrow("--forward-retry takes local or openmail, not 'often'");
    expect(() => parseCli(['run', '--forward-order', 'random'])).toThrow('--forward-order takes strict or unordered');
    expect(() => parseCli(['run', '--forward-concurrency', '0'])).toThrow('--forward-concurrency must be between 1 and 64');
    expect(() => parseCli(['status', '--forward-order', 'strict'])).toThrow("'status' does not take --forward-order");
  });
});

