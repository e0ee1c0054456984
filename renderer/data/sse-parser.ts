// The text/event-stream format, parsed by hand because the stream is read with fetch: EventSource only hands
// named events to listeners registered per name, and the engine names each event by its type, which is open-ended.

export interface SseMessage {
  /** The `id:` in force when the message was dispatched (the last one seen, as EventSource keeps it). */
  id: string;
  event: string;
  data: string;
}

export interface SseParser {
  /** Feed decoded text as it arrives; chunks may split lines anywhere. */
  push(text: string): void;
  /** The server's `retry:` hint in ms, if it sent one. */
  readonly retryMs: number | null;
}

export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = '';
  let lastId = '';
  let event = '';
  let data: string[] = [];
  let retryMs: number | null = null;

  const dispatch = (): void => {
    if (data.length > 0) onMessage({ id: lastId, event: event || 'message', data: data.join('\n') });
    event = '';
    data = [];
  };

  const line = (text: string): void => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  };

  return {
    push(text) {
      buffer += text;
      // A trailing '\r' may be the first half of '\r\n': keep it until the next chunk says.
      const pattern = /\r\n|\r(?=[^\n])|\n/g;
      let start = 0;
      for (let match = pattern.exec(buffer); match !== null; match = pattern.exec(buffer)) {
        line(buffer.slice(start, match.index));
        start = match.index + match[0].length;
      }
      buffer = buffer.slice(start);
    },
    get retryMs() {
      return retryMs;
    },
  };
}
