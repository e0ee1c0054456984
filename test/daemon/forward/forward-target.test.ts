import { describe, expect, it } from 'vitest';
import {
  ForwardTargetError,
  isLoopbackHost,
  targetWants,
  validateForwardTarget,
  type ForwardTarget,
} from '../../../daemon/forward/forward-target.ts';
import { DEFAULT_FORWARD_DELIVERY, type ForwardDelivery } from '../../../shared/forward-delivery.ts';

const target = (overrides: Partial<ForwardTarget>): ForwardTarget => ({
  id: 't1',
  url: 'http://127.0.0.1:8080/hook',
  secret: 's3cret',
  inboxIds: [],
  eventTypes: [],
  ...overrides,
});

describe('validateForwardTarget', () => {
  it.each(['http://127.0.0.1:8080/hook', 'http://localhost:3000/', 'https://[::1]:8443/x', 'http://127.0.0.2/', 'http://agent.localhost/'])(
    'accepts the loopback URL %s',
    (url) => {
      expect(validateForwardTarget(target({ url })).url).toBe(url);
    },
  );

  it('refuses a non-loopback host unless remote targets are allowed explicitly', () => {
    expect(() => validateForwardTarget(target({ url: 'https://hooks.example.com/in' }))).toThrow(
      /hooks\.example\.com is not a loopback address/,
    );
    expect(() => validateForwardTarget(target({ url: 'http://192.168.1.20/in' }))).toThrow(ForwardTargetError);
    expect(validateForwardTarget(target({ url: 'https://hooks.example.com/in', allowRemote: true })).url).toBe(
      'https://hooks.example.com/in',
    );
  });

  it('refuses other schemes, unparsable URLs, empty secrets and odd ids, saying why', () => {
    expect(() => validateForwardTarget(target({ url: 'ftp://127.0.0.1/x', allowRemote: true }))).toThrow(/only http:\/\/ and https:\/\//);
    expect(() => validateForwardTarget(target({ url: 'not a url' }))).toThrow(/is not a valid URL/);
    expect(() => validateForwardTarget(target({ secret: '' }))).toThrow(/signing secret/);
    expect(() => validateForwardTarget(target({ id: 'has space' }))).toThrow(/forward target id/);
    expect(() => validateForwardTarget(target({ inboxIds: [''] }))).toThrow(/inboxIds/);
  });

  it('deduplicates filters', () => {
    expect(validateForwardTarget(target({ inboxIds: ['a', 'a', 'b'] })).inboxIds).toEqual(['a', 'b']);
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from look-alikes', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('targetWants', () => {
  it('matches inbox and event-type filters, empty meaning all', () => {
    const received = { event: 'message.received', event_id: 'e', occurred_at: '', inbox_id: 'inb_a' };
    const podEvent = { event: 'pod.suspended', event_id: 'f', occurred_at: '', inbox_id: null };
    expect(targetWants(target({}), received)).toBe(true);
    expect(targetWants(target({}), podEvent)).toBe(true);
    expect(targetWants(target({ inboxIds: ['inb_a'] }), received)).toBe(true);
    expect(targetWants(target({ inboxIds: ['inb_b'] }), received)).toBe(false);
    expect(targetWants(target({ inboxIds: ['inb_a'] }), podEvent)).toBe(false);
    expect(targetWants(target({ eventTypes: ['pod.suspended'] }), received)).toBe(false);
    expect(targetWants(target({ eventTypes: ['pod.suspended'] }), podEvent)).toBe(true);
  });
});

describe('delivery options', () => {
  it('fills in the defaults for a target that has none, and keeps the ones given', () => {
    expect(validateForwardTarget(target({})).delivery).toEqual(DEFAULT_FORWARD_DELIVERY);
    const unordered = { ...DEFAULT_FORWARD_DELIVERY, order: 'unordered' as const, concurrency: 16, maxAgeSeconds: null };
    expect(validateForwardTarget(target({ delivery: unordered })).delivery).toEqual(unordered);
  });

  it('refuses values out of range, saying which', () => {
    const bad = (delivery: Partial<ForwardDelivery>) => () => validateForwardTarget(target({ delivery: { ...DEFAULT_FORWARD_DELIVERY, ...delivery } }));
    expect(bad({ concurrency: 0 })).toThrow(/concurrency must be a whole number from 1 to 64/);
    expect(bad({ maxAttempts: 101 })).toThrow(/maxAttempts/);
    expect(bad({ maxAgeSeconds: 0 })).toThrow(/maxAgeSeconds/);
    expect(bad({ retry: 'sometimes' as 'local' })).toThrow(/retry must be one of local, openmail/);
    expect(bad({ order: 'random' as 'strict' })).toThrow(/order must be one of strict, unordered/);
  });
});
