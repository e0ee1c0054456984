import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from '../../../daemon/forward/signature.ts';

const SECRET = 'whsec_local_test';
const TIMESTAMP = 1771927500;
const BODY = '{"event":"message.received","event_id":"evt_7f2a3b4c"}';
// Computed outside Node (Python's hmac module) for this exact secret, timestamp and body.
const KNOWN_SIGNATURE = 'd9b63a33eb5ac139abf6b7cceafce78bf7cf6f84400193ed40e17509d344fb7b';

describe('signPayload', () => {
  it('matches a known answer for OpenMail\'s "timestamp.body" scheme', () => {
    expect(signPayload(SECRET, TIMESTAMP, BODY)).toBe(KNOWN_SIGNATURE);
  });

  it('is lowercase hex HMAC-SHA256 of "<timestamp>.<raw body>", as node:crypto computes it', () => {
    const body = JSON.stringify({ event: 'message.received', message: { subject: 'Grüße ✓', body_text: 'a\nb' } });
    const expected = createHmac('sha256', 'another secret').update(`1700000000.${body}`, 'utf8').digest('hex');
    expect(signPayload('another secret', '1700000000', body)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifySignature', () => {
  it('accepts the right signature within the tolerance, up to exactly 300 s either way', () => {
    for (const now of [TIMESTAMP, TIMESTAMP + 300, TIMESTAMP - 300]) {
      expect(verifySignature(SECRET, String(TIMESTAMP), BODY, KNOWN_SIGNATURE, now)).toBe(true);
    }
  });

  it('rejects a timestamp more than 300 s from now, or past a custom tolerance', () => {
    expect(verifySignature(SECRET, TIMESTAMP, BODY, KNOWN_SIGNATURE, TIMESTAMP + 301)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, KNOWN_SIGNATURE, TIMESTAMP - 301)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, KNOWN_SIGNATURE, TIMESTAMP + 11, 10)).toBe(false);
  });

  it('rejects a changed body, a changed timestamp, another secret and a malformed signature', () => {
    expect(verifySignature(SECRET, TIMESTAMP, BODY.replace('evt_7f2a3b4c', 'evt_7f2a3b4d'), KNOWN_SIGNATURE, TIMESTAMP)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP + 1, BODY, KNOWN_SIGNATURE, TIMESTAMP)).toBe(false);
    expect(verifySignature('whsec_other', TIMESTAMP, BODY, KNOWN_SIGNATURE, TIMESTAMP)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, KNOWN_SIGNATURE.toUpperCase(), TIMESTAMP)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, `sha256=${KNOWN_SIGNATURE}`, TIMESTAMP)).toBe(false);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, KNOWN_SIGNATURE.slice(0, 62), TIMESTAMP)).toBe(false);
    expect(verifySignature(SECRET, 'not-a-time', BODY, KNOWN_SIGNATURE, TIMESTAMP)).toBe(false);
  });
});
