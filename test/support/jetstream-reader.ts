// Reads back what a JetStream stream holds, for tests and the bench: every message with its subject, headers
// and payload, through an ordered consumer (which leaves nothing behind on the broker).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

export interface StoredMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  engine: string | undefined;
  data: string;
}

export async function readStream(url: string, stream: string, auth: Partial<NodeConnectionOptions> = {}): Promise<StoredMessage[]> {
  const nc = await connect({ servers: url, ...auth });
  try {
    const total = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    const consumer = await jetstream(nc).consumers.get(stream);
    const out: StoredMessage[] = [];
    while (out.length < total) {
      const batch = await consumer.fetch({ max_messages: Math.min(total - out.length, 1_000), expires: 5_000 });
      const before = out.length;
      for await (const m of batch) {
        out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), engine: m.headers?.get('Mailbridge-Engine'), data: m.string() });
      }
      if (out.length === before) throw new Error(`read ${out.length} of ${total} messages from ${stream}`);
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** How many messages the stream holds, or null while it does not exist or the broker does not answer. */
export async function streamCount(url: string, stream: string, auth: Partial<NodeConnectionOptions> = {}): Promise<number | null> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: url, timeout: 2_000, reconnect: false, ...auth });
    return (await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(stream)).state.messages;
  } catch {
    return null;
  } finally {
    await nc?.close();
  }
}
