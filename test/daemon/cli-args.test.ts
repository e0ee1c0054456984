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

describe('agent tokens on the command line', () => {
  it('reads create, list and revoke with their own flags', () => {
    expect(parseCli(['token', 'create', '--name', 'mailer', '--scope', 'send', '--inbox', 'inb_a', '--inbox', 'inb_b', '--allow-sender', '*@bank.example', '--json'])).toMatchObject({
      command: 'token',
      tokenAction: 'create',
      tokenName: 'mailer',
      scope: 'send',
      inboxIds: ['inb_a', 'inb_b'],
      allowSenders: ['*@bank.example'],
      json: true,
    });
    expect(parseCli(['token', 'list', '--json'])).toMatchObject({ tokenAction: 'list', json: true });
    expect(parseCli(['token', 'revoke', 'mailer'])).toMatchObject({ tokenAction: 'revoke', tokenName: 'mailer' });
    expect(parseCli(['token', '--rotate'])).toMatchObject({ tokenAction: 'show', rotate: true });
  });

  it('says what is missing or out of place', () => {
    expect(() => parseCli(['token', 'create', '--scope', 'read'])).toThrow("'token create' needs --name NAME");
    expect(() => parseCli(['token', 'create', '--name', 'x'])).toThrow("'token create' needs --scope read|send");
    expect(() => parseCli(['token', 'create', '--name', 'x', '--scope', 'admin'])).toThrow('needs --scope read|send');
    expect(() => parseCli(['token', 'revoke'])).toThrow("needs the token's name");
    expect(() => parseCli(['token', 'revoke', 'a', 'b'])).toThrow("unexpected argument 'b'");
    expect(() => parseCli(['token', 'list', '--rotate'])).toThrow("'token list' does not take --rotate");
    expect(() => parseCli(['token', '--scope', 'read'])).toThrow("'token' does not take --scope");
    expect(() => parseCli(['token', 'mint'])).toThrow("unknown token action 'mint'");
    expect(() => parseCli(['status', '--allow-sender', 'a@b'])).toThrow("'status' does not take --allow-sender");
  });
});

describe('publishing to NATS on the command line', () => {
  it('takes the broker URL with the defaults left to the engine, and the stream, prefix, creds file and engine name', () => {
    expect(parseCli(['run', '--publish-nats', 'nats://127.0.0.1:4222'])).toMatchObject({
      publishNats: { url: 'nats://127.0.0.1:4222', user: null },
      natsStream: null,
      natsSubjectPrefix: null,
      natsCreds: null,
      engineName: null,
    });
    const options = parseCli([
      'run',
      '--publish-nats', 'tls://mailbridge@broker.example.com:4222',
      '--nats-stream', 'MAIL_EU',
      '--nats-subject-prefix', 'acme.mail',
      '--nats-creds', '/etc/mailbridge/nats.creds',
      '--engine-name', 'laptop-a',
    ]);
    expect(options).toMatchObject({
      publishNats: { url: 'tls://broker.example.com:4222', user: 'mailbridge' },
      natsStream: 'MAIL_EU',
      natsSubjectPrefix: 'acme.mail',
      natsCreds: '/etc/mailbridge/nats.creds',
      engineName: 'laptop-a',
    });
    expect(parseCli(['run']).publishNats).toBeNull();
  });

  it('refuses a password in the URL, as --url refuses credentials', () => {
    expect(() => parseCli(['run', '--publish-nats', 'nats://user:secret@127.0.0.1:4222'])).toThrow(/must not carry a password.*--nats-creds FILE or the keychain/);
    expect(() => parseCli(['run', '--publish-nats', 'nats://127.0.0.1:4222?token=x'])).toThrow(UsageError);
  });

  it('refuses other schemes, bad names, wildcard prefixes, and NATS flags without --publish-nats', () => {
    expect(() => parseCli(['run', '--publish-nats', 'http://127.0.0.1:4222'])).toThrow('--publish-nats must be a nats:// or tls:// URL');
    expect(() => parseCli(['run', '--publish-nats', 'nats://h:4222', '--nats-stream', 'A.B'])).toThrow(/--nats-stream takes/);
    expect(() => parseCli(['run', '--publish-nats', 'nats://h:4222', '--nats-subject-prefix', 'mail.>'])).toThrow(/--nats-subject-prefix takes/);
    expect(() => parseCli(['run', '--engine-name', 'has space'])).toThrow(/--engine-name takes/);
    expect(() => parseCli(['run', '--nats-stream', 'S'])).toThrow('--nats-stream goes with --publish-nats URL');
    expect(() => parseCli(['status', '--publish-nats', 'nats://h:4222'])).toThrow("'status' does not take --publish-nats");
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
