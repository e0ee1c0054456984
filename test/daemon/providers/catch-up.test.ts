// Each adapter's catch-up capability against the demo provider's real REST API in that provider's flavour:
// inboxes, inbound mail newest first page by page, whole messages where listings have none, and the mapping onto
// the one event shape. The property everything rests on: a mail listed over REST and the same mail pushed over
// the socket get the same message key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pushFrame } from '../../../daemon/demo/flavours/socket.ts';
import type { DemoProvider } from '../../../daemon/demo/server.ts';
import { CATCH_UP_DELIVERY, catchUpEventId, type CaughtItem, type RestGet } from '../../../daemon/providers/catch-up.ts';
import { parseMailEvent } from '../../../daemon/providers/event-shape.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { restGetJson } from '../../../daemon/providers/rest-client.ts';
import { restTarget } from '../../../daemon/providers/rest.ts';
import type { MailEvent } from '../../../shared/event.ts';
import { PROVIDERS, type ProviderName } from '../../../shared/status.ts';
import { INBOX_A, INBOX_B, KEY, startDemo, stopDemos } from '../demo/rest/rest-client.ts';

const servers: Server[] = [];
afterEach(async () => {
  await stopDemos();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function getFor(provider: ProviderName, baseUrl: string): RestGet {
  const target = restTarget(getAdapter(provider), { name: 'acct', apiUrl: baseUrl }, KEY);
  return (path, query) => restGetJson(target, path, query ? { query } : {});
}

async function setup(flavour: ProviderName) {
  const demo = await startDemo({ flavour });
  return { demo, api: getAdapter(flavour).catchUp, get: getFor(flavour, demo.restUrl) };
}

async function listAll(demo: DemoProvider, flavour: ProviderName, inboxId: string, limit: number, since = 0): Promise<CaughtItem[]> {
  const { api, get } = { api: getAdapter(flavour).catchUp, get: getFor(flavour, demo.restUrl) };
  const items: CaughtItem[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await api.listInbound(get, inboxId, { cursor, limit, since });
    if (!page.ok) throw new Error(page.failure.message);
    items.push(...page.value.items);
    if (page.value.next === null) return items;
    cursor = page.value.next;
  }
}

/** The event as the flavour's socket would have delivered it (myagentmail: both push forms, in turn), read by
 * the flavour's adapter. */
function pushed(flavour: ProviderName, event: MailEvent, sequence: number): MailEvent {
  const frame = pushFrame(flavour, event, null, 'both', sequence);
  const classified = getAdapter(flavour).classify(JSON.stringify(frame));
  if (classified.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(classified)}`);
  return classified.event;
}

describe.each(PROVIDERS)('%s catch-up', (flavour) => {
  it("lists the account's inboxes", async () => {
    const { api, get } = await setup(flavour);
    const page = await api.listInboxes(get, null);
    expect(page).toEqual({ ok: true, value: { items: [INBOX_A, INBOX_B], next: null, skipped: 0 } });
  });

  it('lists inbound mail newest first, page by page, as caught-up events of the one shape', async () => {
    const { demo, api, get } = await setup(flavour);
    const sent = demo.emitMany(30);
    const inbox = sent[0]!.inbox_id!;
    const expected = sent.filter((event) => event.inbox_id === inbox).reverse();
    const items = await listAll(demo, flavour, inbox, 4);
    expect(items.map((item) => item.event.message!.id)).toEqual(expected.map((event) => event.message!.id));
    for (const item of items) {
      expect(parseMailEvent(item.event).ok).toBe(true);
      expect(item.event).toMatchObject({
        event: 'message.received',
        event_id: catchUpEventId(item.event.message!.id),
        inbox_id: inbox,
        delivery: CATCH_UP_DELIVERY,
      });
      expect(item.at).toBe(Date.parse(item.event.occurred_at));
    }
    const whole = await Promise.all(items.map(async (item) => (item.whole ? item.event : await api.fetchWhole(get, inbox, item).then((r) => (r.ok ? r.value : null)))));
    for (const [index, event] of whole.entries()) {
      const source = expected[index]!;
      expect(event).toMatchObject({
        thread_id: source.thread_id,
        message: { id: source.message!.id, from: source.message!.from, subject: source.message!.subject, body_text: source.message!.body_text },
      });
    }
  });

  it('gives a mail listed over REST the message key its push gets, in every push form', async () => {
    const { demo } = await setup(flavour);
    const sent = demo.emitMany(12);
    const adapter = getAdapter(flavour);
    const listed = new Map<string, MailEvent>();
    for (const inbox of [INBOX_A, INBOX_B]) for (const item of await listAll(demo, flavour, inbox, 100)) listed.set(item.event.message!.id, item.event);
    for (const [index, event] of sent.entries()) {
      const viaRest = listed.get(event.message!.id)!;
      const viaPush = pushed(flavour, event, index);
      expect(adapter.messageKey(viaRest)).not.toBeNull();
      expect(adapter.messageKey(viaPush)).toBe(adapter.messageKey(viaRest));
      expect(viaPush.event_id).not.toBe(viaRest.event_id);
    }
    const keys = new Set([...listed.values()].map((event) => adapter.messageKey(event)));
    expect(keys.size).toBe(sent.length);
  });

  it('says an unknown inbox is not found, and never throws on a provider that is down', async () => {
    const { demo, api, get } = await setup(flavour);
    expect(await api.listInbound(get, 'inb_nope', { cursor: null, limit: 10, since: 0 })).toMatchObject({ ok: false, failure: { kind: 'not_found' } });
    await demo.setRestDown('error');
    expect(await api.listInbound(get, INBOX_A, { cursor: null, limit: 10, since: 0 })).toMatchObject({ ok: false, failure: { kind: 'server_error' } });
    await demo.setRestDown('refused');
    expect(await api.listInboxes(get, null)).toMatchObject({ ok: false, failure: { kind: 'network' } });
  });
});

describe('AgentMail catch-up', () => {
  it('asks only for received mail after the window start', async () => {
    const demo = await startDemo({ flavour: 'agentmail' });
    const [sample] = demo.emitMany(1);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    demo.emit({ ...sample, inbox_id: INBOX_A, event_id: 'evt_old', message: { ...sample!.message!, id: 'msg_old', received_at: hourAgo } });
    const fresh = demo.emitMany(6).filter((event) => event.inbox_id === INBOX_A);
    const items = await listAll(demo, 'agentmail', INBOX_A, 100, Date.now() - 60_000);
    const ids = items.map((item) => item.event.message!.id);
    expect(ids).not.toContain('msg_old');
    expect(ids).toEqual(expect.arrayContaining(fresh.map((event) => event.message!.id)));
  });
});

describe('answers of the wrong shape', () => {
  async function garbage(body: unknown): Promise<string> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it.each(PROVIDERS)('%s: an envelope without its list is malformed; items that do not map are counted and left out', async (flavour) => {
    const api = getAdapter(flavour).catchUp;
    const broken = getFor(flavour, await garbage({ data: 'nope', messages: 7, inboxes: null }));
    expect(await api.listInbound(broken, INBOX_A, { cursor: null, limit: 10, since: 0 })).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    expect(await api.listInboxes(broken, null)).toMatchObject({ ok: false, failure: { kind: 'malformed' } });

    const demo = await startDemo({ flavour });
    demo.emit({ inbox_id: INBOX_A });
    const real = await fetch(`${demo.restUrl}${flavour === 'agentmail' ? '/v0' : '/v1'}/inboxes/${INBOX_A}/messages`, {
      headers: flavour === 'myagentmail' ? { 'X-API-Key': KEY } : { Authorization: `Bearer ${KEY}` },
    }).then((response) => response.json() as Promise<Record<string, unknown[]>>);
    const listKey = flavour === 'openmail' ? 'data' : 'messages';
    const good = real[listKey]![0] as Record<string, unknown>;
    const mixed = getFor(flavour, await garbage({ ...real, [listKey]: [good, { ...good, id: 42, message_id: 42 }, 'x', { ...good, subject: { no: 1 } }] }));
    const page = await api.listInbound(mixed, INBOX_A, { cursor: null, limit: 10, since: 0 });
    expect(page).toMatchObject({ ok: true, value: { skipped: 3 } });
    if (page.ok) expect(page.value.items).toHaveLength(1);
  });
});
