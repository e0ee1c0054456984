import { describe, expect, it } from 'vitest';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import { accessRefusal } from '../../../daemon/access/route-access.ts';
import { consumerKey, ownConsumers } from '../../../daemon/access/consumer-names.ts';

const reader: Principal = { name: 'reader', owner: false, scopes: ['read'], inboxIds: [], allowSenders: [] };
const sender: Principal = { ...reader, name: 'sender', scopes: ['read', 'send'] };

describe('accessRefusal', () => {
  it('lets the owner do everything and an agent what its scopes allow', () => {
    for (const access of ['owner', 'read', 'send'] as const) expect(accessRefusal(access, OWNER, 'x')).toBeNull();
    expect(accessRefusal('read', reader, 'x')).toBeNull();
    expect(accessRefusal('send', sender, 'x')).toBeNull();
  });

  it('says what is missing and how to get it', () => {
    expect(accessRefusal('send', reader, 'POST /v1/x')).toBe(
      'the token "reader" has the scopes [read]; POST /v1/x needs "send" (create a token with --scope send)',
    );
    expect(accessRefusal('owner', sender, 'GET /v1/status')).toMatch(/^GET \/v1\/status is the owner's alone: use the endpoint token/);
  });
});

describe('consumer names per principal', () => {
  it("keeps an agent's consumers under its token's name, and shows each principal its own", () => {
    expect(consumerKey(OWNER, 'bot')).toBe('bot');
    expect(consumerKey(reader, 'bot')).toBe('reader:bot');
    expect(() => consumerKey(reader, 'sender:bot')).toThrow(/consumer name/);
    const all = [
      { name: 'bot', ackedSeq: 1, lag: 0, updatedAt: 't' },
      { name: 'reader:bot', ackedSeq: 2, lag: 0, updatedAt: 't' },
      { name: 'sender:bot', ackedSeq: 3, lag: 0, updatedAt: 't' },
    ];
    expect(ownConsumers(OWNER, all)).toEqual(all);
    expect(ownConsumers(reader, all)).toEqual([{ name: 'bot', ackedSeq: 2, lag: 0, updatedAt: 't' }]);
  });
});
