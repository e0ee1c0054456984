import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../daemon/cli-args.ts';

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
