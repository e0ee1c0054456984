import { describe, expect, it } from 'vitest';
import { draftFrom, patchFromDraft } from '../../../renderer/forms/general-draft.ts';

describe('general settings draft', () => {
  it('round-trips settings, with empty meaning "no limit"', () => {
    const draft = draftFrom({ port: 4319, retention: { maxAgeDays: null, maxEvents: 100_000 } });
    expect(draft).toEqual({ port: '4319', maxAgeDays: '', maxEvents: '100000' });
    expect(patchFromDraft(draft)).toEqual({ ok: true, patch: { port: 4319, retention: { maxAgeDays: null, maxEvents: 100_000 } } });
  });

  it('accepts surrounding spaces', () => {
    expect(patchFromDraft({ port: ' 8080 ', maxAgeDays: ' 7', maxEvents: '' })).toEqual({
      ok: true,
      patch: { port: 8080, retention: { maxAgeDays: 7, maxEvents: null } },
    });
  });

  it('refuses ports out of range and limits that are not whole numbers of at least 1', () => {
    expect(patchFromDraft({ port: '70000', maxAgeDays: '', maxEvents: '' })).toMatchObject({ ok: false, error: expect.stringContaining('port') });
    expect(patchFromDraft({ port: 'abc', maxAgeDays: '', maxEvents: '' }).ok).toBe(false);
    expect(patchFromDraft({ port: '4319', maxAgeDays: '0', maxEvents: '' })).toMatchObject({ ok: false, error: expect.stringContaining('Days') });
    expect(patchFromDraft({ port: '4319', maxAgeDays: '', maxEvents: '1.5' })).toMatchObject({ ok: false, error: expect.stringContaining('Events') });
  });
});
