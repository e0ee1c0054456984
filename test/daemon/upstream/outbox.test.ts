import { describe, expect, it } from 'vitest';
import { Outbox } from '../../../daemon/upstream/outbox.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const sent: { frame: string; at: number }[] = [];
  let open = true;
  const outbox = new Outbox({ messages: 3, perMs: 1_000 }, clock, {
    ready: () => open,
    send: (frame) => sent.push({ frame, at: clock.now() }),
  });
  return { clock, sent, outbox, t0: clock.now(), close: () => (open = false) };
}

describe('Outbox', () => {
  it('sends at once within the budget and holds the rest, in order, until the window frees', () => {
    const { clock, sent, outbox, t0 } = setup();
    for (const frame of ['a', 'b', 'c', 'd', 'e']) outbox.send(frame);
    expect(sent.map((s) => s.frame)).toEqual(['a', 'b', 'c']);
    clock.advance(999);
    expect(sent).toHaveLength(3);
    clock.advance(1);
    expect(sent).toEqual([
      { frame: 'a', at: t0 },
      { frame: 'b', at: t0 },
      { frame: 'c', at: t0 },
      { frame: 'd', at: t0 + 1_000 },
      { frame: 'e', at: t0 + 1_000 },
    ]);
  });

  it('keeps to the budget in every window however frames arrive', () => {
    const { clock, sent, outbox } = setup();
    for (let i = 0; i < 40; i++) {
      outbox.send(`f${i}`);
      clock.advance(70);
    }
    clock.advance(20_000);
    expect(sent).toHaveLength(40);
    for (const { at } of sent) expect(sent.filter((s) => s.at >= at && s.at < at + 1_000).length).toBeLessThanOrEqual(3);
  });

  it('drops what waits when stopped, and sends nothing on a socket that cannot write', () => {
    const { clock, sent, outbox, close } = setup();
    for (const frame of ['a', 'b', 'c', 'd']) outbox.send(frame);
    outbox.stop();
    clock.advance(5_000);
    expect(sent.map((s) => s.frame)).toEqual(['a', 'b', 'c']);
    expect(clock.pendingCount).toBe(0);
    close();
    outbox.send('e');
    expect(sent).toHaveLength(3);
  });
});
