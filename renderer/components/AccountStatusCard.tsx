// One upstream connection: its state first, then the facts that explain it.
import type { ReactNode } from 'react';
import type { CatchUpStatus, UpstreamStatus } from '../../shared/status.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { StateBadge } from './StateBadge.tsx';

function When({ iso, now, none }: { iso: string | null; now: number; none: string }): ReactNode {
  if (iso === null) return <span className="muted">{none}</span>;
  return <time dateTime={iso} title={formatFullTime(iso)}>{formatRelative(iso, now)}</time>;
}

export function AccountStatusCard({ account, now }: { account: UpstreamStatus; now: number }): ReactNode {
  const headingId = `account-${account.account}`;
  return (
    <article className="card account-card" aria-labelledby={headingId}>
      <header className="card-head">
        <div>
          <h3 id={headingId}>
            {account.account} <span className="muted provider">{account.provider}</span>
          </h3>
          <span className="muted mono small truncate" title={account.url}>
            {account.url}
          </span>
        </div>
        <StateBadge state={account.state} />
      </header>
      <dl className="facts">
        <div>
          <dt>Since</dt>
          <dd>
            <When iso={account.since} now={now} none="—" />
          </dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{account.attempt}</dd>
        </div>
        <div>
          <dt>Last event</dt>
          <dd>
            <When iso={account.lastEventAt} now={now} none="None yet" />
          </dd>
        </div>
        <div>
          <dt>Cursor</dt>
          <dd className="mono truncate" title={account.cursor ?? undefined}>
            {account.cursor ?? <span className="muted">—</span>}
          </dd>
        </div>
        {account.state === 'backoff' && account.nextRetryAt !== null && (
          <div>
            <dt>Next try</dt>
            <dd>
              <When iso={account.nextRetryAt} now={now} none="—" />
            </dd>
          </div>
        )}
        <div>
          <dt>Events</dt>
          <dd>{account.counters.events.toLocaleString()}</dd>
        </div>
        {account.catchUp !== undefined && <CatchUpFacts catchUp={account.catchUp} now={now} />}
      </dl>
      {account.lastError !== null && (
        <p className="card-line tone-bad-text">
          <strong>Last error</strong> {account.lastError}
        </p>
      )}
      {account.possibleGap !== null && (
        <p className="card-line gap-note" role="note">
          <strong>Possible gap</strong> since{' '}
          <time dateTime={account.possibleGap.at}>{formatFullTime(account.possibleGap.at)}</time>:{' '}
          {account.possibleGap.reason}. Events from that time may be missing.
        </p>
      )}
      {account.catchUp !== undefined && <CatchUpNotes catchUp={account.catchUp} />}
    </article>
  );
}

/** What the last catch-up over the provider's REST API found, and when the next one is due after a failure. */
function CatchUpFacts({ catchUp, now }: { catchUp: CatchUpStatus; now: number }): ReactNode {
  return (
    <>
      <div>
        <dt>Last catch-up</dt>
        <dd>
          <When iso={catchUp.lastRunAt} now={now} none={catchUp.state === 'off' ? 'Off' : 'Not yet'} />
        </dd>
      </div>
      {catchUp.lastRunAt !== null && (
        <div>
          <dt>Mail recovered</dt>
          <dd title={`${catchUp.recovered.toLocaleString()} since Mailbridge started`}>{catchUp.lastRecovered.toLocaleString()}</dd>
        </div>
      )}
      {catchUp.state === 'backoff' && catchUp.nextRunAt !== null && (
        <div>
          <dt>Next catch-up</dt>
          <dd>
            <When iso={catchUp.nextRunAt} now={now} none="—" />
          </dd>
        </div>
      )}
    </>
  );
}

function CatchUpNotes({ catchUp }: { catchUp: CatchUpStatus }): ReactNode {
  return (
    <>
      {catchUp.lastError !== null && (
        <p className="card-line tone-bad-text">
          <strong>Catch-up failed</strong> {catchUp.lastError}
        </p>
      )}
      {catchUp.gap !== null && (
        <p className="card-line gap-note" role="note">
          <strong>Gap open</strong> since <time dateTime={catchUp.gap.at}>{formatFullTime(catchUp.gap.at)}</time>: {catchUp.gap.reason}.
          Catch-up fetches what is missing from the provider.
        </p>
      )}
      {catchUp.state === 'off' && (
        <p className="card-line muted small">Catch-up is off: this account's event types leave out message.received.</p>
      )}
    </>
  );
}
