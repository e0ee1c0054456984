// Child process for the crash-safety test: commits batches forever (each overlapping the previous batch by one
// event, as a provider replay does) and prints "<seq> <event_id>" for each event only after its commit returned.
import fs from 'node:fs';
import type { MailEvent } from '../../../shared/event.ts';
import { openDatabase } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';

export const CRASH_ACCOUNT = 'crash';

export function crashEvent(n: number): MailEvent {
  return {
    event: 'message.received',
    event_id: `evt_${n}`,
    occurred_at: new Date(1_700_000_000_000 + n).toISOString(),
    inbox_id: 'inb_crash',
    message: { id: `msg_${n}`, from: 'loop@example.com', to: 'agent@example.com', subject: `crash ${n}`, body_text: 'x'.repeat(200) },
  };
}

function run(file: string): void {
  const store = new EventStore(openDatabase(file));
  const cursor = store.cursor(CRASH_ACCOUNT);
  let next = cursor === null ? 1 : Number(cursor.slice('evt_'.length)) + 1;
  let previous = cursor === null ? null : crashEvent(next - 1);
  for (;;) {
    const fresh = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => crashEvent(next++));
    const batch = previous ? [previous, ...fresh] : fresh;
    const last = fresh[fresh.length - 1]!;
    const { stored } = store.commit(CRASH_ACCOUNT, batch, last.event_id);
    fs.writeSync(1, stored.map((event) => `${event.seq} ${event.event_id}\n`).join(''));
    previous = last;
  }
}

const file = process.argv[2];
if (file) run(file);
