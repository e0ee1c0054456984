import { describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_DELIVERY } from '../../../shared/forward-delivery.ts';
import { DEFAULT_DELIVERY_DRAFT, deliveryFromDraft, describeDelivery, withRetry } from '../../../renderer/forms/delivery-draft.ts';

describe('forward delivery draft', () => {
  it('starts from the engine defaults and gives them back unchanged', () => {
    expect(deliveryFromDraft(DEFAULT_DELIVERY_DRAFT)).toEqual({ ok: true, delivery: DEFAULT_FORWARD_DELIVERY });
  });

  it("proposes OpenMail's five attempts with its schedule, and the local default again without it", () => {
    const openmail = withRetry(DEFAULT_DELIVERY_DRAFT, 'openmail');
    expect(openmail).toMatchObject({ retry: 'openmail', maxAttempts: '5' });
    expect(withRetry(openmail, 'local')).toMatchObject({ retry: 'local', maxAttempts: '10' });
  });

  it('reads minutes as the age limit, empty as none, and ignores the concurrency in strict order', () => {
    expect(deliveryFromDraft({ ...DEFAULT_DELIVERY_DRAFT, maxAgeMinutes: ' 90 ', concurrency: 'x' })).toEqual({
      ok: true,
      delivery: { ...DEFAULT_FORWARD_DELIVERY, maxAgeSeconds: 5_400 },
    });
    expect(deliveryFromDraft({ ...DEFAULT_DELIVERY_DRAFT, maxAgeMinutes: '' })).toMatchObject({ delivery: { maxAgeSeconds: null } });
  });

  it('says which number is out of range', () => {
    expect(deliveryFromDraft({ ...DEFAULT_DELIVERY_DRAFT, maxAttempts: '0' })).toEqual({ ok: false, error: 'Attempts must be a whole number from 1 to 100' });
    expect(deliveryFromDraft({ ...DEFAULT_DELIVERY_DRAFT, order: 'unordered', concurrency: '2.5' })).toMatchObject({ ok: false });
    expect(deliveryFromDraft({ ...DEFAULT_DELIVERY_DRAFT, maxAgeMinutes: '0' })).toMatchObject({ ok: false, error: expect.stringContaining('Give up after') });
  });

  it('describes a delivery in one line', () => {
    expect(describeDelivery(DEFAULT_FORWARD_DELIVERY)).toBe('quick retries, 10 attempts or 1 h · in order');
    expect(describeDelivery({ retry: 'openmail', maxAttempts: 5, maxAgeSeconds: 300, order: 'unordered', concurrency: 8 })).toBe(
      "OpenMail's retries, 5 attempts or 5 min · unordered, 8 at once",
    );
  });
});
