// The edge to the broker: one NATS connection, the stream made sure of, and publishes that wait for the
// JetStream ack. Everything it decides (subjects, ids, the stream's shape, auth, error texts) is pure elsewhere.
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect, credsAuthenticator, headers, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsAuth } from './auth.ts';
import { checkStreamSubjects, nanosToSeconds, streamPlan, type StreamOptions } from './stream-plan.ts';

export interface OutgoingMessage {
  subject: string;
  /** The event JSON. */
  payload: string;
  /** `Nats-Msg-Id`: JetStream stores a message once per id within the stream's duplicate window. */
  msgId: string;
}

export interface StreamFacts {
  created: boolean;
  duplicateWindowSeconds: number;
}

export interface JetStreamLink {
  /** Creates the stream if it is missing; refuses (StreamMismatchError) one that does not capture our subjects. */
  ensureStream(): Promise<StreamFacts>;
  /** Resolves on the JetStream ack: `duplicate` when the stream held that message id already. */
  publish(message: OutgoingMessage): Promise<{ duplicate: boolean }>;
  /** True once the connection is gone for good (closed, or the client gave up reconnecting). */
  readonly closed: boolean;
  /** False while the client is reconnecting: requests sent meanwhile would only wait for their timeout. */
  readonly connected: boolean;
  /** Calls `listener` whenever `connected` or `closed` changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface LinkOptions extends StreamOptions {
  url: string;
  auth: NatsAuth;
  /** The engine's name: the client name the broker shows, and a header on each message. */
  engine: string;
  /** How long a connect, a stream call or a publish may wait for the broker. */
  timeoutMs: number;
}

/** The header naming the engine that published a message (the first to publish an id, since duplicates are dropped). */
export const ENGINE_HEADER = 'Mailbridge-Engine';
// The broker answers a create of an existing stream with another configuration with this code.
const STREAM_NAME_IN_USE = 10058;

export async function openJetStreamLink(options: LinkOptions): Promise<JetStreamLink> {
  const nc = await connect({
    servers: options.url,
    name: `mailbridge ${options.engine}`,
    timeout: options.timeoutMs,
    // The client rides out short outages by itself; when it gives up, the sink opens a new link with its own backoff.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    ...connectionAuth(options.auth),
  });
  try {
    // checkAPI off: it asks $JS.API.INFO, a permission a publisher should not need.
    const jsm = await jetstreamManager(nc, { timeout: options.timeoutMs, checkAPI: false });
    return new Link(nc, jsm, jetstream(nc, { timeout: options.timeoutMs }), options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

function connectionAuth(auth: NatsAuth): Partial<NodeConnectionOptions> {
  switch (auth.kind) {
    case 'none':
      return {};
    case 'creds':
      return { authenticator: credsAuthenticator(new TextEncoder().encode(auth.creds)) };
    case 'password':
      return { user: auth.user, pass: auth.password };
    case 'token':
      return { token: auth.token };
  }
}

class Link implements JetStreamLink {
  readonly #nc: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #js: JetStreamClient;
  readonly #o: LinkOptions;
  #up = true;
  readonly #listeners = new Set<() => void>();

  constructor(nc: NatsConnection, jsm: JetStreamManager, js: JetStreamClient, options: LinkOptions) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = js;
    this.#o = options;
    void this.#watch();
  }

  async #watch(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect') this.#set(false);
      else if (status.type === 'reconnect') this.#set(true);
    }
    this.#set(false);
  }

  #set(up: boolean): void {
    this.#up = up;
    for (const listener of [...this.#listeners]) listener();
  }

  get closed(): boolean {
    return this.#nc.isClosed();
  }

  get connected(): boolean {
    return this.#up && !this.#nc.isClosed();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ensureStream(): Promise<StreamFacts> {
    const { stream, subjectPrefix } = this.#o;
    let info = await this.#info();
    let created = false;
    if (info === null) {
      try {
        info = await this.#jsm.streams.add(streamPlan(this.#o));
        created = true;
      } catch (error) {
        // Another engine created it a moment before, perhaps with other limits: check the one that exists.
        if ((error as { code?: unknown }).code !== STREAM_NAME_IN_USE) throw error;
        info = await this.#info();
        if (info === null) throw error;
      }
    }
    checkStreamSubjects(stream, info.config.subjects ?? [], subjectPrefix);
    return { created, duplicateWindowSeconds: nanosToSeconds(info.config.duplicate_window) };
  }

  async #info(): Promise<StreamInfo | null> {
    try {
      return await this.#jsm.streams.info(this.#o.stream);
    } catch (error) {
      if ((error as Error).name === 'StreamNotFoundError') return null;
      throw error;
    }
  }

  async publish(message: OutgoingMessage): Promise<{ duplicate: boolean }> {
    const h = headers();
    h.set(ENGINE_HEADER, this.#o.engine);
    const ack = await this.#js.publish(message.subject, message.payload, {
      msgID: message.msgId,
      headers: h,
      // Refused unless our stream stores it: a message captured by some other stream is not published.
      expect: { streamName: this.#o.stream },
    });
    return { duplicate: ack.duplicate };
  }

  async close(): Promise<void> {
    await this.#nc.close();
  }
}
