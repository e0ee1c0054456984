// A real engine (its own endpoint on port 0) fed by the demo provider of one flavour, and mail with attachments whose
// bytes the test knows: what the attachment tests drive. Mail goes the whole way (the demo's socket, or its REST API
// when push is off), and every file is fetched from the demo's real HTTP server.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Daemon } from '../../../daemon/daemon.ts';
import { attachmentBytes } from '../../../daemon/demo/attachment-files.ts';
import { DEFAULT_INBOXES } from '../../../daemon/demo/samples.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { startEngine, type EngineOptions } from '../../../daemon/engine.ts';
import type { MailAttachment, MailEvent, StoredEvent } from '../../../shared/event.ts';
import type { EventsResponse } from '../../../shared/local-api.ts';
import type { ProviderName } from '../../../shared/status.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { eventually, waitFor } from '../../support/wait-for.ts';

export const INBOX = DEFAULT_INBOXES[0]!;
export const OTHER_INBOX = DEFAULT_INBOXES[1]!;

/** A file as a mail announces it, and the bytes the demo serves for it. */
export interface TestFile {
  attachment: MailAttachment;
  bytes: Buffer;
}

export function testFile(filename: string, contentType: string, text: string): TestFile {
  const bytes = attachmentBytes({ filename, contentType, parsedText: text });
  return { attachment: { filename, contentType, sizeBytes: bytes.length, parsedText: text, extractionMethod: 'text' }, bytes };
}

export interface EngineWithFiles {
  dir: string;
  dataDir: string;
  demo: DemoProvider;
  daemon: Daemon;
  /** The endpoint as it is now (a restart may move it). */
  url(): string;
  token(): string;
  /** Sends a mail with these files through the demo; resolves with the event as an agent reads it, once committed. */
  mail(files: readonly TestFile[], fields?: { inbox?: string; from?: string }): Promise<StoredEvent>;
  /** A fetch to the endpoint (a path, or a whole `local_url`), with the owner's token unless given another (null: none). */
  get(target: string, token?: string | null): Promise<Response>;
  /** Every event an agent reads from the start. */
  events(): Promise<StoredEvent[]>;
  /** Stops the engine and starts it again on the same data dir (the demo stays up). */
  restart(overrides?: Partial<EngineOptions>): Promise<void>;
  stop(): Promise<void>;
}

const KEY = `om_files_${randomBytes(8).toString('hex')}`;

export async function startEngineWithFiles(flavour: ProviderName = 'openmail', overrides: Partial<EngineOptions> = {}): Promise<EngineWithFiles> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-files-'));
  const dataDir = path.join(dir, 'data');
  const demo = await DemoProvider.start({ apiKey: KEY, flavour });
  const options = (more: Partial<EngineOptions>): EngineOptions =>
    testDaemonOptions(dataDir, {
      accounts: [{ name: 'work', provider: flavour, url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: KEY }],
      ...overrides,
      ...more,
    });
  let daemon = (await startEngine(options({}))).daemon;
  const live = (): Promise<unknown> => waitFor(() => daemon.status().accounts[0]?.state === 'live', 10_000, 'the demo account to be live');
  await live();
  const harness: EngineWithFiles = {
    dir,
    dataDir,
    demo,
    get daemon() {
      return daemon;
    },
    url: () => daemon.endpoint!.url,
    token: () => fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim(),
    get: (target, token = harness.token()) =>
      fetch(target.startsWith('http') ? target : `${harness.url()}${target}`, {
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      }),
    mail: async (files, fields = {}) => {
      const id = randomBytes(6).toString('hex');
      const now = new Date().toISOString();
      const sent: MailEvent = demo.emit({
        inbox_id: fields.inbox ?? INBOX,
        thread_id: `thr_${id}`,
        message: {
          id: `msg_${id}`,
          from: fields.from ?? 'Billing <billing@vendor.example>',
          to: 'agent@demo.openmail.sh',
          cc: [],
          subject: `Files ${id}`,
          body_text: 'See attached.',
          attachments: files.map((file) => file.attachment),
          received_at: now,
        },
      });
      return eventually(
        async () => (await harness.events()).find((event) => event.message?.id === sent.message!.id),
        15_000,
        `mail ${sent.message!.id} to be committed`,
      );
    },
    events: async () => {
      const events: StoredEvent[] = [];
      for (let after = 0; ; ) {
        const page = (await (await harness.get(`/v1/events?after=${after}&limit=1000`)).json()) as EventsResponse;
        events.push(...page.events);
        if (page.events.length < 1000) return events;
        after = page.next_after;
      }
    },
    restart: async (more = {}) => {
      await daemon.stop();
      daemon = (await startEngine(options(more))).daemon;
      await live();
    },
    stop: async () => {
      await daemon.stop();
      await demo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The files an event's attachments are kept in now, as the engine's store names them. */
export function keptFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'attachments');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => /^[0-9a-f]{64}$/.test(name)) : [];
}
