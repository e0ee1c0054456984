// How events and status read in a terminal: one line per event, like `stripe listen`.
import type { MailEvent } from '../shared/event.ts';
import type { AttachmentsStatus, CatchUpStatus, DaemonStatus, SinkStatus, UpstreamStatus } from '../shared/status.ts';

export function eventLine(seq: number, event: MailEvent, at: Date = new Date(event.occurred_at)): string {
  const time = Number.isNaN(at.getTime()) ? '--:--:--' : clock(at);
  const what = event.message ? `${event.message.from} → ${event.message.subject}` : event.event_id;
  const test = event.test ? ' [test]' : '';
  return `${String(seq).padStart(6)}  ${time}  ${event.event.padEnd(18)} ${(event.inbox_id ?? '-').padEnd(14)} ${what}${test}`;
}

export function upstreamLine(status: UpstreamStatus): string {
  const parts = [`${status.account} (${status.provider})`, status.state, `since ${clock(new Date(status.since))}`];
  if (status.state === 'backoff' && status.nextRetryAt) parts.push(`retry at ${clock(new Date(status.nextRetryAt))}`);
  if (status.lastError && status.state !== 'live') parts.push(status.lastError);
  if (status.possibleGap) parts.push(`possible gap: ${status.possibleGap.reason}`);
  return parts.join(' · ');
}

export function sinkLine(sink: SinkStatus): string {
  const parts = [`${sink.url} stream ${sink.stream} (${sink.subjectPrefix}.>)`, sink.state, `lag ${sink.lag}`, `${sink.published} published`];
  if (sink.state === 'backoff' && sink.nextRetryAt) parts.push(`retry at ${clock(new Date(sink.nextRetryAt))}`);
  if (sink.lastError && sink.state !== 'live') parts.push(sink.lastError.message);
  return parts.join(' · ');
}

/** Catch-up over REST for one account: the last run, what it recovered, an open gap, the last error. */
export function catchUpLine(account: string, catchUp: CatchUpStatus): string {
  const last = catchUp.lastRunAt === null ? 'none yet' : `last ${clock(new Date(catchUp.lastRunAt))}, ${catchUp.lastRecovered} recovered`;
  const parts = [account, catchUp.state === 'off' ? 'off (message.received is filtered out)' : last];
  if (catchUp.state === 'backoff' && catchUp.nextRunAt) parts.push(`retry at ${clock(new Date(catchUp.nextRunAt))}`);
  if (catchUp.state === 'needs_key') parts.push('needs key');
  if (catchUp.gap) parts.push(`gap open since ${clock(new Date(catchUp.gap.at))}: ${catchUp.gap.reason}`);
  if (catchUp.lastError) parts.push(catchUp.lastError);
  return parts.join(' · ');
}

/** The attachment store: what it keeps and still has to fetch, its size against the limit, and the last error. */
export function attachmentsLine(attachments: AttachmentsStatus): string {
  const parts = [
    `${attachments.kept} kept`,
    `${attachments.pending} pending`,
    `${attachments.failed} failed`,
    `${megabytes(attachments.bytes)} of ${megabytes(attachments.maxTotalBytes)} MB`,
  ];
  if (attachments.evicted > 0) parts.splice(3, 0, `${attachments.evicted} removed for the limit`);
  if (attachments.lastError) parts.push(`last error ${clock(new Date(attachments.lastError.at))}: ${attachments.lastError.message}`);
  return parts.join(' · ');
}

export function statusText(status: DaemonStatus): string {
  const lines = [
    `Mailbridge ${status.version} "${status.engine}", pid ${status.pid}, up since ${status.startedAt}${status.demo ? ' (demo provider)' : ''}`,
    `data:      ${status.dataDir}`,
  ];
  if (status.endpoint) {
    lines.push(`endpoint:  ${status.endpoint.url}  (token in ${status.endpoint.token_file})`);
    if (status.endpoint.socket) lines.push(`socket:    ${status.endpoint.socket}`);
  }
  lines.push(`events:    ${status.store.events} stored, latest seq ${status.store.latestSeq}`);
  for (const account of status.accounts) {
    lines.push(`account:   ${upstreamLine(account)}`);
    if (account.catchUp) lines.push(`catch-up:  ${catchUpLine(account.account, account.catchUp)}`);
  }
  for (const consumer of status.consumers) lines.push(`consumer:  ${consumer.name} at ${consumer.ackedSeq}, lag ${consumer.lag}`);
  for (const target of status.forwards) {
    lines.push(`forward:   ${target.url} · ${target.delivered} delivered · ${target.queued} queued · ${target.deadLetters} dead`);
  }
  for (const sink of status.sinks) lines.push(`nats:      ${sinkLine(sink)}`);
  if (status.attachments) lines.push(`files:     ${attachmentsLine(status.attachments)}`);
  return lines.join('\n');
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** Local wall-clock time, as a person reads it in a terminal. */
function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}
