// Signed, expiring download links, as OpenMail hands out for attachments (valid 15 minutes): the path is signed
// with a secret only this demo knows, together with the expiry and a generation that `expireAll` moves on, so a
// test can kill every link handed out so far without waiting.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEFAULT_LINK_TTL_MS = 15 * 60 * 1000;

export type LinkCheck = 'ok' | 'expired' | 'invalid';

export class LinkSigner {
  readonly #secret = randomBytes(32);
  readonly #ttlMs: number;
  readonly #now: () => number;
  #generation = 0;

  constructor(ttlMs: number = DEFAULT_LINK_TTL_MS, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The path with its signature query: `?expires=<ms>&gen=<n>&signature=<hex>`. */
  sign(path: string): string {
    const expires = String(this.#now() + this.#ttlMs);
    const generation = String(this.#generation);
    const query = new URLSearchParams({ expires, gen: generation, signature: this.#mac(path, expires, generation) });
    return `${path}?${query}`;
  }

  check(path: string, query: URLSearchParams): LinkCheck {
    const expires = query.get('expires') ?? '';
    const generation = query.get('gen') ?? '';
    const given = Buffer.from(query.get('signature') ?? '', 'utf8');
    const expected = Buffer.from(this.#mac(path, expires, generation), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) > this.#now() && generation === String(this.#generation) ? 'ok' : 'expired';
  }

  /** Every link signed so far stops working; new ones work as before. */
  expireAll(): void {
    this.#generation++;
  }

  #mac(path: string, expires: string, generation: string): string {
    return createHmac('sha256', this.#secret).update(`${path}\n${expires}\n${generation}`).digest('hex');
  }
}
