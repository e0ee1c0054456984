// One event in full. Everything from the message is rendered as text: bodies are never parsed as markup, and
// links are opened only by a click on an explicit button, through the host. Attachments Mailbridge keeps are opened
// (passive types only) or saved through the data layer, which fetches them with the token in a header.
import { useState, type ReactNode } from 'react';
import { isPassiveType } from '../../shared/attachments.ts';
import type { MailAttachment } from '../../shared/event.ts';
import type { HistoryItem } from '../../shared/local-api.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { formatBytes } from '../format/bytes.ts';
import { summarizeEvent } from '../format/event-summary.ts';
import { isWebUrl } from '../format/external-url.ts';
import { formatFullTime } from '../format/time.ts';
import { useAction } from '../hooks/useAction.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface EventDetailProps {
  data: DataLayer;
  item: HistoryItem | null;
  loading: boolean;
}

function Header({ name, value, mono = false }: { name: string; value: string | undefined; mono?: boolean }): ReactNode {
  if (value === undefined || value === '') return null;
  return (
    <div>
      <dt>{name}</dt>
      <dd className={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

function Attachment({ attachment, data }: { attachment: MailAttachment; data: DataLayer }): ReactNode {
  const { url, local_url: localUrl, filename, contentType } = attachment;
  // One action for both buttons: one error shown, and no second request while the first runs.
  const act = useAction(async (what: 'link' | 'open' | 'save') => {
    if (what === 'link') return data.host.openExternal(url ?? '');
    const kept = { filename, contentType, local_url: localUrl ?? '' };
    return what === 'open' ? data.host.openAttachment(kept) : data.host.saveAttachment(kept);
  });
  const button = (what: 'link' | 'open' | 'save', label: string, text: string): ReactNode => (
    <button type="button" className="button button-small" aria-label={label} disabled={act.busy} onClick={() => void act.run(what)}>
      {text}
    </button>
  );
  return (
    <li className="attachment">
      <span className="attachment-icon" aria-hidden="true" />
      <span className="attachment-name truncate">{filename}</span>
      <span className="muted small">
        {contentType} · {formatBytes(attachment.sizeBytes)}
      </span>
      {localUrl !== undefined ? (
        <>
          {/* HTML, SVG and other types that can run code are only ever saved. */}
          {isPassiveType(contentType) && button('open', `Open ${filename}`, 'Open')}
          {button('save', `Save ${filename}`, 'Save')}
        </>
      ) : (
        url !== undefined && isWebUrl(url) && button('link', `Open ${filename} in the browser`, 'Open')
      )}
      {act.error !== null && <span className="tone-bad-text small">{act.error}</span>}
    </li>
  );
}

function RedeliverButton({ data, seq }: { data: DataLayer; seq: number }): ReactNode {
  const [queued, setQueued] = useState<number | null>(null);
  const redeliver = useAction(async () => setQueued(await data.api.redeliver(seq)));
  return (
    <div className="redeliver">
      <button type="button" className="button" disabled={redeliver.busy} onClick={() => void redeliver.run()}>
        Redeliver
      </button>
      <span className="muted small" aria-live="polite">
        {queued === null
          ? ''
          : queued === 0
            ? 'No forward target takes this event.'
            : `Queued for ${queued} forward target${queued === 1 ? '' : 's'}.`}
      </span>
      <ErrorNotice message={redeliver.error} />
    </div>
  );
}

export function EventDetail({ data, item, loading }: EventDetailProps): ReactNode {
  if (item === null) {
    return <div className="detail-empty muted">{loading ? 'Loading…' : 'Select a message to read it here.'}</div>;
  }
  const { event } = item;
  const message = event.message;
  const summary = summarizeEvent(event, item.stored_at);
  const attachments = message?.attachments ?? [];
  return (
    <article className="detail" aria-labelledby="detail-subject">
      <header className="detail-head">
        <h2 id="detail-subject" className="detail-subject">
          {summary.subject}
        </h2>
        {/* Keyed by seq: the outcome of one event's redelivery must not show on the next. */}
        <RedeliverButton key={item.seq} data={data} seq={item.seq} />
      </header>
      <dl className="headers">
        <Header name="From" value={message?.from} />
        <Header name="To" value={message?.to} />
        <Header name="Cc" value={message?.cc?.join(', ')} />
        <Header name="Date" value={formatFullTime(summary.at)} />
        <Header name="Event" value={event.event} mono />
        <Header name="Inbox" value={event.inbox_id ?? undefined} mono />
        <Header name="Account" value={item.account} />
        <Header name="Event ID" value={event.event_id} mono />
        <Header name="Message ID" value={message?.id} mono />
        <Header name="RFC ID" value={message?.rfc_message_id} mono />
        <Header name="Thread" value={event.thread_id} mono />
        <Header name="Seq" value={String(item.seq)} mono />
      </dl>
      {message !== undefined &&
        (message.body_text ? <pre className="body-text">{message.body_text}</pre> : <p className="muted">No text body.</p>)}
      {attachments.length > 0 && (
        <section className="attachments" aria-label="Attachments">
          <h3>
            {attachments.length} attachment{attachments.length === 1 ? '' : 's'}
          </h3>
          <ul>
            {attachments.map((attachment, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: attachments have no id, and filenames repeat; the list never reorders.
              <Attachment key={`${index}-${attachment.filename}`} attachment={attachment} data={data} />
            ))}
          </ul>
        </section>
      )}
      <details className="raw">
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify({ seq: item.seq, ...event }, null, 2)}</pre>
      </details>
    </article>
  );
}
