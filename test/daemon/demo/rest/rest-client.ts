// Real HTTP against a started demo provider's REST API, with the key in the header its flavour reads.
import { DemoProvider, type DemoProviderOptions } from '../../../../daemon/demo/server.ts';

export const KEY = 'demo_rest_key';
export const [INBOX_A, INBOX_B] = ['inb_aaaa0001', 'inb_bbbb0002'];

export interface Reply {
  status: number;
  headers: Headers;
  /** The body parsed as JSON; undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: provider JSON is read loosely in tests, field by field.
  json: any;
  bytes: Buffer;
}

export interface CallOptions {
  method?: string;
  /** The API key; null sends none. */
  key?: string | null;
  /** Sent as JSON; a string is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

const started: DemoProvider[] = [];

export async function startDemo(options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const demo = await DemoProvider.start({ apiKey: KEY, seed: 17, inboxes: [INBOX_A, INBOX_B], ...options });
  started.push(demo);
  return demo;
}

export async function stopDemos(): Promise<void> {
  await Promise.all(started.splice(0).map((demo) => demo.stop()));
}

/** One request; redirects are not followed, so a 302 can be checked. `path` may be a whole URL. */
export async function call(demo: DemoProvider, path: string, options: CallOptions = {}): Promise<Reply> {
  const { method = 'GET', key = KEY, body, headers = {} } = options;
  const auth: Record<string, string> =
    key === null ? {} : demo.flavour === 'myagentmail' ? { 'X-API-Key': key } : { Authorization: `Bearer ${key}` };
  const response = await fetch(path.startsWith('http') ? path : `${demo.restUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...auth, ...(body !== undefined && { 'Content-Type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, bytes };
}
