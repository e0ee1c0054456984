// API keys live in the OS keychain only. If the keychain cannot be used, Mailbridge says so and stores nothing.
import { randomBytes } from 'node:crypto';
import { Entry } from '@napi-rs/keyring';

export const DEFAULT_KEYCHAIN_SERVICE = 'mailbridge';
const PROBE_ACCOUNT = 'mailbridge-keychain-probe';
// On Linux only the Secret Service is persistent. Without the pin, the library silently falls back to the kernel
// keyring, which forgets the key at reboot and answers reads with "no key" when it is off limits.
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;

export class KeychainUnavailableError extends Error {
  /** What the platform reported, with any secret removed. */
  readonly reason: string;
  constructor(reason: string) {
    super(
      `The OS keychain is unavailable (${reason}). Mailbridge refuses to store the API key in plain text. ` +
        'Unlock or enable the keychain (on Linux: a Secret Service such as gnome-keyring or KWallet), ' +
        'or on a server without one, pass the key in the MAILBRIDGE_API_KEY environment variable.',
    );
    this.name = 'KeychainUnavailableError';
    this.reason = reason;
  }
}

export class SecretStore {
  readonly #service: string;

  constructor(service: string = DEFAULT_KEYCHAIN_SERVICE) {
    if (service === '') throw new TypeError('keychain service name must not be empty');
    this.#service = service;
  }

  get(account: string): string | null {
    return this.#use(account, null, (entry) => entry.getPassword() ?? null);
  }

  set(account: string, key: string): void {
    if (typeof key !== 'string' || key === '') throw new TypeError('the key to store must be a non-empty string');
    this.#use(account, key, (entry) => entry.setPassword(key));
  }

  /** Returns whether there was a key to delete. */
  delete(account: string): boolean {
    return this.#use(account, null, (entry) => entry.deletePassword());
  }

  /** Writes, reads back and deletes a throwaway entry: the only reliable way to know the keychain works. */
  probe(): { ok: true } | { ok: false; reason: string } {
    const value = randomBytes(16).toString('hex');
    try {
      this.set(PROBE_ACCOUNT, value);
      const readBack = this.get(PROBE_ACCOUNT);
      this.delete(PROBE_ACCOUNT);
      if (readBack !== value) return { ok: false, reason: 'the keychain did not return what was written to it' };
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  #use<T>(account: string, secret: string | null, action: (entry: Entry) => T): T {
    if (typeof account !== 'string' || account === '') throw new TypeError('keychain account must be a non-empty string');
    try {
      return action(new Entry(this.#service, account, ENTRY_OPTIONS));
    } catch (error) {
      // The original error is dropped on purpose: its fields come from native code we do not control.
      throw new KeychainUnavailableError(describe(error, secret));
    }
  }
}

function describe(error: unknown, secret: string | null): string {
  const text = (error instanceof Error ? error.message : String(error)).trim() || 'unknown error';
  return secret ? text.replaceAll(secret, '[redacted]') : text;
}
