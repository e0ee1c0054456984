import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { verifyApiKey } from '../../../daemon/upstream/verify-key.ts';

const KEY = 'om_verify_test_key_9a8b7c';
let demo: DemoProvider | null = null;

afterEach(async () => {
  await demo?.stop();
  demo = null;
});

describe('verifyApiKey', () => {
  it('accepts a key the provider subscribes with', async () => {
    demo = await DemoProvider.start({ apiKey: KEY });
    expect(await verifyApiKey(getAdapter('openmail'), demo.url, KEY)).toEqual({ result: 'accepted' });
  });

  it('rejects a key the provider refuses at the handshake', async () => {
    demo = await DemoProvider.start({ apiKey: KEY });
    expect(await verifyApiKey(getAdapter('openmail'), demo.url, 'om_other_key_123456')).toMatchObject({ result: 'rejected', detail: 'HTTP 401' });
  });

  it('calls a provider that is not there unreachable, neither accepted nor rejected', async () => {
    demo = await DemoProvider.start({ apiKey: KEY });
    const url = demo.url;
    await demo.stop();
    demo = null;
    expect(await verifyApiKey(getAdapter('openmail'), url, KEY)).toMatchObject({ result: 'unreachable' });
  });

  it('calls an unusable URL unreachable instead of throwing', async () => {
    expect(await verifyApiKey(getAdapter('openmail'), 'not a url', KEY)).toMatchObject({ result: 'unreachable' });
  });
});
