import { describe, expect, it } from 'vitest';
import { natsDraftFrom, natsRequestFromDraft } from '../../../renderer/forms/nats-draft.ts';

const NATS = { url: 'nats://127.0.0.1:4222', user: 'pub', stream: 'S', subjectPrefix: 'a.b', maxAgeDays: null, maxBytes: 5_000 };

describe('NATS settings draft', () => {
  it('round-trips stored settings, without credentials (an empty field keeps the stored ones)', () => {
    const draft = natsDraftFrom(NATS, 'laptop');
    expect(draft).toEqual({ url: NATS.url, user: 'pub', credentials: '', stream: 'S', subjectPrefix: 'a.b', maxAgeDays: '', maxBytes: '5000', engineName: 'laptop' });
    expect(natsRequestFromDraft(draft)).toEqual({ ok: true, request: NATS, engineName: 'laptop' });
  });

  it('offers the defaults when nothing is set, and sends credentials only when typed', () => {
    const draft = { ...natsDraftFrom(null, null), url: ' nats://broker:4222 ', credentials: 'tok' };
    expect(natsRequestFromDraft(draft)).toEqual({
      ok: true,
      request: { url: 'nats://broker:4222', user: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null, credentials: 'tok' },
      engineName: null,
    });
  });

  it('refuses what the engine would refuse, naming the field', () => {
    const base = natsDraftFrom(NATS, null);
    expect(natsRequestFromDraft({ ...base, url: 'http://x' })).toMatchObject({ ok: false, error: expect.stringContaining('nats://') });
    expect(natsRequestFromDraft({ ...base, stream: 'a.b' })).toMatchObject({ ok: false, error: expect.stringContaining('stream name') });
    expect(natsRequestFromDraft({ ...base, subjectPrefix: 'a.>' })).toMatchObject({ ok: false, error: expect.stringContaining('subject prefix') });
    expect(natsRequestFromDraft({ ...base, maxAgeDays: '0' })).toMatchObject({ ok: false, error: expect.stringContaining('Days to keep') });
    expect(natsRequestFromDraft({ ...base, engineName: 'has space' })).toMatchObject({ ok: false, error: expect.stringContaining('engine name') });
  });
});
