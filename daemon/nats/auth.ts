// How the sink authenticates, from one secret and an optional user: pure, so every form is tested without a
// broker. The secret comes from a file (`--nats-creds`) or the keychain, never from argv.

export type NatsAuth =
  | { kind: 'none' }
  /** A NATS credentials file (a user JWT and its NKey seed), as `nsc` and hosted NATS issue them. */
  | { kind: 'creds'; creds: string }
  | { kind: 'password'; user: string; password: string }
  | { kind: 'token'; token: string };

const CREDS_MARK = /-----BEGIN NATS USER JWT-----/;

/** A .creds text is used whole; otherwise the secret's first line is the user's password, or a token without a user. */
export function natsAuth(user: string | null, secret: string | null): NatsAuth {
  const text = secret ?? '';
  if (CREDS_MARK.test(text)) return { kind: 'creds', creds: text };
  const firstLine = text.split(/\r?\n/, 1)[0]!.trim();
  if (user !== null) return { kind: 'password', user, password: firstLine };
  if (firstLine !== '') return { kind: 'token', token: firstLine };
  return { kind: 'none' };
}

/** What may appear in a library's error text and must be masked in logs. */
export function authSecrets(auth: NatsAuth): string[] {
  if (auth.kind === 'password') return [auth.password];
  if (auth.kind === 'token') return [auth.token];
  return [];
}
