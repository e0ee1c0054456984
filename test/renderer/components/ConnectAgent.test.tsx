import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConnectAgent } from '../../../renderer/components/ConnectAgent.tsx';

describe('ConnectAgent', () => {
  it('shows a curl line for the real endpoint, reading the token from its file', () => {
    const html = renderToStaticMarkup(
      <ConnectAgent
        title="No mail yet"
        lead="Agents can read it too:"
        endpoint={{ url: 'http://127.0.0.1:4319', socket: null, token_file: 'data/token', pid: 1, version: '0.1.0' }}
      />,
    );
    expect(html).toContain('curl -H &quot;Authorization: Bearer $(cat data/token)&quot; &quot;http://127.0.0.1:4319/v1/events?after=0&amp;wait=30&quot;');
    expect(html).toContain('ws://127.0.0.1:4319/v1/ws');
  });

  it('says when there is no endpoint to connect to', () => {
    expect(renderToStaticMarkup(<ConnectAgent title="t" lead="l" endpoint={null} />)).toContain('not running');
  });
});
