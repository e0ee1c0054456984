import { describe, expect, it } from 'vitest';
import { DEFAULT_LINK_TTL_MS, LinkSigner } from '../../../../daemon/demo/rest/signed-links.ts';

function check(signer: LinkSigner, signed: string): string {
  const url = new URL(signed, 'http://demo');
  return signer.check(url.pathname, url.searchParams);
}

describe('LinkSigner', () => {
  it('accepts its own link until it expires, 15 minutes by default', () => {
    let now = 5_000;
    const signer = new LinkSigner(undefined, () => now);
    const link = signer.sign('/storage/msg_1/att_1/a.pdf');
    expect(check(signer, link)).toBe('ok');
    now += DEFAULT_LINK_TTL_MS - 1;
    expect(check(signer, link)).toBe('ok');
    now += 1;
    expect(check(signer, link)).toBe('expired');
    expect(DEFAULT_LINK_TTL_MS).toBe(15 * 60 * 1000);
  });

  it('refuses a link for another path, a changed expiry, or another signer', () => {
    const signer = new LinkSigner(1_000, () => 0);
    const link = new URL(signer.sign('/storage/msg_1/att_1/a.pdf'), 'http://demo');
    expect(signer.check('/storage/msg_2/att_1/a.pdf', link.searchParams)).toBe('invalid');
    const later = new URLSearchParams(link.searchParams);
    later.set('expires', String(Number(later.get('expires')) + 60_000));
    expect(signer.check(link.pathname, later)).toBe('invalid');
    expect(check(new LinkSigner(1_000, () => 0), link.href)).toBe('invalid');
    expect(signer.check(link.pathname, new URLSearchParams())).toBe('invalid');
  });

  it('expireAll ends every link signed so far, and only those', () => {
    const signer = new LinkSigner(60_000, () => 0);
    const old = signer.sign('/a');
    signer.expireAll();
    const fresh = signer.sign('/a');
    expect([check(signer, old), check(signer, fresh)]).toEqual(['expired', 'ok']);
  });
});
