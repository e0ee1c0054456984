// An agent on another machine, as the bench and chaos runs play it: a durable JetStream pull consumer over the
// stream the engine publishes into, acknowledging each message once recorded.
import { AckPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { MailEvent } from '../../shared/event.ts';

export interface JetStreamDelivery {
  event: MailEvent;
  /** The message's sequence in the stream: the same on a redelivery, another one for a second copy. */
  streamSeq: number;
  /** True when the broker delivers this message again (its ack did not arrive in time). */
  redelivered: boolean;
}

export class JetStreamConsumer {
  received = 0;
  readonly #nc: NatsConnection;
  readonly #messages: ConsumerMessages;
  readonly #done: Promise<void>;

  private constructor(nc: NatsConnection, messages: ConsumerMessages, onMessage: (delivery: JetStreamDelivery) => void) {
    this.#nc = nc;
    this.#messages = messages;
    this.#done = (async () => {
      for await (const message of messages) {
        const event = message.json<MailEvent>();
        this.received += 1;
        onMessage({ event, streamSeq: message.seq, redelivered: message.info.deliveryCount > 1 });
        message.ack();
      }
    })();
  }

  /** Waits for the stream the engine creates, then consumes from its start. */
  static async start(url: string, stream: string, name: string, onMessage: (delivery: JetStreamDelivery) => void): Promise<JetStreamConsumer> {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1 });
    const jsm = await jetstreamManager(nc);
    for (let tries = 0; ; tries++) {
      try {
        await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit });
        break;
      } catch (error) {
        if (tries > 300) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const consumer = await jetstream(nc).consumers.get(stream, name);
    return new JetStreamConsumer(nc, await consumer.consume(), onMessage);
  }

  async stop(): Promise<void> {
    this.#messages.stop();
    await this.#done.catch(() => {});
    await this.#nc.close();
  }
}
