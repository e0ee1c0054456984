// OpenMail's webhook signature, so an existing OpenMail webhook handler verifies our POSTs unchanged:
// lowercase hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`), no prefix.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signPayload(secret: string, timestamp: number | string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * True when `signature` signs `timestamp.body` and the timestamp is within the tolerance of `nowSeconds`.
 * Verify the raw body as received: re-serialized JSON may differ byte for byte.
 */
export function verifySignature(
  secret: string,
  timestamp: number | string,
  body: string,
  signature: string,
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const stamp = String(timestamp);
  if (!/^\d{1,15}$/.test(stamp)) return false;
  if (Math.abs(nowSeconds - Number(stamp)) > toleranceSeconds) return false;
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signPayload(secret, stamp, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
