// A short chaos run through the same code as `npm run chaos`: about twenty seeded faults (provider drops,
// half-open sockets, closes, restarts, duplicates, reordering, daemon SIGKILL and suspension, a failing webhook
// target, agents reconnecting) while mail flows; every agent, a durable consumer of the JetStream stream the
// engine publishes into among them, must end up with every event exactly once.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAOS, runChaos } from '../../bench/chaos/run-chaos.ts';

describe('chaos', () => {
  it('loses and duplicates no event at any agent through twenty random faults', async () => {
    const result = await runChaos({ ...DEFAULT_CHAOS, faults: 20, seed: 20_261_123, meanFaultIntervalMs: 1_000, drainTimeoutMs: 60_000, nats: true, log: () => {} });
    console.log(`faults: ${result.faults}, events: ${result.events}, lost: ${result.lost}, duplicated: ${result.duplicated}`);
    expect(result.faults).toBe(20);
    expect(result.events).toBeGreaterThan(500);
    expect(result.consumers.map((c) => c.name)).toContain('JetStream durable consumer (acked)');
    expect(result.consumers.map((c) => ({ name: c.name, lost: c.lost, duplicated: c.duplicated }))).toEqual(
      result.consumers.map((c) => ({ name: c.name, lost: 0, duplicated: 0 })),
    );
    expect(result.webhook.badSignatures).toBe(0);
    expect(result.daemonCrashes).toBe(0);
  }, 115_000);
});
