// An agent on any machine: a durable JetStream pull consumer over what Mailbridge engines publish, acking each
// event once handled. The broker keeps its place, so a restart resumes after the last acknowledged event.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
const stream = process.env.MAILBRIDGE_STREAM ?? 'MAILBRIDGE';

await (await jetstreamManager(nc)).consumers.add(stream, {
  durable_name: 'my-agent',
  ack_policy: AckPolicy.Explicit,
  // <prefix>.<account>.<inbox>.<event type>: every account and inbox, received mail only.
  filter_subject: 'mailbridge.*.*.message_received',
});

const consumer = await jetstream(nc).consumers.get(stream, 'my-agent');
for await (const message of await consumer.consume()) {
  const event = message.json();
  console.log(message.headers?.get('Nats-Msg-Id'), event.message?.from, event.message?.subject);
  // Acknowledge only after handling: unacknowledged events are delivered again.
  message.ack();
}
