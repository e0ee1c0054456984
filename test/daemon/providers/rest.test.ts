import { describe, expect, it } from 'vitest';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { restTarget } from '../../../daemon/providers/rest.ts';

describe('an account REST target', () => {
  it("uses the provider's documented base and auth header unless the account names its own base", () => {
    expect(restTarget(getAdapter('openmail'), { name: 'work' }, 'om_key')).toEqual({
      account: 'work',
      provider: 'openmail',
      baseUrl: 'https://api.openmail.sh',
      headers: { Authorization: 'Bearer om_key' },
    });
    expect(restTarget(getAdapter('agentmail'), { name: 'a' }, 'am_key').baseUrl).toBe('https://api.agentmail.to');
    const mine = restTarget(getAdapter('myagentmail'), { name: 'm', apiUrl: 'http://127.0.0.1:9000/' }, 'mam_key');
    expect(mine.baseUrl).toBe('http://127.0.0.1:9000');
    expect(mine.headers).toEqual({ 'X-API-Key': 'mam_key' });
  });
});
