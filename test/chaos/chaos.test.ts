// A short chaos run per provider flavour through the same code as `npm run chaos`: a few seeded faults each
// (provider drops, half-open sockets, closes, restarts, duplicates, reordering, push off with the socket down,
// late duplicate pushes, a forgotten replay cursor, REST errors, attachment links expiring, daemon SIGKILL and
// suspension, a failing webhook target, agents reconnecting) while mail flows; every agent (on one flavour, a durable consumer of the JetStream
// stream the engine publishes into among them) must end up with every mail exactly once, whichever route (push,
// replay or catch-up over REST) brought it; and every file of the stored mail comes whole from its local_url, however
// often the provider's links expired.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAOS, runChaos } from '../../bench/chaos/run-chaos.ts';
import { PROVIDERS } from '../../shared/status.ts';

const FAULTS_PER_FLAVOUR = 7;

describe('chaos', () => {
  it.each(PROVIDERS)('loses and duplicates no mail at any agent through random faults, with a %s upstream', async (flavour) => {
    // The JetStream sink rides along on one flavour: it consumes the same committed log whatever brought the mail.
    const nats = flavour === 'openmail';
    const result = await runChaos({
      ...DEFAULT_CHAOS,
      flavour,
      faults: FAULTS_PER_FLAVOUR,
      seed: 20_261_123,
      meanFaultIntervalMs: 1_000,
      drainTimeoutMs: 40_000,
      // Files the daemon has not fetched by the end are fetched on demand.
      attachmentSettleMs: 10_000,
      nats,
      log: () => {},
    });
    const { files, checked, whole, problems } = result.attachments;
    console.log(`${flavour} faults: ${result.faults}, events: ${result.events}, lost: ${result.lost}, duplicated: ${result.duplicated}, attachments: ${whole} of ${checked} whole`);
    expect(result.faults).toBe(FAULTS_PER_FLAVOUR);
    expect(result.events).toBeGreaterThan(200);
    if (nats) expect(result.consumers.map((c) => c.name)).toContain('JetStream durable consumer (acked)');
    expect(result.consumers.map((c) => ({ name: c.name, lost: c.lost, duplicated: c.duplicated }))).toEqual(
      result.consumers.map((c) => ({ name: c.name, lost: 0, duplicated: 0 })),
    );
    expect(result.webhook.badSignatures).toBe(0);
    expect(result.daemonCrashes).toBe(0);
    expect(files).toBeGreaterThan(0);
    expect({ whole, problems }).toEqual({ whole: checked, problems: [] });
  }, 75_000);
});
