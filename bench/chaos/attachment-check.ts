// The end of a chaos run, for attachments: every file of every stored mail (or a seeded sample of them, past
// `limit`) is fetched from its local_url on the daemon as it runs now, and compared byte for byte with the file the
// provider holds. Links expire, the REST API fails and throttles during the run; the daemon gets a while to fetch
// what it still has pending (retries wait out the provider's 429s, and a restart forgets how much of the provider's
// requests a minute it used), then every file must come whole, kept in the background or fetched on demand.
import { attachmentBytes } from '../../daemon/demo/attachment-files.ts';
import type { Random } from '../../daemon/demo/samples.ts';
import type { DemoProvider } from '../../daemon/demo/server.ts';
import type { StoredEvent } from '../../shared/event.ts';
import type { EventsResponse } from '../../shared/local-api.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import type { Endpoint } from '../clients/endpoint.ts';

export interface AttachmentCheck {
  /** Files of stored mail, whether checked or not. */
  files: number;
  checked: number;
  whole: number;
  /** What went wrong with the first few that did not come whole. */
  problems: string[];
}

interface FileRef {
  seq: number;
  index: number;
  localUrl: string | null;
  expected: Buffer | null;
}

const PAGE = 1_000;
const PROBLEMS_SHOWN = 5;

/** `settleMs`: how long the daemon may take to fetch what it has pending before the files are fetched. */
export async function checkAttachments(provider: DemoProvider, endpoint: Endpoint, random: Random, limit: number, settleMs: number): Promise<AttachmentCheck> {
  const headers = { authorization: `Bearer ${endpoint.token}` };
  const settled = Date.now() + settleMs;
  while (Date.now() < settled) {
    const status = (await (await fetch(`${endpoint.url}/v1/status`, { headers })).json()) as DaemonStatus;
    if ((status.attachments?.pending ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const files: FileRef[] = [];
  for (let after = 0; ; ) {
    const page = (await (await fetch(`${endpoint.url}/v1/events?after=${after}&limit=${PAGE}`, { headers })).json()) as EventsResponse;
    for (const event of page.events) files.push(...filesOf(provider, event));
    if (page.events.length < PAGE) break;
    after = page.next_after;
  }
  const sample = files.length <= limit ? files : shuffled(files, random).slice(0, limit);
  const result: AttachmentCheck = { files: files.length, checked: sample.length, whole: 0, problems: [] };
  for (const file of sample) {
    const problem = await fetchProblem(file, headers);
    if (problem === null) result.whole += 1;
    else if (result.problems.length < PROBLEMS_SHOWN) result.problems.push(`mail ${file.seq} file ${file.index}: ${problem}`);
  }
  return result;
}

function filesOf(provider: DemoProvider, event: StoredEvent): FileRef[] {
  const held = event.message ? provider.mailbox.message(event.message.id) : undefined;
  return (event.message?.attachments ?? []).map((attachment, index) => {
    const file = held?.attachments[index];
    return { seq: event.seq, index, localUrl: attachment.local_url ?? null, expected: file ? attachmentBytes(file) : null };
  });
}

async function fetchProblem(file: FileRef, headers: Record<string, string>): Promise<string | null> {
  if (file.localUrl === null) return 'no local_url';
  if (file.expected === null) return 'the provider holds no such file';
  const response = await fetch(file.localUrl, { headers }).catch((error: unknown) => error as Error);
  if (response instanceof Error) return `not served (${response.message})`;
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return `HTTP ${response.status}: ${body.toString('utf8').slice(0, 200)}`;
  return body.equals(file.expected) ? null : `${body.length} bytes, not the ${file.expected.length} the provider holds`;
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
