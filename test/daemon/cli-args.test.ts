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

describe('the agents\' commands', () => {
  it('mcp takes a data dir and a token file', () => {
    expect(parseCli(['mcp', '--data-dir', '/d', '--token-file', '/t'])).toMatchObject({ command: 'mcp', dataDir: '/d', tokenFile: '/t' });
    expect(() => parseCli(['mcp', '--from', 'x'])).toThrow("'mcp' does not take --from");
  });

  it('wait takes the filters, --code, a timeout up to 600 s (60 by default) and one inbox', () => {
    expect(parseCli(['wait', '--from', 'github.com', '--subject', 'code', '--inbox', 'inb_a', '--code', '--json'])).toMatchObject({
      command: 'wait',
      from: 'github.com',
      subject: 'code',
      inboxIds: ['inb_a'],
      code: true,
      json: true,
      timeout: 60,
    });
    expect(parseCli(['wait', '--timeout', '600']).timeout).toBe(600);
    expect(() => parseCli(['wait', '--timeout', '601'])).toThrow('--timeout must be between 0 and 600');
    expect(() => parseCli(['wait', '--inbox', 'a', '--inbox', 'b'])).toThrow("'wait' takes one --inbox");
    expect(() => parseCli(['run', '--code'])).toThrow("'run' does not take --code");
  });
});
