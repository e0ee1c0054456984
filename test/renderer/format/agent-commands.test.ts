import { describe, expect, it } from 'vitest';
import { curlCommand, pollUrl, webSocketUrl } from '../../../renderer/format/agent-commands.ts';

describe('agent commands', () => {
  const endpoint = { url: 'http://127.0.0.1:4319', token_file: 'data/token' };

  it('derives the long-poll and WebSocket URLs', () => {
    expect(pollUrl(endpoint)).toBe('http://127.0.0.1:4319/v1/events?after=0&wait=30');
    expect(webSocketUrl(endpoint)).toBe('ws://127.0.0.1:4319/v1/ws');
  });

  it('reads the token from its file instead of embedding it, quoting odd paths', () => {
    expect(curlCommand(endpoint)).toBe(
      'curl -H "Authorization: Bearer $(cat data/token)" "http://127.0.0.1:4319/v1/events?after=0&wait=30"',
    );
    expect(curlCommand({ ...endpoint, token_file: "My Data/it's/token" })).toContain(`$(cat 'My Data/it'\\''s/token')`);
  });
});
