import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../../../renderer/data/sse-parser.ts';

function parse(...chunks: string[]): { messages: SseMessage[]; retryMs: number | null } {
  const messages: SseMessage[] = [];
  const parser = createSseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retryMs: parser.retryMs };
}

describe('createSseParser', () => {
  it('reads named events with ids, as the engine sends them', () => {
    const { messages, retryMs } = parse('retry: 2000\n\nid: 7\nevent: message.received\ndata: {"seq":7}\n\n');
    expect(retryMs).toBe(2000);
    expect(messages).toEqual([{ id: '7', event: 'message.received', data: '{"seq":7}' }]);
  });

  it('reassembles lines split across chunks, including a CRLF split in two', () => {
    const { messages } = parse('id: 1\r', '\ndata: {"se', 'q":1}\r\n\r', '\nid: 2\rdata: x\r\r\n');
    expect(messages).toEqual([
      { id: '1', event: 'message', data: '{"seq":1}' },
      { id: '2', event: 'message', data: 'x' },
    ]);
  });

  it('joins multi-line data, skips comments and fields it does not know', () => {
    const { messages } = parse(': keepalive\n\ndata: a\ndata:b\nfoo: bar\ndata\n\n');
    expect(messages).toEqual([{ id: '', event: 'message', data: 'a\nb\n' }]);
  });

  it('dispatches nothing for a block without data, and keeps an incomplete block pending', () => {
    const { messages } = parse('id: 3\nevent: ping\n\n', 'data: unfinished');
    expect(messages).toEqual([]);
  });

  it('keeps the last id for later messages and ignores ids with NUL and non-numeric retry', () => {
    const { messages, retryMs } = parse('id: 5\ndata: a\n\ndata: b\n\nid: x\0y\nretry: soon\ndata: c\n\n');
    expect(messages.map((message) => message.id)).toEqual(['5', '5', '5']);
    expect(retryMs).toBeNull();
  });
});
