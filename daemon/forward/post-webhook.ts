// One delivery attempt, with exactly the headers OpenMail's webhooks carry, so an existing OpenMail webhook
// handler verifies and deduplicates it unchanged.
import { signPayload } from './signature.ts';

export interface WebhookRequest {
  url: string;
  secret: string;
  eventId: string;
  /** The raw JSON body; signed byte for byte as sent. */
  body: string;
  nowSeconds: number;
  timeoutMs: number;
  /** Aborts the attempt when forwarding stops. */
  signal: AbortSignal;
}

export type WebhookResult =
  | { outcome: 'delivered'; detail: string }
  | { outcome: 'failed'; detail: string }
  /** Forwarding stopped mid-attempt: neither a success nor a failure, the event is sent again later. */
  | { outcome: 'stopped'; detail: string };

export async function postWebhook(request: WebhookRequest): Promise<WebhookResult> {
  const timestamp = String(request.nowSeconds);
  // One controller per attempt, tied to the worker's signal and a timer: AbortSignal.any on a long-lived signal
  // piles up dependents that Node re-scans on every collection (nodejs/node#55351).
  const attempt = new AbortController();
  const stop = () => attempt.abort(request.signal.reason);
  request.signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(() => attempt.abort(new DOMException('timed out', 'TimeoutError')), request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Timestamp': timestamp,
        'X-Signature': signPayload(request.secret, timestamp, request.body),
        'X-Event-Id': request.eventId,
      },
      body: request.body,
      // A redirect is the receiver's misconfiguration, not an acknowledgement; following it would resend the body elsewhere.
      redirect: 'manual',
      signal: attempt.signal,
    });
    // Only the status matters; the receiver's body is not read.
    await response.body?.cancel();
    const detail = `HTTP ${response.status}`;
    return response.status >= 200 && response.status < 300 ? { outcome: 'delivered', detail } : { outcome: 'failed', detail };
  } catch (error) {
    if (request.signal.aborted) return { outcome: 'stopped', detail: 'forwarding stopped' };
    return { outcome: 'failed', detail: describeFailure(error, request.timeoutMs) };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', stop);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
