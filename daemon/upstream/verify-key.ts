// Checks an API key against the provider before it is stored: connect, subscribe, and see what comes back.
import WebSocket from 'ws';
import type { ProviderAdapter } from '../providers/adapter.ts';

export type KeyCheck =
  | { result: 'accepted' }
  | { result: 'rejected'; detail: string }
  /** The provider could not be reached: the key is neither confirmed nor refused. */
  | { result: 'unreachable'; detail: string };

export function verifyApiKey(adapter: ProviderAdapter, url: string, apiKey: string, timeoutMs = 10_000): Promise<KeyCheck> {
  return new Promise((resolve) => {
    const { url: target, headers } = adapter.connectRequest(url, apiKey);
    let settled = false;
    let ws: WebSocket;
    const finish = (check: KeyCheck) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(check);
    };
    try {
      ws = new WebSocket(target, { headers, handshakeTimeout: timeoutMs });
    } catch (error) {
      resolve({ result: 'unreachable', detail: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => finish({ result: 'unreachable', detail: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    ws.on('open', () => ws.send(adapter.subscribeFrame({ inboxIds: [], eventTypes: [], lastEventId: null })));
    ws.on('message', (data) => {
      const frame = adapter.classify(data.toString());
      if (frame.kind === 'subscribed' || frame.kind === 'event' || frame.kind === 'connected') finish({ result: 'accepted' });
      else if (frame.kind === 'error' && frame.error === 'unauthorized') finish({ result: 'rejected', detail: frame.message });
    });
    ws.on('unexpected-response', (_request, response) => {
      const action = adapter.onHandshakeStatus(response.statusCode ?? 0);
      finish(
        action.action === 'needs_key'
          ? { result: 'rejected', detail: `HTTP ${response.statusCode}` }
          : { result: 'unreachable', detail: `HTTP ${response.statusCode}` },
      );
    });
    ws.on('close', (code) => {
      const action = adapter.onClose(code, '');
      finish(action.action === 'needs_key' ? { result: 'rejected', detail: `closed with ${code}` } : { result: 'unreachable', detail: `closed with ${code}` });
    });
    ws.on('error', (error) => finish({ result: 'unreachable', detail: error.message }));
  });
}
