import { describe, expect, it } from 'vitest';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { closeResponse, errorFrameResponse, handshakeResponse } from '../../../daemon/upstream/provider-errors.ts';

const openmail = getAdapter('openmail');

describe('provider error policy', () => {
  it('asks for a new key when the provider rejects it, quoting at most 200 characters', () => {
    expect(errorFrameResponse('unauthorized', `API key revoked ${'x'.repeat(500)}`)).toEqual({
      action: 'needs_key',
      reason: `the provider rejected the API key: API key revoked ${'x'.repeat(200 - 'API key revoked '.length)}`,
    });
  });

  it('forgets an unknown replay cursor and records why events may be missing', () => {
    expect(errorFrameResponse('cursor_unknown', 'Unknown last_event_id')).toEqual({
      action: 'forget_cursor',
      gap: 'the provider did not recognise the replay cursor; events before this may be missing',
    });
  });

  it('only counts the errors a close follows when the provider means them', () => {
    for (const kind of ['rate_limited', 'connection_limit', 'other'] as const) {
      expect(errorFrameResponse(kind, 'whatever')).toEqual({ action: 'none' });
    }
  });

  it("follows the adapter's close policy and says what the provider sent", () => {
    expect(closeResponse(openmail, 4001, 'unauthorized')).toEqual({
      action: 'needs_key',
      reason: 'closed by provider: 4001 unauthorized (unauthorized (close 4001): unauthorized)',
    });
    expect(closeResponse(openmail, 4029, '')).toEqual({
      action: 'reconnect',
      minDelayMs: 10_000,
      reason: 'closed by provider: 4029 (rate limited (close 4029))',
    });
  });

  it("follows the adapter's handshake policy and names the HTTP status", () => {
    expect(handshakeResponse(openmail, 401)).toEqual({
      action: 'needs_key',
      reason: 'provider refused the connection: HTTP 401 (key rejected (HTTP 401))',
    });
    expect(handshakeResponse(openmail, 502)).toMatchObject({ action: 'reconnect', minDelayMs: 0 });
  });
});
