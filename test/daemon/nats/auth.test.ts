import { describe, expect, it } from 'vitest';
import { authSecrets, natsAuth } from '../../../daemon/nats/auth.ts';

const CREDS = `-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig
------END NATS USER JWT------

-----BEGIN USER NKEY SEED-----
SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4
------END USER NKEY SEED------
`;

describe('NATS authentication from one secret', () => {
  it('uses a .creds text whole, whatever the user', () => {
    expect(natsAuth(null, CREDS)).toEqual({ kind: 'creds', creds: CREDS });
    expect(natsAuth('alice', CREDS).kind).toBe('creds');
  });

  it('takes the first line as the password when there is a user', () => {
    expect(natsAuth('alice', 's3cret\n')).toEqual({ kind: 'password', user: 'alice', password: 's3cret' });
    expect(natsAuth('alice', null)).toEqual({ kind: 'password', user: 'alice', password: '' });
  });

  it('takes it as a token without a user, and nothing without a secret', () => {
    expect(natsAuth(null, '  tok_abc  \r\nignored')).toEqual({ kind: 'token', token: 'tok_abc' });
    expect(natsAuth(null, null)).toEqual({ kind: 'none' });
    expect(natsAuth(null, '\n')).toEqual({ kind: 'none' });
  });

  it('names the passwords and tokens to mask in logs', () => {
    expect(authSecrets(natsAuth('alice', 'pw'))).toEqual(['pw']);
    expect(authSecrets(natsAuth(null, 'tok'))).toEqual(['tok']);
    expect(authSecrets(natsAuth(null, CREDS))).toEqual([]);
  });
});
